"""A plain physics environment: nothing here should be reported."""
import math

import gymnasium as gym
import numpy as np
from gymnasium import spaces

# SHA-256 of the reference trajectory, for a regression test.
REFERENCE_DIGEST = "9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a"
DOCS = "https://gymnasium.farama.org/environments/classic_control/cart_pole/"
CHARSET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


class PoleEnv(gym.Env):
    """Balance a pole; see https://example.org/papers/pole.pdf for the model."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 50}

    def __init__(self, gravity=9.8, render_mode=None):
        self.gravity = gravity
        self.θ_limit = 12 * 2 * math.pi / 360
        self.action_space = spaces.Discrete(2)
        high = np.array([4.8, np.inf, self.θ_limit * 2, np.inf], dtype=np.float32)
        self.observation_space = spaces.Box(-high, high, dtype=np.float32)
        self.render_mode = render_mode
        self.state = None

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.state = self.np_random.uniform(-0.05, 0.05, size=(4,))
        return np.array(self.state, dtype=np.float32), {}

    def step(self, action):
        x, x_dot, θ, θ_dot = self.state
        force = 10.0 if action == 1 else -10.0
        α = (force + self.gravity * math.sin(θ)) / 1.1
        self.state = (x + 0.02 * x_dot, x_dot + 0.02 * α, θ + 0.02 * θ_dot, θ_dot)
        done = abs(θ) > self.θ_limit
        return np.array(self.state, dtype=np.float32), 1.0, bool(done), False, {}
