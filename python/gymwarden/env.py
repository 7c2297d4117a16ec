"""The guarded environment trainers get from ``gymwarden.make``.

It behaves as a Gymnasium environment (and is a ``gymnasium.Env`` when
Gymnasium can be imported, so its wrappers work on it), but nothing of the
environment's code runs in this process: every call goes to the C monitor,
which talks to a sandboxed worker and checks what comes back against the
pinned spaces. Observations are new arrays that the caller owns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, SupportsFloat

from gymwarden import _native, spaces
from gymwarden.errors import ActionError

try:
    import gymnasium
except ImportError:
    gymnasium = None

__all__ = ["GuardedEnv", "EnvSpec", "check_seed"]

SEED_LIMIT = 1 << 64


@dataclass(frozen=True)
class EnvSpec:
    """What ``env.spec`` holds when Gymnasium is not installed."""

    id: str
    max_episode_steps: int | None = None
    entry_point: str | None = None


class _LocalEnv:
    """The part of gymnasium.Env that GuardedEnv relies on, without it."""

    metadata: dict[str, Any] = {"render_modes": []}
    render_mode: str | None = None
    spec: Any = None

    @property
    def unwrapped(self) -> "_LocalEnv":
        return self

    def __enter__(self) -> "_LocalEnv":
        return self

    def __exit__(self, *exc: object) -> bool:
        self.close()
        return False

    def close(self) -> None:
        pass


_Base: type = gymnasium.Env if gymnasium is not None else _LocalEnv


def check_seed(seed: Any, env_id: str | None = None) -> int | None:
    """A seed is None or a non-negative int below 2**64 (a bool is not one)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not hasattr(type(seed), "__index__"):
        raise ActionError(f"seed: {type(seed).__name__} is not an int",
                          env_id=env_id, step=0, field="seed")
    value = seed.__index__()
    if not 0 <= value < SEED_LIMIT:
        raise ActionError("seed: must be a non-negative int below 2**64",
                          env_id=env_id, step=0, field="seed")
    return value


def _spec(env_id: str, max_steps: int | None) -> Any:
    if gymnasium is None:
        return EnvSpec(env_id, max_steps)
    from gymnasium.envs.registration import EnvSpec as GymSpec

    return GymSpec(id=env_id, entry_point=None, max_episode_steps=max_steps,
                   disable_env_checker=True)


class GuardedEnv(_Base):
    """One environment in a sandboxed worker, seen through the monitor."""

    metadata: dict[str, Any] = {"render_modes": []}
    render_mode: str | None = None

    def __init__(self, native: Any) -> None:
        self._native = native
        self._env_id: str = native.env_id
        self.action_space = spaces.from_description(native.action_space)
        self.observation_space = spaces.from_description(native.observation_space)
        self.spec = _spec(self._env_id, native.max_episode_steps)
        self._layers = tuple(x for x in (native.layers or "").split(",") if x)
        self._missing = {
            name: why
            for name, _, why in (
                x.partition(":") for x in (native.missing_layers or "").split(",") if x
            )
        }

    @property
    def env_id(self) -> str:
        return self._env_id

    @property
    def layers(self) -> tuple[str, ...]:
        """The sandbox layers the launcher reported as enforced."""
        return self._layers

    @property
    def missing_layers(self) -> dict[str, str]:
        """Layers this host could not provide, each with the launcher's reason."""
        return dict(self._missing)

    def sandbox_events(self) -> list[dict[str, Any]]:
        """Forbidden calls and resource limits reported so far, oldest first.

        Each is a dict with "kind" ("sandbox" or "limit"), "step", "detail",
        and "syscall" and "action" ("errno" or "kill") for a forbidden call
        or "limit" ("memory", "processes", "cpu-time", "file-size",
        "lifetime") for a limit.
        """
        return self._native.sandbox_events

    @property
    def worker_pid(self) -> int:
        """The worker's process id, or -1 once it is gone."""
        return self._native.worker_pid

    @property
    def closed(self) -> bool:
        return self._native.closed

    def fault_counts(self) -> dict[str, int]:
        """How often each class of fault was seen since the env was made."""
        return self._native.fault_counts()

    def sanitize_counts(self) -> dict[str, int]:
        """What [env.sanitize] found and did since the env was made:
        entity kinds ("email", "card", ...), "field_hash" and the other
        "field_<op>" counts, "dropped",
        "dp_released", "dp_withheld"; empty without a policy."""
        return self._native.sanitize_counts()

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        seed = check_seed(seed, self._env_id)
        if gymnasium is not None and seed is not None:
            # Keeps Gymnasium's np_random contract for code that reads it.
            super().reset(seed=seed)
        return self._native.reset(seed, options)

    def step(
        self, action: Any
    ) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        return self._native.step(action)

    def render(self) -> None:
        return None

    def close(self) -> None:
        native = getattr(self, "_native", None)
        if native is not None:
            native.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"worker {self.worker_pid}"
        return f"<GuardedEnv {self._env_id} ({state})>"


def jail_path() -> str:
    """The launcher: GYMWARDEN_JAIL, else where the build put it."""
    from gymwarden import _paths

    return os.environ.get("GYMWARDEN_JAIL") or _paths.JAIL


def worker_path() -> str:
    """The worker script: GYMWARDEN_WORKER, else the one in this package."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("GYMWARDEN_WORKER") or os.path.join(here, "worker.py")


def open_env(manifest: str, env_id: str, kwargs: dict[str, Any],
             **trail: str) -> GuardedEnv:
    """Open env_id; trail: record, record_key, audit, audit_key paths."""
    native = _native.Env(manifest, env_id, kwargs or None, jail_path(),
                         worker_path(), **trail)
    return GuardedEnv(native)
