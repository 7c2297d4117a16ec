"""A 6 x 6 room with three keys and a vault door in the far corner.

Observation: Dict with (in Gymnasium's sorted key order)
  door_open  Discrete(2)
  energy     Box(float32, (1,), 0..1), what is left of the battery
  keys       MultiBinary(3), the keys carried
  position   Box(int64, (2,), 0..5), row and column
Action: Discrete(5): 0 up, 1 down, 2 left, 3 right, 4 open the door
(works on the door's cell with all three keys). Each action uses 1 % of
the battery. Reward -0.01 per action, +0.1 per key picked up, +1 for
opening the door, which ends the episode, as does an empty battery.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

SIDE = 6
KEYS = 3
BATTERY = 100
DOOR = (SIDE - 1, SIDE - 1)
_MOVES = ((-1, 0), (1, 0), (0, -1), (0, 1))
OPEN = 4


class VaultEnv(Env):
    """A small grid task with a Dict observation (Gymnasium API)."""

    metadata = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = spaces.Dict(
            {
                "position": spaces.Box(0, SIDE - 1, shape=(2,), dtype=np.int64),
                "keys": spaces.MultiBinary(KEYS),
                "energy": spaces.Box(0.0, 1.0, shape=(1,), dtype=np.float32),
                "door_open": spaces.Discrete(2),
            }
        )
        self.action_space = spaces.Discrete(len(_MOVES) + 1)
        self._pos = (0, 0)
        self._key_cells: list[tuple[int, int]] = []
        self._carried = np.zeros(KEYS, dtype=np.int8)
        self._battery = BATTERY
        self._open = 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        free = [
            (r, c)
            for r in range(SIDE)
            for c in range(SIDE)
            if (r, c) not in ((0, 0), DOOR)
        ]
        picks = self.np_random.choice(len(free), KEYS, replace=False)
        self._key_cells = [free[int(i)] for i in picks]
        self._pos = (0, 0)
        self._carried = np.zeros(KEYS, dtype=np.int8)
        self._battery = BATTERY
        self._open = 0
        return self._observe(), {"keys_at": [list(k) for k in self._key_cells]}

    def step(
        self, action: Any
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        action = int(action)
        reward = -0.01
        self._battery = max(self._battery - 1, 0)
        if action == OPEN:
            if self._pos == DOOR and self._carried.all():
                self._open = 1
                reward += 1.0
        else:
            dr, dc = _MOVES[action]
            row = min(max(self._pos[0] + dr, 0), SIDE - 1)
            col = min(max(self._pos[1] + dc, 0), SIDE - 1)
            self._pos = (row, col)
            for i, cell in enumerate(self._key_cells):
                if cell == self._pos and not self._carried[i]:
                    self._carried[i] = 1
                    reward += 0.1
        terminated = bool(self._open) or self._battery == 0
        return self._observe(), reward, terminated, False, {}

    def _observe(self) -> dict[str, Any]:
        energy = np.array([self._battery / BATTERY], dtype=np.float32)
        return {
            "door_open": self._open,
            "energy": energy,
            "keys": self._carried.copy(),
            "position": np.array(self._pos, dtype=np.int64),
        }
