"""Settings from the environment and a registry that imports by name."""
import importlib
import os
import sys

import gymnasium as gym

RENDER_BACKEND = os.environ.get("MUJOCO_GL", "egl")
DEBUG = os.getenv("POLE_DEBUG", "0") == "1"
LOG_DIR = os.path.join(os.path.expanduser("~"), ".cache", "poles")

_REGISTRY = {}


def register(env_id, entry_point):
    _REGISTRY[env_id] = entry_point


def make(env_id, **kwargs):
    module_name, attr = _REGISTRY[env_id].split(":")
    module = importlib.import_module(module_name)  # expect: GW-EXEC-002@low
    return getattr(module, attr)(**kwargs)


class ConfiguredEnv(gym.Env):
    def __init__(self):
        self.verbose = "VERBOSE" in os.environ
        self.threads = int(os.environ.get("OMP_NUM_THREADS", "1"))

    def reset(self, seed=None, options=None):
        if DEBUG:
            print("reset", file=sys.stderr)
        return 0, {}

    def step(self, action):
        return 0, 0.0, False, False, {}


register("Configured-v0", "config_env:ConfiguredEnv")
