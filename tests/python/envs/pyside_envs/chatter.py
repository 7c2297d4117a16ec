"""InfoEnv: a Box observation, and an info that carries every kind of data
the bounded MessagePack subset holds. It also prints on every step."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from gwexample_compat import Env, spaces


class InfoEnv(Env):
    metadata = {"render_modes": []}

    def __init__(self, noisy: bool = True) -> None:
        self.action_space = spaces.Discrete(2)
        self.observation_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self.noisy = noisy
        self.t = 0

    def reset(self, *, seed: int | None = None, options: Any = None) -> tuple:
        super().reset(seed=seed)
        self.t = 0
        return np.zeros(2, dtype=np.float32), {"options": options}

    def step(self, action: Any) -> tuple:
        self.t += 1
        if self.noisy:
            print("step", self.t, "GW\x00\x01 frame-looking text")
            print("to stderr", self.t, file=sys.stderr)
        info = {
            "t": self.t,
            "none": None,
            "flag": True,
            "big": 2**64 - 1,
            "neg": -(2**63),
            "ratio": 0.25,
            "name": "caf\u00e9",
            "raw": b"\x00\x01",
            "grid": np.arange(6, dtype=np.int16).reshape(2, 3),
            "scalar": np.float32(1.5),
            "items": [1, "two", [3.0]],
            "nested": {"k": (1, 2)},
        }
        return np.full(2, 0.5, dtype=np.float32), 1, False, False, info


class OldApiEnv:
    """The old Gym API: seed(), reset() -> obs, step() -> 4 values."""

    def __init__(self) -> None:
        self.action_space = spaces.Discrete(2)
        self.observation_space = spaces.Discrete(5)
        self.seeded: int | None = None
        self.t = 0

    def seed(self, seed: int | None = None) -> list[int | None]:
        self.seeded = seed
        return [seed]

    def reset(self) -> int:
        self.t = 0
        return 0 if self.seeded is None else self.seeded % 5

    def step(self, action: Any) -> tuple:
        self.t += 1
        return self.t % 5, float(action), self.t >= 3, {"t": self.t}

    def close(self) -> None:
        pass
