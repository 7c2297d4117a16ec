"""WriteTreeEnv writes a file beside its own source at step WRITE_STEP of
every episode. It lives in a folder of its own so that a write that gets
through changes no other environment's tree digest."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

WRITE_STEP = 3
DROPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dropped.txt")


class WriteTreeEnv(Env):
    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = spaces.Box(-10.0, 10.0, shape=(3,),
                                            dtype=np.float32)
        self.action_space = spaces.Discrete(8)
        self.t = 0

    def reset(self, *, seed: int | None = None, options: Any = None):
        super().reset(seed=seed)
        self.t = 0
        return np.zeros(3, dtype=np.float32), {}

    def step(self, action: Any):
        self.t += 1
        if self.t == WRITE_STEP:
            try:
                with open(DROPPED, "w") as f:
                    f.write("dropped\n")
            except OSError:
                pass
        obs = np.array([self.t % 8, 0.5, int(action)], dtype=np.float32)
        return obs, 1.0, self.t >= 50, False, {}
