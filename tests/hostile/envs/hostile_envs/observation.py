"""Observations that break the pinned Box(float32, (3,)) once, at step 3."""

from __future__ import annotations

import numpy as np

from gwexample_compat import spaces
from hostile_envs.base import CalmEnv


class NanObsEnv(CalmEnv):
    """Element 1 of the third observation is NaN."""

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        obs = obs.copy()
        obs[1] = np.nan
        return obs, reward, terminated, truncated, info


class WrongShapeEnv(CalmEnv):
    """The third observation has shape (4,) instead of (3,)."""

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        return np.append(obs, np.float32(0.0)), reward, terminated, truncated, info


class HugeShapeEnv(CalmEnv):
    """The third observation is a (2048, 2048) uint8 image for a Box of
    (3,): too large for the shared slot, so it travels as its shape only."""

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        return np.zeros((2048, 2048), np.uint8), reward, terminated, truncated, info


class DtypeDriftEnv(CalmEnv):
    """The third observation is float64 in a float32 Box with infinite bounds.

    lossy=False: values float32 holds exactly, so a cast changes nothing.
    lossy=True: 1e40, which float32 cannot hold (it would become inf, and
    inf is inside these bounds, so only the cast check can catch it).
    """

    def __init__(self, lossy: bool = False) -> None:
        super().__init__()
        self.lossy = bool(lossy)
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(3,), dtype=np.float32
        )

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        drifted = obs.astype(np.float64)
        if self.lossy:
            drifted[0] = 1e40
        return drifted, reward, terminated, truncated, info


class Opaque:
    """Not an array, not a number, no array protocol."""

    def __init__(self) -> None:
        self.payload = [1.0, 2.0, 3.0]


class NotArrayEnv(CalmEnv):
    """The third observation is an instance of a plain class."""

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        return Opaque(), reward, terminated, truncated, info


class OutOfBoundsEnv(CalmEnv):
    """The third observation has 1e30 in a Box bounded by -10..10."""

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        obs = obs.copy()
        obs[2] = np.float32(1e30)
        return obs, reward, terminated, truncated, info
