"""A 16x16 RGB picture with a red 2x2 marker and a green 2x2 target.

Observation: Box(uint8, (16, 16, 3), 0..255), a whole image every step,
on a dark blue background with a faint checker pattern. Action:
Discrete(5): 0 stay, 1 up, 2 down, 3 left, 4 right, one pixel each; the
marker stops at the edges. Reward -0.01 per step and +1.0 when the marker
covers the target exactly, which ends the episode.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

SIZE = 16
MARK = 2
_MOVES = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1))
_BACKGROUND = np.array([10, 20, 60], dtype=np.uint8)
_CHECKER = np.array([6, 6, 6], dtype=np.uint8)
_RED = np.array([230, 40, 40], dtype=np.uint8)
_GREEN = np.array([40, 210, 90], dtype=np.uint8)


def _background() -> np.ndarray:
    img = np.empty((SIZE, SIZE, 3), dtype=np.uint8)
    img[:] = _BACKGROUND
    rows, cols = np.indices((SIZE, SIZE))
    img[(rows // 4 + cols // 4) % 2 == 1] += _CHECKER
    return img


class PixelsEnv(Env):
    """Move a marker onto a target, seen only as pixels (Gymnasium API)."""

    metadata = {"render_modes": ["rgb_array"]}

    def __init__(self, render_mode: str | None = None) -> None:
        self.render_mode = render_mode
        self.observation_space = spaces.Box(
            0, 255, shape=(SIZE, SIZE, 3), dtype=np.uint8
        )
        self.action_space = spaces.Discrete(len(_MOVES))
        self._background = _background()
        self._marker = (0, 0)
        self._target = (0, 0)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        top = SIZE - MARK + 1
        self._marker = tuple(int(v) for v in self.np_random.integers(top, size=2))
        self._target = self._marker
        while self._target == self._marker:
            self._target = tuple(
                int(v) for v in self.np_random.integers(top, size=2)
            )
        return self._draw(), {"distance": self._distance()}

    def step(
        self, action: Any
    ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        dr, dc = _MOVES[int(action)]
        row = min(max(self._marker[0] + dr, 0), SIZE - MARK)
        col = min(max(self._marker[1] + dc, 0), SIZE - MARK)
        self._marker = (row, col)
        reached = self._marker == self._target
        reward = 1.0 if reached else -0.01
        return self._draw(), reward, reached, False, {"distance": self._distance()}

    def render(self) -> np.ndarray | None:
        return self._draw() if self.render_mode == "rgb_array" else None

    def _distance(self) -> int:
        return abs(self._marker[0] - self._target[0]) + abs(
            self._marker[1] - self._target[1]
        )

    def _draw(self) -> np.ndarray:
        img = self._background.copy()
        tr, tc = self._target
        img[tr : tr + MARK, tc : tc + MARK] = _GREEN
        mr, mc = self._marker
        img[mr : mr + MARK, mc : mc + MARK] = _RED
        return img
