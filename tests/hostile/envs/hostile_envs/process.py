"""Faults of the worker process itself: output floods, hangs, crashes."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

import numpy as np

from hostile_envs.base import CalmEnv

MIB = 1 << 20
CHUNK = 64 * 1024
# The first 6 of the 12 bytes of a RESULT frame header: magic "GW",
# version 1, type 6, then half of the seq.
TORN_HEADER = b"\x47\x57\x01\x06\x03\x00"
CONTROL_FD = 3
FOREVER = 24 * 3600


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view[:CHUNK]) :]


def _junk(size: int) -> bytes:
    """Bytes that look like frames, terminal escapes and broken UTF-8."""
    pattern = (
        TORN_HEADER
        + b"\x47\x57\x01\x06\x00\x00\x00\x00\xff\xff\xff\x7f"
        + b"\x1b[2J\x1b]0;owned\x07\xe2\x80\xae\xff\xfe\x00\r\n"
    )
    return (pattern * (size // len(pattern) + 1))[:size]


class ChattyEnv(CalmEnv):
    """Writes to stdout and stderr at construction and reset, and 8 MiB of
    text and junk at step 3, and otherwise behaves."""

    def __init__(self) -> None:
        super().__init__()
        print("ChattyEnv: constructed", flush=True)
        _write_all(1, _junk(4096))

    def misbehave_reset(self, obs: Any, info: Any) -> tuple[Any, Any]:
        print("ChattyEnv: reset " + "r" * 10_000, flush=True)
        return obs, info

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        line = "chatty step output " * 50 + "\n"
        sys.stdout.write(line * (3 * MIB // len(line)))
        sys.stdout.flush()
        _write_all(1, _junk(3 * MIB))
        _write_all(2, _junk(2 * MIB))
        return obs, reward, terminated, truncated, info


def _ignore_polite_signals() -> None:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        try:
            signal.signal(sig, signal.SIG_IGN)
        except (OSError, ValueError):
            pass


class HangEnv(CalmEnv):
    """Never answers: at step 3 (where="step"), by spinning on the CPU at
    step 3 (where="spin"), or in the second reset (where="reset"). It
    ignores SIGTERM, SIGINT and SIGHUP first, so only SIGKILL ends it."""

    def __init__(self, where: str = "step") -> None:
        super().__init__()
        self.where = where
        self.resets = 0

    def misbehave_reset(self, obs: Any, info: Any) -> tuple[Any, Any]:
        self.resets += 1
        if self.where == "reset" and self.resets == 2:
            _ignore_polite_signals()
            time.sleep(FOREVER)
        return obs, info

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        if self.where == "step":
            _ignore_polite_signals()
            time.sleep(FOREVER)
        elif self.where == "spin":
            _ignore_polite_signals()
            x = 0
            while True:
                x += 1
        return obs, reward, terminated, truncated, info


class TornFrameEnv(CalmEnv):
    """At step 3, sends half a frame header on the control socket (fd 3)
    and exits with status 3 before finishing it."""

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        try:
            os.write(CONTROL_FD, TORN_HEADER)
        except OSError:
            pass
        os._exit(3)


class ExitEnv(CalmEnv):
    """At step 3, leaves at once with os._exit(code): no cleanup, no reply."""

    def __init__(self, code: int = 7) -> None:
        super().__init__()
        self.code = int(code)

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        os._exit(self.code)


class SegfaultEnv(CalmEnv):
    """At step 3, reads unmapped memory through ctypes: SIGSEGV, as a
    broken C extension would. (Address 0 would not do: string_at treats a
    NULL pointer as "allocate", so it reads address 16.)"""

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        import ctypes

        ctypes.string_at(16, 8)
        return obs, reward, terminated, truncated, info


# The message carries a terminal escape, a bidi override and a NUL, which
# must arrive escaped.
RAISE_MESSAGE = "env exploded \x1b[2J\x1b[31mred\u202eevil\x00nul"


def _detonate(t: int) -> np.ndarray:
    raise RuntimeError(f"{RAISE_MESSAGE} at step {t}")


class RaiseEnv(CalmEnv):
    """At step 3, raises RuntimeError from a helper called _detonate."""

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        return _detonate(self.t), reward, terminated, truncated, info
