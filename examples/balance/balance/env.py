"""A pole hinged on a cart; push the cart left or right to keep it upright.

Observation: Box(float32, (4,)) of cart position, cart velocity, pole
angle (radians, 0 is upright) and angular velocity. The velocities are
unbounded, so the pinned space has infinite bounds there. Action:
Discrete(2), 0 pushes left and 1 pushes right. Reward 1.0 for every step
the pole stays up; the episode ends when the pole tips past 12 degrees or
the cart leaves the track. Step limits come from the manifest.

The dynamics are the classic frictionless cart-pole equations, integrated
with a semi-implicit Euler step, in plain floats so that a step costs a
handful of arithmetic operations.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

GRAVITY = 9.8
CART_MASS = 1.0
POLE_MASS = 0.1
POLE_HALF_LENGTH = 0.5
PUSH = 10.0
DT = 0.02
TRACK_LIMIT = 2.4
ANGLE_LIMIT = 12.0 * math.pi / 180.0

_TOTAL_MASS = CART_MASS + POLE_MASS
_POLE_MOMENT = POLE_MASS * POLE_HALF_LENGTH


class BalanceEnv(Env):
    """Balance a pole on a cart (Gymnasium API)."""

    metadata = {"render_modes": []}

    def __init__(self, push: float = PUSH) -> None:
        self.push = float(push)
        # Twice the termination limits: the last observation of an episode
        # may overshoot a limit by one step, never by this much.
        bound = np.array(
            [2 * TRACK_LIMIT, np.inf, 2 * ANGLE_LIMIT, np.inf], dtype=np.float32
        )
        self.observation_space = spaces.Box(-bound, bound, dtype=np.float32)
        self.action_space = spaces.Discrete(2)
        self._state = (0.0, 0.0, 0.0, 0.0)
        self._done = True

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        x, x_dot, theta, theta_dot = self.np_random.uniform(-0.05, 0.05, size=4)
        self._state = (float(x), float(x_dot), float(theta), float(theta_dot))
        self._done = False
        return self._observe(), {}

    def step(
        self, action: Any
    ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self._done:
            # Stepping past the end changes nothing and earns nothing.
            return self._observe(), 0.0, True, False, {}
        x, x_dot, theta, theta_dot = self._state
        force = self.push if int(action) == 1 else -self.push

        sin_t = math.sin(theta)
        cos_t = math.cos(theta)
        lateral = (force + _POLE_MOMENT * theta_dot * theta_dot * sin_t) / _TOTAL_MASS
        theta_acc = (GRAVITY * sin_t - cos_t * lateral) / (
            POLE_HALF_LENGTH * (4.0 / 3.0 - POLE_MASS * cos_t * cos_t / _TOTAL_MASS)
        )
        x_acc = lateral - _POLE_MOMENT * theta_acc * cos_t / _TOTAL_MASS

        x_dot += DT * x_acc
        x += DT * x_dot
        theta_dot += DT * theta_acc
        theta += DT * theta_dot
        self._state = (x, x_dot, theta, theta_dot)

        self._done = abs(x) > TRACK_LIMIT or abs(theta) > ANGLE_LIMIT
        return self._observe(), 1.0, self._done, False, {}

    def _observe(self) -> np.ndarray:
        return np.array(self._state, dtype=np.float32)
