"""Per-step latency of one CartPole-like environment, three ways, one run.

    PYTHONPATH=build/python /usr/bin/python3 bench/bench_step.py [--steps N]

1. raw: the environment class imported and stepped in this process;
2. gymwarden: gymwarden.make -> steps through the monitor and a sandboxed
   worker (spin, then doorbell, as docs/protocol.md says);
3. Gymnasium's AsyncVectorEnv with one copy of the same class, when
   Gymnasium can be imported (skipped with a note otherwise);
4. for scale, Gymnasium's own CartPole-v1 through gymnasium.make, in
   process (the design's "raw step", about 11 us on the reference VM),
   when Gymnasium can be imported.

Each prints p50 and p99 of the per-step time and steps per second, and the
ratio of its p50 to raw's. The environment is Balance-v0 from examples/
(GridWorld-v0 when Balance is missing). A benchmark, not a test: it asserts
nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# (id, manifest, source folder, module, class, actions)
CANDIDATES = [
    ("Balance-v0", "gymwarden.toml", "balance", "balance.env", "BalanceEnv", 2),
    ("GridWorld-v0", "gymwarden.toml", "gridworld", "gridworld.env", "GridWorldEnv", 4),
]


def pick() -> tuple[str, str, str, str, str, int]:
    for c in CANDIDATES:
        if (EXAMPLES / c[2]).is_dir():
            return c
    sys.exit("bench_step: no example environment found")


def env_block(text: str, env_id: str) -> str:
    """The [[env]] of env_id in a manifest, with its sub-tables."""
    blocks = re.split(r"(?m)^(?=\[\[env\]\])", text)
    for b in blocks:
        if re.search(rf'(?m)^id = "{re.escape(env_id)}"', b):
            return b
    sys.exit(f"bench_step: {env_id} not in the manifest")


def bench_manifest(env_id: str, manifest: str, folder: Path) -> Path:
    """A manifest holding only env_id, with absolute paths, no vetting and no
    required layers (the benchmark measures the data path, not the jail)."""
    block = env_block((EXAMPLES / manifest).read_text(), env_id)
    block = re.sub(r'(?m)^source = "([^"]+)"',
                   lambda m: f'source = "{EXAMPLES / m.group(1)}"', block)
    block = re.sub(r'(?m)^dependency_paths = \["([^"]+)"\]',
                   lambda m: f'dependency_paths = ["{EXAMPLES / m.group(1)}"]', block)
    block = re.sub(r"(?m)^require = .*$", "", block)
    block = re.sub(r"(?m)^max_episode_steps = .*$", "", block)
    path = folder / "bench.toml"
    path.write_text('vetting = "off"\n\n' + block)
    return path


def timed(step: Callable[[int], Any], reset: Callable[[], Any], steps: int,
          warmup: int) -> list[float]:
    """Seconds per step; reset (not timed) whenever an episode ends."""
    out = []
    reset()
    clock = time.perf_counter_ns
    for i in range(warmup + steps):
        t0 = clock()
        done = step(i)
        t1 = clock()
        if i >= warmup:
            out.append((t1 - t0) * 1e-9)
        if done:
            reset()
    return out


def report(name: str, times: list[float] | None, raw_p50: float | None,
           note: str = "") -> float | None:
    if not times:
        print(f"{name:<16} skipped: {note}")
        return None
    times = sorted(times)
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    rate = len(times) / sum(times)
    ratio = f"{p50 / raw_p50:5.2f}x raw" if raw_p50 else "     (raw)"
    print(f"{name:<16} p50 {p50 * 1e6:8.2f} us   p99 {p99 * 1e6:8.2f} us   "
          f"{rate:10.0f} steps/s   {ratio}  {note}")
    return p50


def run_raw(module: str, cls: str, source: Path, n_actions: int, steps: int,
            warmup: int) -> list[float]:
    sys.path[:0] = [str(source), str(EXAMPLES / "_compat")]
    env = getattr(__import__(module, fromlist=[cls]), cls)()
    try:
        env.reset(seed=0)

        def step(i: int) -> bool:
            _, _, term, trunc, _ = env.step(i % n_actions)
            return term or trunc

        return timed(step, lambda: env.reset(), steps, warmup)
    finally:
        env.close()
        for m in [m for m in sys.modules if m.split(".")[0] in
                  (module.split(".")[0], "gwexample_compat")]:
            del sys.modules[m]
        del sys.path[:2]


def run_gymwarden(env_id: str, manifest: Path, n_actions: int, steps: int,
                  warmup: int) -> tuple[list[float] | None, str]:
    try:
        import gymwarden
    except ImportError as e:
        return None, f"gymwarden not importable ({e}); set PYTHONPATH=build/python"
    with gymwarden.make(env_id, manifest=str(manifest)) as env:
        env.reset(seed=0)

        def step(i: int) -> bool:
            _, _, term, trunc, _ = env.step(i % n_actions)
            return term or trunc

        times = timed(step, lambda: env.reset(), steps, warmup)
        layers = ",".join(env.layers)
    return times, f"(layers: {layers})"


def _make_env(source: str, module: str, cls: str) -> Callable[[], Any]:
    def make() -> Any:
        sys.path[:0] = [source, str(EXAMPLES / "_compat")]
        return getattr(__import__(module, fromlist=[cls]), cls)()

    return make


def run_async(source: Path, module: str, cls: str, n_actions: int, steps: int,
              warmup: int) -> tuple[list[float] | None, str]:
    try:
        from gymnasium.vector import AsyncVectorEnv
    except ImportError:
        return None, "Gymnasium is not importable"
    vec = AsyncVectorEnv([_make_env(str(source), module, cls)])
    try:
        vec.reset(seed=0)

        def step(i: int) -> bool:
            vec.step(np.array([i % n_actions]))
            return False  # the vector env resets its copy by itself

        return timed(step, lambda: None, steps, warmup), ""
    finally:
        vec.close()


def run_cartpole(steps: int, warmup: int) -> tuple[list[float] | None, str]:
    try:
        import gymnasium
    except ImportError:
        return None, "Gymnasium is not importable"
    env = gymnasium.make("CartPole-v1")
    try:
        env.reset(seed=0)

        def step(i: int) -> bool:
            _, _, term, trunc, _ = env.step(i % 2)
            return term or trunc

        return timed(step, lambda: env.reset(), steps, warmup), "(reference)"
    finally:
        env.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=2000)
    args = ap.parse_args()

    env_id, manifest, folder, module, cls, n_actions = pick()
    source = EXAMPLES / folder
    print(f"bench_step: {env_id}, {args.steps} timed steps each "
          f"(after {args.warmup}), python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus")
    raw = run_raw(module, cls, source, n_actions, args.steps, args.warmup)
    raw_p50 = report("raw in-process", raw, None)
    with tempfile.TemporaryDirectory() as tmp:
        path = bench_manifest(env_id, manifest, Path(tmp))
        times, note = run_gymwarden(env_id, path, n_actions, args.steps, args.warmup)
    report("gymwarden", times, raw_p50, note)
    times, note = run_async(source, module, cls, n_actions, args.steps, args.warmup)
    report("AsyncVectorEnv", times, raw_p50, note)
    times, note = run_cartpole(args.steps, args.warmup)
    report("CartPole-v1 make", times, raw_p50, note)


if __name__ == "__main__":
    main()
