"""GridWorldEnv: walk from a corner of a square grid to the opposite one.

Written against the Gymnasium API. Gymnasium itself is optional: without
it a minimal stand-in base class and space types are used, so the worker
can host the environment with plain Python and numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    import gymnasium
    from gymnasium import spaces

    _Base = gymnasium.Env
except ImportError:  # pragma: no cover - exercised where gymnasium is absent
    gymnasium = None

    class _Base:  # type: ignore[no-redef]
        """Just enough of gymnasium.Env for this environment."""

        metadata: dict[str, Any] = {}
        np_random: np.random.Generator

        def reset(self, *, seed: int | None = None, options: Any = None):
            if seed is not None or not hasattr(self, "np_random"):
                self.np_random = np.random.default_rng(seed)
            return None

        def close(self) -> None:
            pass

    class _Discrete:
        def __init__(self, n: int) -> None:
            self.n = n
            self.start = 0
            self.shape = ()
            self.dtype = np.dtype(np.int64)

        def contains(self, x: Any) -> bool:
            return isinstance(x, (int, np.integer)) and 0 <= int(x) < self.n

    class _Box:
        def __init__(self, low: int, high: int, shape: tuple[int, ...],
                     dtype: Any) -> None:
            self.dtype = np.dtype(dtype)
            self.shape = shape
            self.low = np.full(shape, low, dtype=self.dtype)
            self.high = np.full(shape, high, dtype=self.dtype)

        def contains(self, x: Any) -> bool:
            x = np.asarray(x)
            return (x.shape == self.shape and bool(np.all(x >= self.low))
                    and bool(np.all(x <= self.high)))

    class spaces:  # type: ignore[no-redef]
        Discrete = _Discrete
        Box = _Box


# (dx, dy) for actions 0 right, 1 up, 2 left, 3 down.
_MOVES = ((1, 0), (0, 1), (-1, 0), (0, -1))


class GridWorldEnv(_Base):
    """Start at (0, 0); reach (size-1, size-1) for a reward of 1.

    Each step costs 0.01 (reward -0.01); "hard" difficulty starts the agent
    at a random cell instead of the corner.
    """

    metadata = {"render_modes": []}

    def __init__(self, size: int = 8) -> None:
        if not isinstance(size, int) or size < 2:
            raise ValueError("size must be an integer >= 2")
        self.size = size
        self.action_space = spaces.Discrete(4)
        self.observation_space = spaces.Box(0, size - 1, (2,), np.int64)
        self._pos = np.zeros(2, dtype=np.int64)

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        difficulty = (options or {}).get("difficulty", "easy")
        if difficulty == "hard":
            self._pos = self.np_random.integers(0, self.size, 2,
                                                dtype=np.int64)
        else:
            self._pos = np.zeros(2, dtype=np.int64)
        return self._pos.copy(), {}

    def step(self, action: int):
        if not self.action_space.contains(action):
            raise ValueError(f"invalid action {action!r}")
        dx, dy = _MOVES[int(action)]
        self._pos[0] = min(max(self._pos[0] + dx, 0), self.size - 1)
        self._pos[1] = min(max(self._pos[1] + dy, 0), self.size - 1)
        terminated = bool(np.all(self._pos == self.size - 1))
        reward = 1.0 if terminated else -0.01
        return self._pos.copy(), reward, terminated, False, {}
