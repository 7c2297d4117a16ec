"""The gymwarden worker: hosts one environment inside the sandbox.

The launcher runs it as ``python3 -I -S worker.py --source DIR [--path DIR]...
--package DIR`` with the control socket at fd 3, stdin on /dev/null and
stdout/stderr as pipes into the monitor's log. The protocol (docs/protocol.md)
runs over fd 3 and the shared region only, so whatever the environment prints
cannot disturb it.

``sys.path`` is built from the standard library (all that ``-I -S`` leaves),
the environment's source folder and its dependency paths, nothing else: the
trainer's site-packages never appear. numpy, which this worker needs for
itself, is loaded by file path from the interpreter's own installation when no
dependency path provides it, and so is this package's ``_native`` helper.

The monitor does not trust this process. The code here only has to be right
for environments that behave; everything it sends is checked on the other side.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import traceback
from types import ModuleType
from typing import Any

# Request types (docs/protocol.md).
RESET, STEP, CLOSE = 3, 4, 5
# FAIL phases.
CONSTRUCT, PHASE_RESET, PHASE_STEP, PHASE_CLOSE, PROTOCOL = range(5)
# Exit statuses: 0 after CLOSE, these otherwise.
EXIT_USAGE = 64
EXIT_PROTOCOL = 65
EXIT_CONSTRUCT = 66

FAIL_TEXT_MAX_BYTES = 16 * 1024

DTYPE_CODES = {
    "bool": 1, "int8": 2, "int16": 3, "int32": 4, "int64": 5, "uint8": 6,
    "uint16": 7, "uint32": 8, "uint64": 9, "float16": 10, "float32": 11,
    "float64": 12, "utf8": 0,
}
ALPHANUMERIC = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)


# --- start-up -----------------------------------------------------------


def parse_args(argv: list[str]) -> dict[str, Any]:
    """--source DIR, --path DIR (repeated), --package DIR."""
    args: dict[str, Any] = {"source": None, "paths": [], "package": None}
    i = 0
    while i < len(argv):
        flag = argv[i]
        if flag not in ("--source", "--path", "--package") or i + 1 >= len(argv):
            raise SystemExit(f"gymwarden worker: bad argument {flag!r}")
        value = argv[i + 1]
        if flag == "--path":
            args["paths"].append(value)
        else:
            args[flag[2:]] = value
        i += 2
    if args["source"] is None:
        raise SystemExit("gymwarden worker: --source is required")
    return args


def load_by_path(name: str, path: str, package_dir: str | None = None) -> ModuleType:
    """Import the module (or package, with package_dir) at path, and only it."""
    locations = [package_dir] if package_dir else None
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=locations
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {name} from {path}")
    module = importlib.util.module_from_spec(spec)
    if package_dir:
        sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_native() -> ModuleType:
    """This package's extension, from the folder this file is in."""
    here = os.path.dirname(os.path.abspath(__file__))
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    for entry in sorted(os.listdir(here)):
        if entry.startswith("_native.") and any(entry.endswith(s) for s in suffixes):
            return load_by_path("gymwarden._native", os.path.join(here, entry))
    raise ImportError(f"gymwarden worker: no _native extension in {here}")


def interpreter_site_dirs() -> list[str]:
    """The interpreter's own site folders (not a virtual environment's)."""
    import site  # importing it under -S does not run site.main()

    return [d for d in site.getsitepackages([sys.base_prefix]) if os.path.isdir(d)]


def load_numpy() -> None:
    """Make numpy importable without putting its whole folder on sys.path."""
    try:
        import numpy  # noqa: F401  (a dependency path provides it)

        return
    except ImportError:
        pass
    for folder in interpreter_site_dirs():
        init = os.path.join(folder, "numpy", "__init__.py")
        if os.path.isfile(init):
            load_by_path("numpy", init, os.path.dirname(init))
            return
    raise ImportError("gymwarden worker: numpy is not installed for " + sys.executable)


def set_sys_path(args: dict[str, Any]) -> list[str]:
    """The standard library, then the source, then the dependency paths."""
    extra = [args["source"], *args["paths"]]
    sys.path[:] = [p for p in sys.path if p] + extra
    return extra


# --- the layouts HELLO carries --------------------------------------------


def layout_tree(nodes: list[dict[str, Any]]) -> tuple:
    """HELLO's pre-order node table as the nested tuples _native takes:
    (kind, offset, size, dtype code, shape, nelem, [(key, child), ...])."""
    pos = 0

    def take() -> tuple:
        nonlocal pos
        node = nodes[pos]
        pos += 1
        if node["type"] in ("Tuple", "Dict"):
            children = []
            for _ in range(node["children"]):
                key = nodes[pos].get("key")
                children.append((key, take()))
            return (node["type"], node["offset"], node["size"], 0, (), 0, children)
        shape = tuple(int(d) for d in node.get("shape", ()))
        code = DTYPE_CODES[node.get("dtype", "utf8")]
        return (node["type"], node["offset"], node["size"], code, shape,
                node["nelem"], [])

    tree = take()
    if pos != len(nodes):
        raise ValueError("layout table has nodes left over")
    return tree


# --- describing the environment's spaces ---------------------------------


def _kind(space: Any) -> str:
    # Stand-in classes are often named "_Box" and the like.
    names = {c.__name__.lstrip("_") for c in type(space).__mro__}
    for kind in ("Box", "Discrete", "MultiDiscrete", "MultiBinary", "Tuple",
                 "Dict", "Text"):
        if kind in names:
            return kind
    return type(space).__name__.lstrip("_")


def _bound(x: Any, dtype: Any) -> Any:
    if dtype.kind == "b":
        return bool(x)
    if dtype.kind == "f":
        f = float(x)
        if f != f or f in (float("inf"), float("-inf")):
            return "nan" if f != f else ("inf" if f > 0 else "-inf")
        return f
    i = int(x)
    return str(i) if i > (1 << 63) - 1 else i


def _bounds(values: Any, dtype: Any) -> Any:
    import numpy as np

    arr = np.asarray(values, dtype=dtype)
    flat = arr.reshape(-1)
    if arr.ndim == 0 or (flat.size and bool(np.all(flat == flat[0]))):
        return _bound(flat[0], dtype) if flat.size else 0
    return _nested(arr, dtype)


def _nested(arr: Any, dtype: Any) -> Any:
    if arr.ndim == 0:
        return _bound(arr, dtype)
    return [_nested(a, dtype) for a in arr]


def describe(space: Any) -> dict[str, Any]:
    """A space object as the value tree SPEC carries (docs/manifest.md)."""
    import numpy as np

    kind = _kind(space)
    if kind == "Box":
        dtype = np.dtype(space.dtype)
        low, high = _bounds(space.low, dtype), _bounds(space.high, dtype)
        if isinstance(low, list) != isinstance(high, list):
            low = _nested(np.broadcast_to(np.asarray(space.low, dtype),
                                          space.shape), dtype)
            high = _nested(np.broadcast_to(np.asarray(space.high, dtype),
                                           space.shape), dtype)
        return {"type": "Box", "dtype": dtype.name, "shape": list(space.shape),
                "low": low, "high": high}
    if kind == "Discrete":
        return {"type": "Discrete", "n": int(space.n),
                "start": int(getattr(space, "start", 0))}
    if kind == "MultiDiscrete":
        nvec = np.asarray(space.nvec)
        start = np.asarray(getattr(space, "start", np.zeros_like(nvec)))
        return {"type": "MultiDiscrete", "shape": list(nvec.shape),
                "nvec": nvec.tolist(), "start": start.tolist()}
    if kind == "MultiBinary":
        return {"type": "MultiBinary", "shape": list(space.shape)}
    if kind == "Tuple":
        return {"type": "Tuple", "spaces": [describe(s) for s in space.spaces]}
    if kind == "Dict":
        return {"type": "Dict",
                "spaces": {k: describe(s) for k, s in space.spaces.items()}}
    if kind == "Text":
        chars = getattr(space, "characters", None) or getattr(space, "charset", "")
        charset = None if frozenset(chars) == ALPHANUMERIC else "".join(sorted(chars))
        return {"type": "Text", "min_length": int(space.min_length),
                "max_length": int(space.max_length), "charset": charset}
    return {"type": kind}


def spec_of(env: Any) -> dict[str, Any]:
    spec = getattr(env, "spec", None)
    env_id = getattr(spec, "id", None)
    return {
        "action_space": describe(env.action_space),
        "observation_space": describe(env.observation_space),
        "spec": env_id if isinstance(env_id, str) else None,
    }


# --- running the environment ----------------------------------------------


def failure_text() -> bytes:
    """The current exception's type and message, then its traceback without
    this file's frames, bounded to FAIL_TEXT_MAX_BYTES (head and tail kept)."""
    exc = sys.exc_info()[1]
    try:
        tb = exc.__traceback__ if exc is not None else None
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        head = "".join(traceback.format_exception_only(type(exc), exc))
        body = "".join(traceback.format_exception(type(exc), exc, tb))
        text = head + body
    except Exception:  # the exception's own __str__ may raise
        text = f"{type(exc).__name__} (its text could not be read)\n"
    raw = text.encode("utf-8", "replace")
    if len(raw) <= FAIL_TEXT_MAX_BYTES:
        return raw
    head_raw = head.encode("utf-8", "replace")[: FAIL_TEXT_MAX_BYTES // 4]
    cut = b"...\n"
    return head_raw + cut + raw[-(FAIL_TEXT_MAX_BYTES - len(head_raw) - len(cut)):]


def construct(hello: dict[str, Any]) -> Any:
    module_name, _, attr = hello["entry_point"].partition(":")
    module = importlib.import_module(module_name)
    target = module
    for part in attr.split("."):
        target = getattr(target, part)
    return target(**(hello.get("kwargs") or {}))


def do_reset(env: Any, api: str, seed: int | None, options: Any) -> tuple[Any, Any]:
    if api == "gym":
        if seed is not None and callable(getattr(env, "seed", None)):
            env.seed(seed)
        return env.reset(), {}
    out = env.reset(seed=seed, options=options)
    if isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict):
        return out
    return out, {}


def do_step(env: Any, api: str, action: Any) -> tuple:
    return step_result(env.step(action), api)


def step_result(out: Any, api: str) -> tuple:
    """What step() returned as the five values RESULT carries."""
    if not isinstance(out, tuple):
        raise TypeError(f"step() returned {type(out).__name__}, not a tuple")
    if len(out) == 5:
        return out
    if len(out) == 4 and api == "gym":
        obs, reward, done, info = out
        return obs, reward, done, False, info
    raise TypeError(f"step() returned {len(out)} values, expected "
                    f"{'4' if api == 'gym' else '5'}")


def serve(w: Any, env: Any, api: str) -> int:
    """Answer requests until CLOSE; the exit status."""
    # The step is the hot path: names bound once, and the usual answer
    # (a tuple of five) sent without another call to look at it.
    wait, reply_step, step_kind = w.wait, w.reply_step, STEP
    while True:
        kind, arg = wait()
        if kind == step_kind:
            try:
                out = env.step(arg)
                if isinstance(out, tuple) and len(out) == 5:
                    reply_step(*out)
                else:
                    reply_step(*step_result(out, api))
            except Exception:
                w.fail(PHASE_STEP, failure_text())
        elif kind == RESET:
            try:
                w.reply_reset(*do_reset(env, api, *arg))
            except Exception:
                w.fail(PHASE_RESET, failure_text())
        elif kind == CLOSE:
            try:
                env.close()
            except Exception:
                w.fail(PHASE_CLOSE, failure_text())
                return 0
            w.reply_close()
            return 0
        else:
            w.fail(PROTOCOL, f"unexpected request type {kind}".encode())
            return EXIT_PROTOCOL


def main(argv: list[str]) -> int:
    # Never write bytecode into the env's tree (its digest is approved).
    sys.dont_write_bytecode = True
    args = parse_args(argv)
    native = load_native()
    w = native.Worker(3)
    try:
        hello = w.hello()
    except (ConnectionError, OSError) as e:
        print(f"gymwarden worker: {e}", file=sys.stderr)
        return EXIT_PROTOCOL
    set_sys_path(args)
    try:
        load_numpy()
        native.init_numpy()
        w.set_layouts(layout_tree(hello["action_layout"]),
                      layout_tree(hello["obs_layout"]))
        env = construct(hello)
        spec = spec_of(env)
    except Exception:
        w.fail(CONSTRUCT, failure_text())
        return EXIT_CONSTRUCT
    w.send_spec(spec)
    try:
        return serve(w, env, hello.get("api", "gymnasium"))
    except EOFError:
        return 0
    except (ConnectionError, OSError) as e:
        print(f"gymwarden worker: {e}", file=sys.stderr)
        return EXIT_PROTOCOL


if __name__ == "__main__":
    # Line-buffered output reaches the monitor's log as the env prints it.
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main(sys.argv[1:]))
