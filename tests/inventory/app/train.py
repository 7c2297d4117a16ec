"""A small trainer for the inventory tests: it is scanned, never run."""
import gymnasium as gym
import gymwarden
from gymnasium import make_vec

import pkg  # noqa: F401  (registers Grid-v0)

LEVEL = "CartPole-v1"


def train(name):
    env = gym.make(LEVEL)
    vec = make_vec("Grid-v0", num_envs=4)
    other = gym.make(f"{name}-v0")
    jailed = gymwarden.make(id="MountainCar-v0")
    return env, vec, other, jailed
