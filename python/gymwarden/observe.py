"""The observe hook of ``gymwarden fuzz``: the worker, with an audit hook.

``gymwarden fuzz`` runs this file in place of ``worker.py`` (same arguments,
same folder). It installs a ``sys.addaudithook`` hook, then runs the worker
unchanged. Once the environment's constructor is called, the hook writes one
line to stderr for each attempt worth knowing about that the sandbox may deny
without a seccomp report of its own: a file opened outside the folders the
sandbox binds or for writing, a socket, connect or name lookup, a program
started, a signal sent, a library loaded. Each line reads

    gymwarden-observe: EVENT step=N reset=R key=value ...

with values percent-encoded. ``reset`` counts the calls of the environment's
``reset`` in this process (0 before the first), ``step`` the calls of its
``step`` since the last one (0 inside ``reset``): the monitor may read a line
some calls after it was written, so the line says when it happened.

This code shares the process with the environment, so what it writes is the
environment's own account: the monitor reports it as such, never as proof.
Each distinct attempt is written once, and at most LINES_MAX lines in all, so
the hook cannot flood the log itself.
"""

from __future__ import annotations

import os
import sys
from typing import Any
from urllib.parse import quote

PREFIX = "gymwarden-observe: "
LINES_MAX = 150
VALUE_MAX = 200
# The monitor keeps 512 bytes of a line.
LINE_MAX = 500
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

_state: dict[str, Any] = {"active": False, "step": 0, "resets": 0, "seen": set(),
                          "lines": 0, "roots": (), "writable": ()}

# Events whose first argument names a path changed on disk.
_PATH_WRITES = ("os.remove", "os.rename", "os.mkdir", "os.rmdir", "os.symlink",
                "os.link", "os.chmod", "os.chown", "os.truncate", "os.utime",
                "shutil.rmtree", "shutil.copyfile", "shutil.move")
_ALWAYS = ("socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo",
           "socket.gethostbyname", "os.exec", "os.posix_spawn", "os.spawn",
           "os.system", "os.fork", "os.forkpty", "subprocess.Popen", "os.kill",
           "os.killpg", "ctypes.dlopen", "pty.spawn", "urllib.Request")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return quote(str(value)[:VALUE_MAX], safe="/:.,-_@[]+=")


def _emit(event: str, **fields: Any) -> None:
    key = (event, tuple(sorted(fields.items())))
    if key in _state["seen"] or _state["lines"] >= LINES_MAX:
        return
    _state["seen"].add(key)
    _state["lines"] += 1
    parts = [PREFIX + event, f"step={_state['step']}",
             f"reset={_state['resets']}"]
    parts += [f"{k}={_text(v)}" for k, v in fields.items()]
    line = " ".join(parts)[:LINE_MAX]
    try:
        os.write(2, (line + "\n").encode("ascii", "replace"))
    except OSError:
        pass


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _on_open(args: tuple) -> None:
    path, mode, flags = (tuple(args) + (None, None, None))[:3]
    if isinstance(path, int) or path is None:
        return
    if isinstance(path, bytes):
        path = path.decode("utf-8", "replace")
    path = os.path.abspath(str(path))
    writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
        isinstance(flags, int) and flags & WRITE_FLAGS != 0)
    if writes and not _under(path, _state["writable"]):
        _emit("open", path=path, mode=mode or "", flags=flags or 0, write=1)
    elif not writes and not _under(path, _state["roots"]):
        _emit("open", path=path, mode=mode or "", flags=flags or 0)


def _named(enum_name: str, value: Any) -> Any:
    """AF_INET for 2: the socket module's name of a constant, if any."""
    try:
        return getattr(sys.modules["socket"], enum_name)(value).name
    except Exception:
        return value


def _on_socket(args: tuple) -> None:
    family = args[1] if len(args) > 1 else None
    if family != getattr(sys.modules.get("socket"), "AF_UNIX", 1):
        kind = args[2] if len(args) > 2 else ""
        _emit("socket.__new__", family=_named("AddressFamily", family),
              type=_named("SocketKind", kind))


def _hook(event: str, args: tuple) -> None:
    if not _state["active"]:
        return
    try:
        if event == "open":
            _on_open(args)
        elif event == "socket.__new__":
            _on_socket(args)
        elif event.startswith(_ALWAYS):
            # The first two plain arguments: a socket object is skipped,
            # an environment mapping of exec or Popen never reached.
            plain = [a for a in args if not hasattr(a, "fileno")][:2]
            _emit(event, args=",".join(str(a)[:VALUE_MAX] for a in plain))
        elif event in ("os.listdir", "os.scandir") and args:
            path = os.path.abspath(os.fsdecode(args[0] or "."))
            if not _under(path, _state["roots"]):
                _emit(event, path=path)
        elif event in _PATH_WRITES and args:
            path = os.path.abspath(os.fsdecode(args[0])) if isinstance(
                args[0], (str, bytes)) else str(args[0])
            if not _under(path, _state["writable"]):
                _emit(event, path=path)
    except Exception:  # the hook must never break the call it watches
        pass


def _counting(env: Any) -> None:
    """Count the env's resets, and its steps since the last one."""
    step, reset = env.step, env.reset

    def counted_step(*a: Any, **k: Any) -> Any:
        _state["step"] += 1
        return step(*a, **k)

    def counted_reset(*a: Any, **k: Any) -> Any:
        _state["step"] = 0
        _state["resets"] += 1
        return reset(*a, **k)

    try:
        env.step, env.reset = counted_step, counted_reset
    except (AttributeError, TypeError):  # __slots__: no step numbers
        pass


def _without_our_frames(failure_text: Any) -> Any:
    """The worker's failure_text, minus the frames of the wrappers above."""

    def text() -> bytes:
        exc = sys.exc_info()[1]
        if exc is not None:
            head, prev, tb = exc.__traceback__, None, exc.__traceback__
            while tb is not None:
                if tb.tb_frame.f_code.co_filename == __file__:
                    if prev is None:
                        head = tb.tb_next
                    else:
                        prev.tb_next = tb.tb_next
                else:
                    prev = tb
                tb = tb.tb_next
            exc.__traceback__ = head
        return failure_text()

    return text


def _roots(argv: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The folders the sandbox binds (read) and the ones it lets env write."""
    read = [sys.base_prefix, sys.prefix, sys.exec_prefix, "/tmp", "/dev/null",
            "/dev/zero", "/dev/urandom", "/dev/random", "/proc/self"]
    for flag, value in zip(argv, argv[1:]):
        if flag in ("--source", "--path", "--package"):
            read.append(os.path.abspath(value))
    return tuple(read), ("/tmp", "/dev/null")


def main(argv: list[str]) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    _state["roots"], _state["writable"] = _roots(argv)
    sys.addaudithook(_hook)
    worker = _load_worker(here)
    construct = worker.construct

    def observed_construct(hello: dict[str, Any]) -> Any:
        _state["active"] = True
        env = construct(hello)
        _counting(env)
        return env

    worker.construct = observed_construct
    worker.failure_text = _without_our_frames(worker.failure_text)
    return worker.main(argv)


def _load_worker(here: str) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gymwarden_worker", os.path.join(here, "worker.py"))
    if spec is None or spec.loader is None:
        raise SystemExit("gymwarden observe: cannot load worker.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main(sys.argv[1:]))
