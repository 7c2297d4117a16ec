"""Per-step latency and start-up of a guarded environment against its peers.

    PYTHONPATH=build/python[:GYMNASIUM_SRC] /usr/bin/python3 bench/bench_step.py
        [--steps N] [--warmup N] [--rounds N] [--starts N]
        [--only balance|cartpole|start] [--placement free|same|split]

Everything is measured in one run, on one machine:

1. Balance-v0 from examples/ (GridWorld-v0 when Balance is missing):
   - raw: the class imported and stepped in this process;
   - gymwarden: gymwarden.make -> the monitor and a sandboxed worker;
   - AsyncVectorEnv(1): Gymnasium's, one copy of the same class.
2. CartPole-v1, the design's own reference (needs Gymnasium):
   - raw: gymnasium.make("CartPole-v1") with its wrappers, in process (the
     design's "raw step"); the ratios of this part are against it;
   - unwrapped: the same env's .unwrapped, in process;
   - gymwarden: gymwarden.make on a temporary manifest that pins the
     spaces CartPole declares, with Gymnasium's folder as the source;
   - AsyncVectorEnv(1): Gymnasium's, one gymnasium.make("CartPole-v1").
3. make -> first reset (needs Gymnasium): the wall time of fresh
   interpreters running `gymnasium.make("CartPole-v1").reset()` and the
   same through gymwarden.make, alternated, --starts times each.

The ways of a part are all opened first and then stepped round robin:
--rounds rounds, each giving every way its share of the timed steps after
a short untimed re-warm, so that a change in the machine's load falls on
all of them alike. Episode ends reset outside the timed region. Each step
line has p50 and p99 of the per-step time, steps per second and p50 as a
multiple of the part's raw p50. Where the scheduler puts the worker
changes a guarded step's time by a factor of two or more on a 2-CPU
machine (one CPU: two task switches per step; two: none), so
--placement pins this process and the workers (same CPU, or CPUs 0 and
1) to measure each case on its own; the default leaves it free.

A benchmark, not a test: nothing is asserted. Load averages are printed
at the start and the end: on a shared machine, read the figures with
them. bench/README.md has the figures of the reference VM.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_MANIFEST = EXAMPLES / "gymwarden.toml"

# (id, manifest, source folder, module, class, actions)
CANDIDATES = [
    ("Balance-v0", "gymwarden.toml", "balance", "balance.env", "BalanceEnv", 2),
    ("GridWorld-v0", "gymwarden.toml", "gridworld", "gridworld.env", "GridWorldEnv", 4),
]

CARTPOLE = "CartPole-v1"
# Modules Gymnasium imports besides numpy (tests/compat does the same).
GYMNASIUM_DEPENDENCIES = ["cloudpickle", "typing_extensions", "farama_notifications"]

Times = list[float]


def pick() -> tuple[str, str, str, str, str, int]:
    for c in CANDIDATES:
        if (EXAMPLES / c[2]).is_dir():
            return c
    sys.exit("bench_step: no example environment found")


def have_gymnasium() -> bool:
    return importlib.util.find_spec("gymnasium") is not None


# --- manifests ---------------------------------------------------------------


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


def toml_value(v: Any) -> str:
    """A number, string or list of them as TOML, on one line."""
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    f = float(v)
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return repr(f)


def pinned(space: Any) -> list[str]:
    """The manifest lines pinning a Box or Discrete as Gymnasium declares it."""
    from gymnasium import spaces

    if isinstance(space, spaces.Discrete):
        return ['type = "Discrete"', f"n = {int(space.n)}",
                f"start = {int(space.start)}"]
    if isinstance(space, spaces.Box):
        return ['type = "Box"', f"dtype = {toml_value(space.dtype.name)}",
                f"shape = {toml_value(list(space.shape))}",
                f"low = {toml_value(space.low.tolist())}",
                f"high = {toml_value(space.high.tolist())}"]
    raise TypeError(f"bench_step: cannot pin {type(space).__name__}")


def dependency_paths(source: Path) -> list[str]:
    """Folders of Gymnasium's own dependencies, other than the source: the
    worker's sys.path holds only the standard library and what is named."""
    found = set()
    for name in GYMNASIUM_DEPENDENCIES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin).resolve()
        folder = origin.parent.parent if origin.name == "__init__.py" else origin.parent
        if folder != source:
            found.add(str(folder))
    return sorted(found)


def cartpole_manifest(folder: Path) -> Path:
    """CartPole-v1 from the importable Gymnasium: its folder as the source,
    its registry's entry point and step limit, the spaces it declares."""
    import gymnasium

    source = Path(gymnasium.__file__).resolve().parent.parent
    spec = gymnasium.spec(CARTPOLE)
    env = gymnasium.make(CARTPOLE, disable_env_checker=True)
    try:
        lines = [
            'vetting = "off"', "", "[[env]]",
            f"id = {toml_value(CARTPOLE)}",
            f"source = {toml_value(str(source))}",
            f"entry_point = {toml_value(spec.entry_point)}",
            'api = "gymnasium"',
            f"dependency_paths = {toml_value(dependency_paths(source))}",
            f"max_episode_steps = {int(spec.max_episode_steps)}",
            "[env.action_space]", *pinned(env.action_space),
            "[env.observation_space]", *pinned(env.observation_space),
        ]
    finally:
        env.close()
    path = folder / "cartpole.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


# --- timing ------------------------------------------------------------------

# Steps each way runs, untimed, when its turn comes again in a later round.
REWARM_STEPS = 200


# Where the processes run: "free" leaves it to the scheduler; "same" pins
# this process and each way's worker process to CPU 0; "split" pins this
# process to CPU 0 and the workers to CPU 1.
PLACEMENT = "free"


class Way:
    """One way of stepping an environment: step(i) -> episode over; pid is
    the process that runs the environment when it is not this one."""

    def __init__(self, name: str, step: Callable[[int], bool],
                 reset: Callable[[], Any], close: Callable[[], Any],
                 note: str = "", pid: int | None = None) -> None:
        self.name, self.step, self.reset, self.close = name, step, reset, close
        self.note, self.pid = note, pid
        self.times: Times = []
        self.done = True


def place(ways: list[Way]) -> None:
    """Pin this process and the ways' workers as PLACEMENT says."""
    if PLACEMENT == "free":
        return
    os.sched_setaffinity(0, {0})
    for w in ways:
        if w.pid is not None:
            os.sched_setaffinity(w.pid, {0} if PLACEMENT == "same" else {1})


def env_way(name: str, env: Any, n_actions: int, note: str = "",
            close: Callable[[], Any] | None = None,
            pid: int | None = None) -> Way:
    """Steps with actions 0, 1, ... n_actions - 1 in turn."""
    def step(i: int) -> bool:
        _, _, term, trunc, _ = env.step(i % n_actions)
        return term or trunc

    return Way(name, step, env.reset, close or env.close, note, pid)


def vector_way(name: str, vec: Any, n_actions: int) -> Way:
    """A one-env vector, which resets its copy by itself."""
    actions = [np.array([a]) for a in range(n_actions)]

    def step(i: int) -> bool:
        vec.step(actions[i % n_actions])
        return False

    vec.reset(seed=0)
    return Way(name, step, lambda: None, vec.close,
               pid=vec.processes[0].pid)


def run_steps(way: Way, first: int, n: int, keep: bool) -> None:
    """Steps first .. first + n - 1, each timed alone; episode ends reset
    outside the timed region."""
    clock = time.perf_counter_ns
    out = way.times
    for i in range(first, first + n):
        if way.done:
            way.reset()
        t0 = clock()
        way.done = way.step(i)
        t1 = clock()
        if keep:
            out.append((t1 - t0) * 1e-9)


def measure(ways: list[Way], steps: int, warmup: int, rounds: int) -> None:
    """Round robin: in each round every way runs steps / rounds timed steps
    (after a short untimed re-warm), so that all of them see the same
    changes of the machine's load."""
    per = max(1, steps // rounds)
    for w in ways:
        run_steps(w, 0, warmup, False)
    for r in range(rounds):
        for w in ways:
            base = warmup + r * (per + REWARM_STEPS)
            if r:
                run_steps(w, base, REWARM_STEPS, False)
                base += REWARM_STEPS
            run_steps(w, base, per, True)


def report(name: str, times: Times | None, raw_p50: float | None,
           note: str = "") -> float | None:
    if not times:
        print(f"  {name:<20} skipped: {note}")
        return None
    times = sorted(times)
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    rate = len(times) / sum(times)
    ratio = f"{p50 / raw_p50:6.2f}x raw" if raw_p50 else "      (raw)"
    print(f"  {name:<20} p50 {p50 * 1e6:8.2f} us   p99 {p99 * 1e6:8.2f} us   "
          f"{rate:9.0f} steps/s  {ratio}  {note}".rstrip())
    return p50


def run_part(ways: list[Way], skipped: list[tuple[str, str]], steps: int,
             warmup: int, rounds: int) -> None:
    """Measure the ways, the first being raw, close them, print a line each."""
    try:
        place(ways)
        measure(ways, steps, warmup, rounds)
    finally:
        for w in ways:
            w.close()
    raw_p50 = None
    for i, w in enumerate(ways):
        p50 = report(w.name, w.times, raw_p50, w.note)
        if i == 0:
            raw_p50 = p50
    for name, why in skipped:
        report(name, None, None, why)


def guarded_way(env_id: str, manifest: Path, n_actions: int,
                stack: list[Way], skipped: list[tuple[str, str]]) -> None:
    try:
        import gymwarden
    except ImportError as e:
        skipped.append(("gymwarden", f"not importable ({e}); "
                        "set PYTHONPATH=build/python"))
        return
    env = gymwarden.make(env_id, manifest=str(manifest))
    env.reset(seed=0)
    stack.append(env_way("gymwarden", env, n_actions,
                         f"(layers: {','.join(env.layers)})",
                         pid=env.worker_pid))


def async_way(make: Callable[[], Any], n_actions: int, stack: list[Way],
              skipped: list[tuple[str, str]]) -> None:
    try:
        from gymnasium.vector import AsyncVectorEnv
    except ImportError:
        skipped.append(("AsyncVectorEnv(1)", "Gymnasium is not importable"))
        return
    stack.append(vector_way("AsyncVectorEnv(1)", AsyncVectorEnv([make]),
                            n_actions))


# --- 1. Balance-v0 -------------------------------------------------------------


def _make_example(source: str, module: str, cls: str) -> Callable[[], Any]:
    def make() -> Any:
        sys.path[:0] = [source, str(EXAMPLES / "_compat")]
        return getattr(__import__(module, fromlist=[cls]), cls)()

    return make


def forget_example(module: str) -> None:
    """Drop the example's modules, so the next import is a fresh one."""
    for m in [m for m in sys.modules if m.split(".")[0] in
              (module.split(".")[0], "gwexample_compat")]:
        del sys.modules[m]
    del sys.path[:2]


def part_example(steps: int, warmup: int, rounds: int) -> None:
    env_id, manifest, folder, module, cls, n_actions = pick()
    source = EXAMPLES / folder
    print(f"{env_id} (examples/{folder}):")
    ways: list[Way] = []
    skipped: list[tuple[str, str]] = []
    raw = _make_example(str(source), module, cls)()
    forget_example(module)
    raw.reset(seed=0)
    ways.append(env_way("raw in-process", raw, n_actions))
    with tempfile.TemporaryDirectory() as tmp:
        guarded_way(env_id, bench_manifest(env_id, manifest, Path(tmp)),
                    n_actions, ways, skipped)
        async_way(_make_example(str(source), module, cls), n_actions, ways,
                  skipped)
        run_part(ways, skipped, steps, warmup, rounds)


# --- 1b. Customers-v0: the cost of [env.sanitize] ------------------------------


def customers_manifests(folder: Path) -> tuple[Path, Path]:
    """Customers-v0 twice: without its [env.sanitize] tables, and with them
    and a fresh key in folder (never the examples' key)."""
    block = env_block(EXAMPLE_MANIFEST.read_text(), "Customers-v0")
    for old, new in (("customers", EXAMPLES / "customers"),
                     ("_compat", EXAMPLES / "_compat")):
        block = block.replace(f'"{old}"', f'"{new}"')
    block = re.sub(r"(?m)^max_episode_steps = .*$", "", block)
    key = folder / "sanitize.key"
    key.write_bytes(os.urandom(32))
    key.chmod(0o600)
    plain = block[: block.index("[env.sanitize]")]
    policy = re.sub(r'(?m)^key_file = .*$', f'key_file = "{key}"', block)
    paths = (folder / "plain.toml", folder / "policy.toml")
    for path, text in zip(paths, (plain, policy)):
        path.write_text('vetting = "off"\n\n' + text)
    return paths


def part_customers(steps: int, warmup: int, rounds: int) -> None:
    source = EXAMPLES / "customers"
    print("Customers-v0 (examples/customers; info of 8 strings and 2 numbers):")
    ways: list[Way] = []
    skipped: list[tuple[str, str]] = []
    raw = _make_example(str(source), "customers.env", "CustomersEnv")()
    forget_example("customers.env")
    raw.reset(seed=0)
    ways.append(env_way("raw in-process", raw, 3))
    with tempfile.TemporaryDirectory() as tmp:
        plain, policy = customers_manifests(Path(tmp))
        guarded_way("Customers-v0", plain, 3, ways, skipped)
        if ways[-1].name == "gymwarden":
            ways[-1].name = "gymwarden, no [sanitize]"
            guarded_way("Customers-v0", policy, 3, ways, skipped)
            ways[-1].name = "gymwarden, its [sanitize]"
        run_part(ways, skipped, steps, warmup, rounds)


# --- 2. CartPole-v1 ------------------------------------------------------------


def _make_cartpole() -> Any:
    import gymnasium

    return gymnasium.make(CARTPOLE)


def part_cartpole(steps: int, warmup: int, rounds: int, manifest: Path) -> None:
    print(f"{CARTPOLE} (Gymnasium's; ratios against gymnasium.make):")
    ways: list[Way] = []
    skipped: list[tuple[str, str]] = []
    wrapped, bare = _make_cartpole(), _make_cartpole()
    wrapped.reset(seed=0)
    bare.reset(seed=0)
    ways.append(env_way("raw gymnasium.make", wrapped, 2,
                        "(the design's raw step)"))
    ways.append(env_way("raw .unwrapped", bare.unwrapped, 2, close=bare.close))
    guarded_way(CARTPOLE, manifest, 2, ways, skipped)
    async_way(_make_cartpole, 2, ways, skipped)
    run_part(ways, skipped, steps, warmup, rounds)


# --- 3. make -> first reset ------------------------------------------------------

PLAIN_START = (
    "import gymnasium, sys\n"
    "gymnasium.make({id!r}).reset(seed=0)\n"
    "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
)
GUARDED_START = (
    "import gymwarden, sys\n"
    "env = gymwarden.make({id!r}, manifest={manifest!r})\n"
    "env.reset(seed=0)\n"
    "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
)


def start_once(code: str) -> tuple[float, float]:
    """A fresh interpreter running code: seconds until it reports the reset
    done, and until it has exited (for gymwarden: after closing the worker)."""
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=os.environ.copy())
    assert child.stdout is not None
    line = child.stdout.readline()
    t_ready = time.perf_counter()
    child.stdout.read()
    status = child.wait()
    t_exit = time.perf_counter()
    if line.strip() != b"ready" or status != 0:
        raise RuntimeError(f"bench_step: start-up child failed (exit {status})")
    return t_ready - t0, t_exit - t0


def part_start(starts: int, manifest: Path) -> None:
    plain = PLAIN_START.format(id=CARTPOLE)
    guarded = GUARDED_START.format(id=CARTPOLE, manifest=str(manifest))
    runs: dict[str, list[tuple[float, float]]] = {"plain": [], "gymwarden": []}
    print(f"make -> first reset of {CARTPOLE}, fresh interpreters, "
          f"{starts} each, alternated (median, min):")
    start_once(plain)  # warm the page cache for both
    start_once(guarded)
    for _ in range(starts):
        runs["plain"].append(start_once(plain))
        runs["gymwarden"].append(start_once(guarded))
    med: dict[str, tuple[float, float]] = {}
    for name, label in (("plain", "python3 + gymnasium"),
                        ("gymwarden", "python3 + gymwarden")):
        ready = [r for r, _ in runs[name]]
        exits = [e for _, e in runs[name]]
        med[name] = (statistics.median(ready), statistics.median(exits))
        print(f"  {label:<20} to reset {med[name][0] * 1e3:7.1f} ms "
              f"(min {min(ready) * 1e3:6.1f})   to exit "
              f"{med[name][1] * 1e3:7.1f} ms (min {min(exits) * 1e3:6.1f})")
    print(f"  {'ratio':<20} to reset {med['gymwarden'][0] / med['plain'][0]:6.2f}x"
          f"{'':16}to exit {med['gymwarden'][1] / med['plain'][1]:6.2f}x")


# --- main ----------------------------------------------------------------------


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=10,
                    help="round-robin rounds the timed steps are split into")
    ap.add_argument("--starts", type=int, default=7,
                    help="fresh interpreters per way for make -> first reset")
    ap.add_argument("--only", choices=["balance", "customers", "cartpole",
                                       "start"],
                    help="run one part")
    ap.add_argument("--placement", choices=["free", "same", "split"],
                    default="free",
                    help="pin this process and the workers: same CPU, "
                    "CPUs 0 and 1, or leave it to the scheduler")
    args = ap.parse_args()
    global PLACEMENT
    PLACEMENT = args.placement
    if PLACEMENT == "split" and len(os.sched_getaffinity(0)) < 2:
        sys.exit("bench_step: --placement split needs two CPUs")

    print(f"bench_step: {args.steps} timed steps per way (after {args.warmup}) "
          f"in {args.rounds} round-robin rounds, "
          f"python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"{os.cpu_count()} cpus, placement {PLACEMENT}, load {load()}")
    cpus = os.sched_getaffinity(0)
    if args.only in (None, "balance"):
        part_example(args.steps, args.warmup, args.rounds)
        os.sched_setaffinity(0, cpus)
    if args.only in (None, "customers"):
        part_customers(args.steps, args.warmup, args.rounds)
        os.sched_setaffinity(0, cpus)
    if args.only in (None, "cartpole", "start"):
        if not have_gymnasium():
            print(f"{CARTPOLE} and make -> first reset: skipped, Gymnasium is "
                  "not importable (put a Gymnasium source tree on PYTHONPATH)")
        else:
            import gymnasium

            print(f"Gymnasium {gymnasium.__version__} from "
                  f"{Path(gymnasium.__file__).resolve().parent.parent}")
            with tempfile.TemporaryDirectory() as tmp:
                manifest = cartpole_manifest(Path(tmp))
                if args.only in (None, "cartpole"):
                    part_cartpole(args.steps, args.warmup, args.rounds,
                                  manifest)
                    os.sched_setaffinity(0, cpus)
                if args.only in (None, "start"):
                    part_start(args.starts, manifest)
    print(f"load at the end {load()}")


if __name__ == "__main__":
    main()
