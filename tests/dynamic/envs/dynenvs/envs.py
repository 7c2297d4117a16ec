"""Environments for tests/dynamic/test_fuzz.py, each hiding one behaviour
that only running it shows. All are Discrete(8) / Box(float32, (3,), -10..10)
environments whose observation after step k is [k % 8, 0.5, action] and
whose episodes end after EPISODE steps unless a class says otherwise.
"""

from __future__ import annotations

import random
import socket
import time
from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

EPISODE = 500
# LateConnectEnv's step of each episode that tries the network.
CONNECT_STEP = 301
# SeedHangEnv's reset never returns for this seed.
HANG_SEED = 13
# PasswdEnv reads /etc/passwd when this action arrives.
PASSWD_ACTION = 7
# LeakEnv keeps this many bytes more on every step.
LEAK_BYTES = 16 * 1024


class QuietEnv(Env):
    """Deterministic and well behaved: the control."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = spaces.Box(-10.0, 10.0, shape=(3,),
                                            dtype=np.float32)
        self.action_space = spaces.Discrete(8)
        self.t = 0
        self.rng = np.random.default_rng(0)

    def reset(self, *, seed: int | None = None, options: Any = None):
        super().reset(seed=seed)
        self.rng = np.random.default_rng(seed)
        self.t = 0
        return self.observe(0), {}

    def observe(self, action: int) -> np.ndarray:
        noise = float(self.rng.uniform(0.0, 1.0))
        return np.array([self.t % 8, noise, action], dtype=np.float32)

    def step(self, action: Any):
        self.t += 1
        self.act(int(action))
        return self.observe(int(action)), 1.0, self.t >= EPISODE, False, {}

    def act(self, action: int) -> None:
        pass


class LateConnectEnv(QuietEnv):
    """Tries a TCP connection at step CONNECT_STEP of an episode."""

    def act(self, action: int) -> None:
        if self.t != CONNECT_STEP:
            return
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.settimeout(0.2)
                s.connect(("127.0.0.1", 9))
        except OSError:
            pass


class SeedHangEnv(QuietEnv):
    """reset(seed=HANG_SEED) never returns."""

    def reset(self, *, seed: int | None = None, options: Any = None):
        if seed == HANG_SEED:
            while True:
                time.sleep(1)
        return super().reset(seed=seed, options=options)


class LeakEnv(QuietEnv):
    """Keeps LEAK_BYTES more of memory on every step, forever."""

    hoard: list[bytes] = []

    def act(self, action: int) -> None:
        LeakEnv.hoard.append(bytes(range(256)) * (LEAK_BYTES // 256))


class NondetEnv(QuietEnv):
    """Seeds its reset, but every step draws from an unseeded generator."""

    def __init__(self) -> None:
        super().__init__()
        self.loose = random.Random()

    def observe(self, action: int) -> np.ndarray:
        obs = super().observe(action)
        if self.t:
            obs[1] = self.loose.random()
        return obs


class PasswdEnv(QuietEnv):
    """Reads /etc/passwd when action PASSWD_ACTION arrives."""

    def act(self, action: int) -> None:
        if action != PASSWD_ACTION:
            return
        try:
            with open("/etc/passwd") as f:
                f.read()
        except OSError:
            pass


class OptionsEnv(QuietEnv):
    """Takes a difficulty option; raises on the hard one."""

    def reset(self, *, seed: int | None = None, options: Any = None):
        if (options or {}).get("level") == 3:
            raise ValueError("level 3 is not implemented")
        return super().reset(seed=seed, options=options)


# NanEnv's observation is all NaN at this step of each episode.
NAN_STEP = 10
# SegvEnv dies by SIGSEGV at this step of an episode.
SEGV_STEP = 5


class NanEnv(QuietEnv):
    """Returns an all-NaN observation at step NAN_STEP."""

    def observe(self, action: int) -> np.ndarray:
        obs = super().observe(action)
        if self.t == NAN_STEP:
            obs[:] = np.nan
        return obs


class SegvEnv(QuietEnv):
    """Reads address 0 at step SEGV_STEP: the worker dies by SIGSEGV."""

    def act(self, action: int) -> None:
        if self.t == SEGV_STEP:
            import ctypes

            ctypes.string_at(0)


# FloodEnv's lines of output per step.
FLOOD_LINES = 20


class FloodEnv(QuietEnv):
    """Prints FLOOD_LINES lines on every step."""

    def act(self, action: int) -> None:
        for i in range(FLOOD_LINES):
            print(f"flood {self.t} {i}")


# SelfLimitEnv truncates its own episodes at this step.
SELF_LIMIT = 150


class SelfLimitEnv(QuietEnv):
    """Sets its own time limit: truncated at step SELF_LIMIT."""

    def step(self, action: Any):
        obs, reward, terminated, _, info = super().step(action)
        return obs, reward, terminated, self.t >= SELF_LIMIT, info
