"""Call ten tosses of a biased coin, in the pre-Gymnasium Gym API.

The old API, on purpose: ``seed(s)`` seeds the environment, ``reset()``
takes no arguments and returns the observation alone, and ``step``
returns four values, ``(obs, reward, done, info)``. A manifest runs it
with ``api = "gym"``.

Observation: Discrete(3): 0 before the first toss, 1 heads, 2 tails.
Action: Discrete(2): 0 calls heads, 1 tails. Reward 1 for a right call,
0 otherwise. Each episode draws a new bias between 0.2 and 0.8, so
calling what came up most often pays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gwexample_compat import spaces

TOSSES = 10
HEADS, TAILS = 1, 2


class OldCoinEnv:
    """Coin calling with reset() -> obs and a 4-tuple step (old Gym API)."""

    metadata = {"render.modes": []}
    reward_range = (0.0, 1.0)

    def __init__(self) -> None:
        self.observation_space = spaces.Discrete(3)
        self.action_space = spaces.Discrete(2)
        self._rng = np.random.default_rng()
        self._p_heads = 0.5
        self._tosses = 0

    def seed(self, seed: int | None = None) -> list[int | None]:
        self._rng = np.random.default_rng(seed)
        return [seed]

    def reset(self) -> int:
        self._p_heads = float(self._rng.uniform(0.2, 0.8))
        self._tosses = 0
        return 0

    def step(self, action: Any) -> tuple[int, float, bool, dict[str, Any]]:
        side = HEADS if self._rng.random() < self._p_heads else TAILS
        self._tosses += 1
        called = HEADS if int(action) == 0 else TAILS
        reward = 1.0 if called == side else 0.0
        done = self._tosses >= TOSSES
        return side, reward, done, {"tosses": self._tosses}

    def render(self, mode: str = "human") -> None:
        return None

    def close(self) -> None:
        pass
