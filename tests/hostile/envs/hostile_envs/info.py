"""info dicts that are not plain, bounded data, once, at step 3."""

from __future__ import annotations

import os
from typing import Any

from hostile_envs.base import CalmEnv

GIB = 1 << 30
DEPTH = 10_000


class HugeInfoEnv(CalmEnv):
    """info["blob"] is 1 GiB of zero bytes.

    bytes(n) asks the allocator for zeroed memory, which the kernel hands
    out lazily: the blob costs almost nothing until someone reads it.
    """

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        return obs, reward, terminated, truncated, {"t": self.t, "blob": bytes(GIB)}


class DeepInfoEnv(CalmEnv):
    """info["deep"] nests maps and lists 10,000 levels deep."""

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        node: Any = {}
        for level in range(DEPTH):
            node = {"down": node} if level % 2 else [node]
        return obs, reward, terminated, truncated, {"t": self.t, "deep": node}


class Tripwire:
    """An object that leaves a marker file whenever it is treated as more
    than opaque data.

    Pickling it calls __reduce__, which writes marker_dir/reduce (that
    runs where the pickling happens, the worker) and returns a recipe that
    makes the unpickler call exec() with code writing marker_dir/unpickled
    (that runs where the unpickling happens: the trainer). repr() and
    str() leave their own markers. The tests check that none appears.
    """

    def __init__(self, marker_dir: str) -> None:
        self.marker_dir = marker_dir

    def _trip(self, name: str) -> None:
        try:
            with open(os.path.join(self.marker_dir, name), "w") as f:
                f.write(name)
        except OSError:
            pass

    def __reduce__(self) -> tuple:
        self._trip("reduce")
        target = os.path.join(self.marker_dir, "unpickled")
        return (exec, (f"open({target!r}, 'w').write('unpickled')",))

    def __reduce_ex__(self, protocol: Any) -> tuple:
        return self.__reduce__()

    def __getstate__(self) -> dict:
        self._trip("getstate")
        return {}

    def __repr__(self) -> str:
        self._trip("repr")
        return "Tripwire()"

    def __str__(self) -> str:
        self._trip("str")
        return "Tripwire"


class PickleBombEnv(CalmEnv):
    """info["payload"] is a Tripwire."""

    def __init__(self, marker_dir: str = "/nonexistent") -> None:
        super().__init__()
        self.marker_dir = marker_dir

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        payload = Tripwire(self.marker_dir)
        return obs, reward, terminated, truncated, {"t": self.t, "payload": payload}


BAD_KEYS: dict[str, Any] = {
    "surrogate": "\ud800",  # a lone surrogate: no UTF-8 encoding exists
    "bytes": b"\xff\xfekey",  # bytes, and not even valid UTF-8
    "int": 7,
}


class BadKeyEnv(CalmEnv):
    """info["player"] has one key that is not a valid UTF-8 str."""

    def __init__(self, kind: str = "surrogate") -> None:
        super().__init__()
        self.key = BAD_KEYS[kind]

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        player = {"name": "ok", self.key: 1}
        return obs, reward, terminated, truncated, {"t": self.t, "player": player}
