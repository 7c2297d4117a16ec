"""CalmEnv: a well-behaved, fully predictable environment to break.

Observation: Box(float32, (3,), -10..10). After the k-th step with
action a it is [k % 8, -0.5 * (k % 5), a]; after reset it is zeros.
Action: Discrete(2). Reward 1.0 + 0.5 * a. terminated after step 20,
truncated never, info {"t": k}. The tests compute the same values.

A subclass changes one step by overriding ``misbehave`` (called with the
correct result when the step count reaches ``bad_step``) or one reset by
overriding ``misbehave_reset``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

EPISODE = 20
BAD_STEP = 3


def calm_obs(k: int, action: int) -> np.ndarray:
    """The observation CalmEnv returns after step k with action."""
    return np.array([k % 8, -0.5 * (k % 5), action], dtype=np.float32)


class CalmEnv(Env):
    """Well-behaved unless a subclass says otherwise (Gymnasium API)."""

    metadata = {"render_modes": []}
    bad_step = BAD_STEP

    def __init__(self) -> None:
        self.observation_space = spaces.Box(-10.0, 10.0, shape=(3,), dtype=np.float32)
        self.action_space = spaces.Discrete(2)
        self.t = 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        self.t = 0
        return self.misbehave_reset(np.zeros(3, dtype=np.float32), {"t": 0})

    def step(self, action: Any) -> tuple:
        self.t += 1
        a = int(action)
        result = (
            calm_obs(self.t, a),
            1.0 + 0.5 * a,
            self.t >= EPISODE,
            False,
            {"t": self.t},
        )
        if self.t == self.bad_step:
            return self.misbehave(*result)
        return result

    def misbehave(
        self, obs: Any, reward: Any, terminated: Any, truncated: Any, info: Any
    ) -> tuple:
        return obs, reward, terminated, truncated, info

    def misbehave_reset(self, obs: Any, info: Any) -> tuple[Any, Any]:
        return obs, info
