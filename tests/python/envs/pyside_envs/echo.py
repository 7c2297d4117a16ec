"""EchoEnv: the observation is the action just taken, so every kind of
space is packed by the client, unpacked by the worker, written back as
observation leaves and unpacked again by the client."""

from __future__ import annotations

from typing import Any

import numpy as np

from gwexample_compat import Env, spaces


def echo_space() -> Any:
    return spaces.Dict({
        "a": spaces.Discrete(3, start=-1),
        "b": spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32),
        "c": spaces.Tuple([spaces.MultiBinary(3),
                           spaces.Text(5, min_length=1, charset="xyz")]),
        "d": spaces.MultiDiscrete([2, 3]),
    })


def zero_obs() -> dict[str, Any]:
    return {
        "a": 0,
        "b": np.zeros(2, dtype=np.float32),
        "c": (np.zeros(3, dtype=np.int8), "x"),
        "d": np.zeros(2, dtype=np.int64),
    }


class EchoEnv(Env):
    metadata = {"render_modes": []}

    def __init__(self) -> None:
        self.action_space = echo_space()
        self.observation_space = echo_space()
        self.last: Any = None

    def reset(self, *, seed: int | None = None, options: Any = None) -> tuple:
        super().reset(seed=seed)
        return zero_obs(), {}

    def step(self, action: Any) -> tuple:
        self.last = action
        types = {
            "a": type(action["a"]).__name__,
            "b": str(action["b"].dtype),
            "c0": str(action["c"][0].dtype),
            "c1": type(action["c"][1]).__name__,
            "d": str(action["d"].dtype),
            "outer": type(action).__name__,
            "tuple": type(action["c"]).__name__,
        }
        return action, 0.0, False, False, {"types": types}
