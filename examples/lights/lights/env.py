"""Press a light to toggle it and its four neighbours; switch all off.

Observation: MultiBinary([5, 5]), 1 where a light is on. Action:
Discrete(25), the cell to press, row by row. Reward -0.1 per press and
+10 when the board goes dark, which ends the episode. A board is made by
pressing 3 to 8 random cells of a dark board, so it is always solvable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

SIDE = 5


class LightsEnv(Env):
    """Lights out, with a binary grid as observation (Gymnasium API)."""

    metadata = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = spaces.MultiBinary([SIDE, SIDE])
        self.action_space = spaces.Discrete(SIDE * SIDE)
        self._board = np.zeros((SIDE, SIDE), dtype=np.int8)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._board = np.zeros((SIDE, SIDE), dtype=np.int8)
        while not self._board.any():
            presses = int(self.np_random.integers(3, 9))
            for cell in self.np_random.choice(SIDE * SIDE, presses, replace=False):
                self._press(int(cell))
        return self._board.copy(), {"lit": int(self._board.sum())}

    def step(
        self, action: Any
    ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        self._press(int(action))
        dark = not self._board.any()
        reward = 10.0 if dark else -0.1
        return self._board.copy(), reward, dark, False, {"lit": int(self._board.sum())}

    def _press(self, cell: int) -> None:
        row, col = divmod(cell, SIDE)
        for dr, dc in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)):
            r, c = row + dr, col + dc
            if 0 <= r < SIDE and 0 <= c < SIDE:
                self._board[r, c] ^= 1
