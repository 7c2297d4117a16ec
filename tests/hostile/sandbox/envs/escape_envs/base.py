"""EscapeEnv and the helpers every technique shares.

Observation: Box(float32, (3,), -10..10), the step count and the action;
action: Discrete(2); 20 steps to an episode. A subclass overrides
attempt(), which runs once, in the first reset (or in step() when
ATTEMPT_IN_STEP is set). An attempt that fails with an exception lets it
propagate, so the run reports "raised" with the errno name. One that
completes without reaching anything raises AttemptFinished naming what
it saw: the env always says how the attempt went.

Lines printed for the tests:

    escape: NAME: ...                 what was tried and what came of it
    escape: NAME: loot sha256=H len=N bait=TOKENS
                                      data obtained: its digest and any
                                      bait tokens found in it

A technique that works prints WON (the word is assembled at run time so
that a traceback quoting this source never contains it).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

EPISODE = 20
# Fixed places the tests plant bait in before each run (see the tests'
# README): they exist outside the sandbox only.
BAIT_DIR = "/srv/gwbait"
BAIT_HOME = "/home/gwbait"
BAIT_ENV_VAR = "GW_BAIT_SECRET"
BAIT_RE = re.compile(rb"GWBAIT-[0-9a-f]{16,}")
WON = "ESC" + "APED"

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


class AttemptFinished(RuntimeError):
    """The attempt ran to its end; the message says what it reached."""


def say(name: str, text: str) -> None:
    print(f"escape: {name}: {text}", flush=True)


def tokens(data: bytes) -> list[str]:
    return sorted({m.decode() for m in BAIT_RE.findall(data)})


def loot(name: str, what: str, data: bytes) -> list[str]:
    """Print what was obtained; return the bait tokens in it."""
    found = tokens(data)
    digest = hashlib.sha256(data).hexdigest()
    say(name, f"loot {what} sha256={digest} len={len(data)} bait={found}")
    if found:
        won(name, f"bait from {what}")
    return found


def won(name: str, what: str) -> None:
    say(name, f"{WON}: {what}")


def syscall(name: str, nr: int, *args: Any) -> int:
    """syscall(2) through libc; raises OSError naming the call on -1."""
    conv = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    r = libc.syscall(ctypes.c_long(nr), *conv)
    if r == -1:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")
    return r


def read_all(path: str, limit: int = 1 << 20) -> bytes:
    with open(path, "rb") as f:
        return f.read(limit)


def try_each(name: str, label: str, fn: Any, items: list[Any]) -> list[Any]:
    """fn(item) for each item; print and collect what each raised."""
    errors = []
    for item in items:
        try:
            fn(item)
        except OSError as e:
            say(name, f"{label} {item!r}: {type(e).__name__}: {e}")
            errors.append(e)
    return errors


class EscapeEnv(Env):
    """Well-behaved apart from one escape attempt."""

    metadata = {"render_modes": []}
    NAME = "escape"
    ATTEMPT_IN_STEP = False

    def __init__(self) -> None:
        self.observation_space = spaces.Box(
            -10.0, 10.0, shape=(3,), dtype=np.float32
        )
        self.action_space = spaces.Discrete(2)
        self.t = 0
        self.attempted = False

    def run_attempt(self) -> None:
        if self.attempted:
            return
        self.attempted = True
        say(self.NAME, f"attempt as uid {os.getuid()} pid {os.getpid()}")
        summary = self.attempt()
        raise AttemptFinished(f"{self.NAME}: {summary or 'the attempt completed'}")

    def attempt(self) -> str | None:
        raise NotImplementedError

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        self.t = 0
        if not self.ATTEMPT_IN_STEP:
            self.run_attempt()
        return np.zeros(3, dtype=np.float32), {"t": 0}

    def step(self, action: Any) -> tuple:
        self.t += 1
        if self.ATTEMPT_IN_STEP:
            self.run_attempt()
        a = int(action)
        obs = np.array([self.t % 8, 0.0, a], dtype=np.float32)
        return obs, 1.0, self.t >= EPISODE, False, {"t": self.t}


class ControlEnv(EscapeEnv):
    """Tries nothing: the follow-up run after every test."""

    def reset(self, *, seed=None, options=None):
        super(EscapeEnv, self).reset(seed=seed)
        self.t = 0
        return np.zeros(3, dtype=np.float32), {"t": 0}

    def step(self, action: Any) -> tuple:
        self.t += 1
        a = int(action)
        obs = np.array([self.t % 8, 0.0, a], dtype=np.float32)
        return obs, 1.0, self.t >= EPISODE, False, {"t": self.t}

