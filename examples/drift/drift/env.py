"""A puck slides on a 20 x 20 plane with a little friction.

Observation: Box(float64, (4,)): x and y in -10..10, then vx and vy in
-5..5; the walls stop the puck and the speed is capped. Action:
Box(float32, (2,), -1..1), the force along x and y. Reward: minus the
distance to the centre, minus 0.05 times the squared force. The episode
ends when the puck rests within 0.25 of the centre.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

HALF_WIDTH = 10.0
MAX_SPEED = 5.0
DT = 0.1
FRICTION = 0.05
GOAL_RADIUS = 0.25
REST_SPEED = 0.1


class DriftEnv(Env):
    """Continuous control of a sliding puck (Gymnasium API)."""

    metadata = {"render_modes": []}

    def __init__(self, force_scale: float = 2.0) -> None:
        self.force_scale = float(force_scale)
        high = np.array([HALF_WIDTH, HALF_WIDTH, MAX_SPEED, MAX_SPEED])
        self.observation_space = spaces.Box(-high, high, dtype=np.float64)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self._pos = np.zeros(2)
        self._vel = np.zeros(2)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._pos = self.np_random.uniform(-8.0, 8.0, size=2)
        self._vel = np.zeros(2)
        return self._observe(), {}

    def step(
        self, action: Any
    ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        force = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        vel = (1.0 - FRICTION) * self._vel + DT * self.force_scale * force
        vel = np.clip(vel, -MAX_SPEED, MAX_SPEED)
        pos = self._pos + DT * vel
        hit = np.abs(pos) > HALF_WIDTH
        vel[hit] = 0.0
        self._pos = np.clip(pos, -HALF_WIDTH, HALF_WIDTH)
        self._vel = vel

        distance = float(np.hypot(*self._pos))
        speed = float(np.hypot(*self._vel))
        reward = -distance - 0.05 * float(np.dot(force, force))
        resting = distance < GOAL_RADIUS and speed < REST_SPEED
        return self._observe(), reward, resting, False, {"distance": distance}

    def _observe(self) -> np.ndarray:
        return np.concatenate([self._pos, self._vel])
