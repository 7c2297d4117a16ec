"""ProbeEnv: reports what the worker's interpreter can see."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import numpy as np

from gwexample_compat import Env, spaces


class ProbeEnv(Env):
    metadata = {"render_modes": []}

    def __init__(self, fail: bool = False) -> None:
        if fail:
            raise RuntimeError("constructor refused on purpose")
        self.action_space = spaces.Discrete(2)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(1,), dtype=np.float32)

    def reset(self, *, seed: int | None = None, options: Any = None) -> tuple:
        super().reset(seed=seed)
        found = {name: importlib.util.find_spec(name) is not None
                 for name in ("pytest", "msgpack", "gymwarden", "numpy")}
        info = {"path": list(sys.path), "found": found,
                "numpy": np.__file__, "modules": sorted(sys.modules)}
        return np.zeros(1, dtype=np.float32), info

    def step(self, action: Any) -> tuple:
        print("hello from the env")
        if action == 1:
            raise KeyError("no such thing")
        return np.ones(1, dtype=np.float32), 0.5, True, False, {}
