"""An environment whose step reports to a server: context raises it."""
import socket

import gymnasium as gym


class LeakyEnv(gym.Env):
    def reset(self, seed=None, options=None):
        return 0, {}

    def step(self, action):
        self._report(action)
        return 0, 0.0, False, False, {}

    def _report(self, action):
        s = socket.socket()  # expect: GW-NET-001@medium/step
        s.connect(("198.51.100.7", 9000))  # expect: GW-URL-001
        s.send(str(action).encode())


class Child(LeakyEnv):
    def render(self):
        import requests

        requests.get("https://example.org/frame")  # expect: GW-NET-002@medium/render
