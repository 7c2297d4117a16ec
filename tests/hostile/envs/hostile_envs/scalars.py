"""Rewards and flags of the wrong type, once, at step 3."""

from __future__ import annotations

from typing import Any

from hostile_envs.base import CalmEnv

BAD_REWARDS: dict[str, Any] = {
    "tuple": (1.0, 2.0),
    "string": "1.5",
}


class BadRewardEnv(CalmEnv):
    """The third reward is a tuple or a numeric-looking string."""

    def __init__(self, kind: str = "tuple") -> None:
        super().__init__()
        self.bad = BAD_REWARDS[kind]

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        return obs, self.bad, terminated, truncated, info


class StringFlagEnv(CalmEnv):
    """The third step's terminated (or truncated) is the string "False".

    A non-empty string is truthy, so a trainer that tested it with `if`
    would end the episode: it must never get that far.
    """

    def __init__(self, flag: str = "terminated") -> None:
        super().__init__()
        self.flag = flag

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        if self.flag == "terminated":
            return obs, reward, "False", truncated, info
        return obs, reward, terminated, "False", info
