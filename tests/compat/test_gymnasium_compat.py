"""gymwarden.make gives the same episodes as gymnasium.make.

For each of Gymnasium's classic-control and toy-text environments, a
manifest is written into a temporary folder, pinning the spaces that the
environment really declares (read from Gymnasium's space objects), with
Gymnasium's own folder as the source and its registry's entry point,
kwargs and step limit. Then, for several seeds, whole episodes run side by
side through gymwarden and through gymnasium.make, with the same actions
(drawn from a seeded numpy generator), and every observation, reward and
flag must be identical.

Skipped when Gymnasium cannot be imported; tests/compat/README.md says how
to run them locally.
"""

from __future__ import annotations

import importlib.util
import json
import math
import pathlib
from typing import Any

import numpy as np
import pytest

import gymwarden

try:
    import gymnasium
    from gymnasium import spaces
except ImportError as exc:
    gymnasium = None
    WHY_NOT = f"Gymnasium cannot be imported ({exc}); see tests/compat/README.md"
else:
    WHY_NOT = "gymwarden.make is not built yet"

pytestmark = pytest.mark.skipif(
    gymnasium is None or not hasattr(gymwarden, "make"), reason=WHY_NOT
)

# Each entry lists the ids to try, newest first; the first one that the
# installed Gymnasium registers is used.
WANTED = [
    ["CartPole-v1"],
    ["MountainCar-v0"],
    ["Acrobot-v1"],
    ["Pendulum-v1"],
    ["FrozenLake-v1"],
    ["Taxi-v4", "Taxi-v3"],
    ["Blackjack-v1"],
    ["CliffWalking-v1", "CliffWalking-v0"],
]
SEEDS = [0, 1, 7]
# Episodes of environments without a step limit (CliffWalking with random
# actions) are compared up to this many steps.
MAX_COMPARED_STEPS = 1000
# Modules Gymnasium imports besides numpy; the worker must see them too.
GYMNASIUM_DEPENDENCIES = ["cloudpickle", "typing_extensions", "farama_notifications"]


def registered(candidates: list[str]) -> str | None:
    if gymnasium is None:
        return candidates[0]
    return next((c for c in candidates if c in gymnasium.envs.registry), None)


def env_param(candidates: list[str]) -> Any:
    env_id = registered(candidates)
    if env_id is not None:
        return pytest.param(env_id, id=env_id)
    reason = f"this Gymnasium registers none of {candidates}"
    return pytest.param(candidates[0], marks=pytest.mark.skip(reason=reason))


ENV_IDS = [env_param(c) for c in WANTED]


# --- TOML from Gymnasium's objects ---------------------------------------


def toml_value(v: Any) -> str:
    """v as a TOML value: inline tables and arrays on one line."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            raise ValueError("NaN cannot be pinned")
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return repr(f)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = (f"{json.dumps(str(k))} = {toml_value(x)}" for k, x in v.items())
        return "{ " + ", ".join(items) + " }"
    raise TypeError(f"no TOML form for {type(v).__name__}")


def space_table(space: spaces.Space) -> dict[str, Any]:
    """The manifest's description of a Gymnasium space."""
    if isinstance(space, spaces.Box):
        return {
            "type": "Box",
            "dtype": space.dtype.name,
            "shape": list(space.shape),
            "low": space.low.tolist(),
            "high": space.high.tolist(),
        }
    if isinstance(space, spaces.Discrete):
        return {"type": "Discrete", "n": int(space.n), "start": int(space.start)}
    if isinstance(space, spaces.MultiDiscrete):
        return {
            "type": "MultiDiscrete",
            "nvec": space.nvec.tolist(),
            "start": space.start.tolist(),
        }
    if isinstance(space, spaces.MultiBinary):
        n = space.n
        return {"type": "MultiBinary", "n": n if isinstance(n, int) else list(n)}
    if isinstance(space, spaces.Tuple):
        return {"type": "Tuple", "spaces": [space_table(s) for s in space.spaces]}
    if isinstance(space, spaces.Dict):
        children = {k: space_table(s) for k, s in space.spaces.items()}
        return {"type": "Dict", "spaces": children}
    if isinstance(space, spaces.Text):
        return {
            "type": "Text",
            "min_length": space.min_length,
            "max_length": space.max_length,
            "charset": space.characters,
        }
    raise TypeError(f"cannot pin {type(space).__name__}")


def dependency_paths(source: pathlib.Path) -> list[str]:
    """Folders holding Gymnasium's dependencies, other than the source.

    The worker's sys.path is the standard library, the source and these
    folders only (site-packages are left out on purpose), so even
    Debian's /usr/lib/python3/dist-packages must be named when
    cloudpickle comes from there.
    """
    found = []
    for name in GYMNASIUM_DEPENDENCIES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = pathlib.Path(spec.origin).resolve()
        folder = origin.parent.parent if origin.name == "__init__.py" else origin.parent
        if folder != source:
            found.append(str(folder))
    return sorted(set(found))


def env_entry(env_id: str, source: pathlib.Path) -> str:
    spec = gymnasium.spec(env_id)
    if not isinstance(spec.entry_point, str):
        raise TypeError(f"{env_id}: entry point is not a string")
    env = gymnasium.make(env_id, disable_env_checker=True)
    lines = [
        "[[env]]",
        f"id = {toml_value(env_id)}",
        f"source = {toml_value(str(source))}",
        f"entry_point = {toml_value(spec.entry_point)}",
        'api = "gymnasium"',
        f"dependency_paths = {toml_value(dependency_paths(source))}",
        f"kwargs = {toml_value(dict(spec.kwargs))}",
        f"action_space = {toml_value(space_table(env.action_space))}",
        f"observation_space = {toml_value(space_table(env.observation_space))}",
    ]
    env.close()
    if spec.max_episode_steps is not None:
        lines.append(f"max_episode_steps = {spec.max_episode_steps}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    source = pathlib.Path(gymnasium.__file__).resolve().parent.parent
    ids = [registered(c) for c in WANTED if registered(c)]
    text = "# Written by test_gymnasium_compat.py\nvetting = \"off\"\n\n"
    text += "\n".join(env_entry(env_id, source) for env_id in ids)
    path = tmp_path_factory.mktemp("compat") / "gymwarden.toml"
    path.write_text(text)
    return path


# --- running both side by side -------------------------------------------


def draw_action(space: spaces.Space, rng: np.random.Generator) -> Any:
    """An action of space from rng (not space.sample, whose stream is its own)."""
    if isinstance(space, spaces.Discrete):
        return int(space.start + rng.integers(space.n))
    if isinstance(space, spaces.Box):
        return rng.uniform(space.low, space.high).astype(space.dtype)
    raise TypeError(f"no action drawing for {type(space).__name__}")


def assert_same_obs(want: Any, got: Any, where: str) -> None:
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), where
        for i, (w, g) in enumerate(zip(want, got)):
            assert_same_obs(w, g, f"{where}[{i}]")
        return
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), where
        assert got.dtype == want.dtype and got.shape == want.shape, where
    assert np.array_equal(want, got), f"{where}: {want!r} != {got!r}"


def run_episode(
    ref: Any, guarded: Any, seed: int | None, rng: np.random.Generator, label: str
) -> int:
    want, _ = ref.reset(seed=seed)
    got, _ = guarded.reset(seed=seed)
    assert_same_obs(want, got, f"{label} reset")
    for t in range(1, MAX_COMPARED_STEPS + 1):
        action = draw_action(ref.action_space, rng)
        w_obs, w_rew, w_term, w_trunc, _ = ref.step(action)
        g_obs, g_rew, g_term, g_trunc, _ = guarded.step(action)
        where = f"{label} step {t}"
        assert_same_obs(w_obs, g_obs, where)
        assert float(g_rew) == float(w_rew), f"{where}: reward {g_rew} != {w_rew}"
        assert bool(g_term) == bool(w_term), f"{where}: terminated"
        assert bool(g_trunc) == bool(w_trunc), f"{where}: truncated"
        assert isinstance(g_term, bool) and isinstance(g_trunc, bool), where
        if w_term or w_trunc:
            return t
    return MAX_COMPARED_STEPS


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_episodes_match_gymnasium(env_id, manifest):
    ref = gymnasium.make(env_id, disable_env_checker=True)
    guarded = gymwarden.make(env_id, manifest=str(manifest))
    try:
        for seed in SEEDS:
            rng = np.random.default_rng(1000 + seed)
            run_episode(ref, guarded, seed, rng, f"{env_id} seed {seed}")
            # A second episode without a seed continues both generators.
            run_episode(ref, guarded, None, rng, f"{env_id} after seed {seed}")
    finally:
        guarded.close()
        ref.close()
