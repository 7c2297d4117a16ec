"""Environments that behave until step ``bad_step`` and then break once.

Every one is a Discrete(2) / Box(float32, (3,), -10..10) environment whose
observation after step k is [k % 8, 0.5, action] and whose episode ends
after 20 steps; each subclass changes one thing at ``bad_step`` (3 unless
a kwarg says otherwise). test_run.py asserts the step numbers.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

EPISODE = 20


class GoodEnv(Env):
    """Never misbehaves."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, bad_step: int = 3) -> None:
        self.observation_space = spaces.Box(-10.0, 10.0, shape=(3,), dtype=np.float32)
        self.action_space = spaces.Discrete(2)
        self.bad_step = int(bad_step)
        self.t = 0

    def reset(self, *, seed: int | None = None, options: Any = None):
        super().reset(seed=seed)
        self.t = 0
        return np.zeros(3, dtype=np.float32), {}

    def step(self, action: Any):
        self.t += 1
        obs = np.array([self.t % 8, 0.5, int(action)], dtype=np.float32)
        result = (obs, 1.0, self.t >= EPISODE, False, {"t": self.t})
        if self.t == self.bad_step:
            return self.misbehave(*result)
        return result

    def misbehave(self, obs, reward, terminated, truncated, info):
        return obs, reward, terminated, truncated, info


class CrashEnv(GoodEnv):
    """Leaves with os._exit(7) at the bad step, after a line on stderr."""

    def misbehave(self, obs, reward, terminated, truncated, info):
        sys.stderr.write("CrashEnv: about to exit\n")
        sys.stderr.flush()
        os._exit(7)


class HangEnv(GoodEnv):
    """Sleeps for a day at the bad step."""

    def misbehave(self, obs, reward, terminated, truncated, info):
        time.sleep(24 * 3600)
        return obs, reward, terminated, truncated, info


class WrongShapeEnv(GoodEnv):
    """Returns a (4,) observation at the bad step."""

    def misbehave(self, obs, reward, terminated, truncated, info):
        return np.zeros(4, dtype=np.float32), reward, terminated, truncated, info


class NanEnv(GoodEnv):
    """Returns nan in element 1 at the bad step."""

    def misbehave(self, obs, reward, terminated, truncated, info):
        obs = obs.copy()
        obs[1] = np.nan
        return obs, reward, terminated, truncated, info


class FloodEnv(GoodEnv):
    """Prints 4 MiB of lines, escapes and broken UTF-8 at the bad step."""

    def misbehave(self, obs, reward, terminated, truncated, info):
        junk = b"flood \x1b[2J\xe2\x80\xae\xff line\n" * (4 * 1024 * 1024 // 24)
        view = memoryview(junk)
        while view:
            view = view[os.write(1, view[: 1 << 16]):]
        return obs, reward, terminated, truncated, info


class RaiseEnv(GoodEnv):
    """Raises at the bad step."""

    def misbehave(self, obs, reward, terminated, truncated, info):
        raise RuntimeError("runenvs raised \x1b[31m on purpose")


class BadSpecEnv(GoodEnv):
    """Declares a Box of shape (4,) where (3,) is pinned."""

    def __init__(self) -> None:
        super().__init__()
        self.observation_space = spaces.Box(-10.0, 10.0, shape=(4,), dtype=np.float32)


class ConstructRaiseEnv(GoodEnv):
    """Its constructor raises."""

    def __init__(self) -> None:
        raise ValueError("cannot build ConstructRaiseEnv")
