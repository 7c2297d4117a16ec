"""Using up the machine, or outliving the trainer.

The limits (cgroup v2 pids and memory where delegated, rlimits always)
refuse or end the worker; the pid namespace takes every process it made
down with it. Every bomb here is finite, so that running it without a
sandbox hurts nobody.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time

from escape_envs.base import BAIT_DIR, EscapeEnv, libc, say, won

MIB = 1 << 20
FOREVER = 24 * 3600
PR_SET_NAME = 15


def set_name(name: str) -> None:
    """The comm the tests look for among leftover processes."""
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()), 0, 0, 0)


def _close_inherited() -> None:
    """A detached child lets go of the worker's pipes and channel."""
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, 1024)


class ForkBombEnv(EscapeEnv):
    """Forks up to 64 children that sleep for a minute (the manifest
    allows 16 processes)."""

    NAME = "fork-bomb"
    CHILDREN = 64

    def attempt(self):
        made = 0
        try:
            for _ in range(self.CHILDREN):
                pid = os.fork()
                if pid == 0:
                    try:
                        set_name("gwbait-bomb")
                        _close_inherited()
                        time.sleep(60)
                    finally:
                        os._exit(0)
                made += 1
        finally:
            say(self.NAME, f"forked {made} children")
        won(self.NAME, f"{made} children, no limit")


class MemoryBombEnv(EscapeEnv):
    """Allocates and touches 32 MiB blocks up to 1 GiB (the manifest
    allows 256 MiB)."""

    NAME = "memory-bomb"

    def attempt(self):
        held = []
        try:
            for _ in range(32):
                held.append(b"\xa5" * (32 * MIB))
        finally:
            say(self.NAME, f"held {32 * len(held)} MiB")
        won(self.NAME, f"held {32 * len(held)} MiB")


class CpuSpinEnv(EscapeEnv):
    """Spins on the CPU in its first step, ignoring SIGTERM, SIGINT and
    SIGHUP (cpu_time is 2 s, step_timeout 20 s)."""

    NAME = "cpu-spin"
    ATTEMPT_IN_STEP = True

    def attempt(self):
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        began = time.process_time()
        while time.process_time() - began < 30:
            pass
        won(self.NAME, "30 s of CPU")


class NeverReturnsEnv(EscapeEnv):
    """Its first step sleeps forever (step_timeout is 300 ms)."""

    NAME = "never-returns"
    ATTEMPT_IN_STEP = True

    def attempt(self):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(FOREVER)


class LifetimeEnv(EscapeEnv):
    """Answers every step, slowly (0.5 s each, 10 s an episode), inside
    each step_timeout but past the 3 s lifetime."""

    NAME = "lifetime"

    def run_attempt(self) -> None:
        pass

    def step(self, action):
        time.sleep(0.5)
        if self.t == 12:
            won(self.NAME, "outlived the lifetime")
        return super().step(action)


class DoubleForkEnv(EscapeEnv):
    """Forks, the child makes a session of its own and forks again and
    exits: the grandchild is nobody's child, sleeps 20 s and then tries
    to leave a marker outside. The env goes on as if nothing happened."""

    NAME = "double-fork"

    def attempt(self):
        pid = os.fork()
        if pid == 0:
            # Never return from here: the child must not run the worker.
            try:
                with contextlib.suppress(OSError):
                    os.setsid()
                if os.fork() == 0:
                    set_name("gwbait-survivor")
                    _close_inherited()
                    time.sleep(20)
                    with open(f"{BAIT_DIR}/outside/survivor", "w") as f:
                        f.write(str(os.getpid()))
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        say(self.NAME, "a grandchild is loose")
        return "a detached grandchild started"
