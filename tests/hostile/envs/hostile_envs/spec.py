"""An environment whose declared spaces differ from the pinned ones."""

from __future__ import annotations

import numpy as np

from gwexample_compat import spaces
from hostile_envs.base import CalmEnv


class MismatchEnv(CalmEnv):
    """Declares an observation Box of shape (4,) (which="observation") or
    a Discrete(3) action space (which="action"), where the manifest pins
    Box (3,) and Discrete(2)."""

    def __init__(self, which: str = "observation") -> None:
        super().__init__()
        if which == "observation":
            self.observation_space = spaces.Box(
                -10.0, 10.0, shape=(4,), dtype=np.float32
            )
        else:
            self.action_space = spaces.Discrete(3)
