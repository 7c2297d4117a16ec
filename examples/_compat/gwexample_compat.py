"""The base class and spaces that the bundled examples are written against.

When Gymnasium can be imported, ``Env`` is ``gymnasium.Env`` and
``spaces`` is ``gymnasium.spaces``. Without it (the usual case inside a
gymwarden sandbox) both are small stand-ins defined here: an ``Env`` with
Gymnasium's reset/step/close shape and a seeded ``np_random``, and the
seven space kinds with the attributes a gymwarden worker reads (shape,
dtype, low, high, n, start, nvec, spaces, min_length, max_length,
charset). The stand-ins can also sample and test membership, so the
examples run and can be checked without any other package.

A manifest makes this module importable with
``dependency_paths = ["_compat"]`` (relative to the manifest's folder).
"""

from __future__ import annotations

import string
import types
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

ALPHANUMERIC = string.ascii_letters + string.digits


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


class Space:
    """What every stand-in space shares: a dtype, a shape and a seeded rng."""

    def __init__(
        self,
        shape: tuple[int, ...] | None = None,
        dtype: Any = None,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self._shape = shape
        self.dtype = None if dtype is None else np.dtype(dtype)
        self._np_random = _rng(seed)

    @property
    def shape(self) -> tuple[int, ...] | None:
        return self._shape

    @property
    def np_random(self) -> np.random.Generator:
        return self._np_random

    def seed(self, seed: int | None = None) -> None:
        self._np_random = _rng(seed)

    def sample(self) -> Any:
        raise NotImplementedError

    def contains(self, x: Any) -> bool:
        raise NotImplementedError

    def __contains__(self, x: Any) -> bool:
        return self.contains(x)


class Box(Space):
    """An array of one dtype and shape, each element between low and high."""

    def __init__(
        self,
        low: Any,
        high: Any,
        shape: Sequence[int] | None = None,
        dtype: Any = np.float32,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        if shape is None:
            shape = np.broadcast(np.asarray(low), np.asarray(high)).shape
        shape = tuple(int(d) for d in shape)
        super().__init__(shape, dtype, seed)
        self.low = np.full(shape, low, dtype=self.dtype)
        self.high = np.full(shape, high, dtype=self.dtype)
        if np.any(self.low > self.high):
            raise ValueError("Box low must not exceed high")

    def sample(self) -> np.ndarray:
        if self.dtype.kind == "f":
            lo = np.where(np.isfinite(self.low), self.low, -1e6)
            hi = np.where(np.isfinite(self.high), self.high, 1e6)
            return self.np_random.uniform(lo, hi).astype(self.dtype)
        draw = self.np_random.integers(
            self.low.astype(np.int64), self.high.astype(np.int64), endpoint=True
        )
        return draw.astype(self.dtype)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, np.ndarray) or x.shape != self.shape:
            return False
        if x.dtype != self.dtype:
            return False
        return bool(np.all(x >= self.low) and np.all(x <= self.high))

    def __repr__(self) -> str:
        return f"Box({self.low.min()}, {self.high.max()}, {self.shape}, {self.dtype})"


class Discrete(Space):
    """One integer in start .. start + n - 1."""

    def __init__(
        self,
        n: int,
        seed: int | np.random.Generator | None = None,
        start: int = 0,
    ) -> None:
        super().__init__((), np.int64, seed)
        self.n = np.int64(n)
        self.start = np.int64(start)

    def sample(self) -> np.int64:
        return np.int64(self.start + self.np_random.integers(self.n))

    def contains(self, x: Any) -> bool:
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
            return False
        return bool(self.start <= x < self.start + self.n)

    def __repr__(self) -> str:
        return f"Discrete({self.n}, start={self.start})"


class MultiDiscrete(Space):
    """An int64 array; element i lies in start[i] .. start[i] + nvec[i] - 1."""

    def __init__(
        self,
        nvec: Any,
        dtype: Any = np.int64,
        seed: int | np.random.Generator | None = None,
        start: Any = None,
    ) -> None:
        self.nvec = np.array(nvec, dtype=dtype)
        super().__init__(self.nvec.shape, dtype, seed)
        if start is None:
            start = np.zeros_like(self.nvec)
        self.start = np.array(start, dtype=dtype)

    def sample(self) -> np.ndarray:
        draw = self.np_random.integers(self.nvec.astype(np.int64))
        return (self.start + draw).astype(self.dtype)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, np.ndarray) or x.shape != self.shape:
            return False
        if x.dtype.kind not in "iu":
            return False
        return bool(np.all(x >= self.start) and np.all(x < self.start + self.nvec))

    def __repr__(self) -> str:
        return f"MultiDiscrete({self.nvec.tolist()})"


class MultiBinary(Space):
    """An int8 array of zeros and ones; n is an int or a shape."""

    def __init__(
        self,
        n: int | Sequence[int],
        seed: int | np.random.Generator | None = None,
    ) -> None:
        if isinstance(n, (int, np.integer)):
            self.n: int | tuple[int, ...] = int(n)
            shape: tuple[int, ...] = (int(n),)
        else:
            self.n = tuple(int(d) for d in n)
            shape = self.n
        super().__init__(shape, np.int8, seed)

    def sample(self) -> np.ndarray:
        return self.np_random.integers(2, size=self.shape).astype(np.int8)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, np.ndarray) or x.shape != self.shape:
            return False
        if x.dtype.kind not in "iub":
            return False
        return bool(np.all((x == 0) | (x == 1)))

    def __repr__(self) -> str:
        return f"MultiBinary({self.n})"


class Tuple(Space):
    """A fixed sequence of child spaces; a sample is a tuple."""

    def __init__(
        self,
        spaces: Iterable[Space],
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.spaces = tuple(spaces)
        super().__init__(None, None, seed)

    def seed(self, seed: int | None = None) -> None:
        super().seed(seed)
        for i, child in enumerate(self.spaces):
            child.seed(None if seed is None else seed + i + 1)

    def sample(self) -> tuple:
        return tuple(child.sample() for child in self.spaces)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, tuple) or len(x) != len(self.spaces):
            return False
        return all(child.contains(v) for child, v in zip(self.spaces, x))

    def __getitem__(self, i: int) -> Space:
        return self.spaces[i]

    def __len__(self) -> int:
        return len(self.spaces)

    def __repr__(self) -> str:
        return "Tuple(" + ", ".join(repr(s) for s in self.spaces) + ")"


class Dict(Space):
    """Named child spaces, kept in sorted key order as Gymnasium keeps them."""

    def __init__(
        self,
        spaces: Mapping[str, Space] | None = None,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.spaces = dict(sorted((spaces or {}).items()))
        super().__init__(None, None, seed)

    def seed(self, seed: int | None = None) -> None:
        super().seed(seed)
        for i, child in enumerate(self.spaces.values()):
            child.seed(None if seed is None else seed + i + 1)

    def sample(self) -> dict:
        return {k: child.sample() for k, child in self.spaces.items()}

    def contains(self, x: Any) -> bool:
        if not isinstance(x, dict) or set(x) != set(self.spaces):
            return False
        return all(child.contains(x[k]) for k, child in self.spaces.items())

    def __getitem__(self, key: str) -> Space:
        return self.spaces[key]

    def keys(self) -> Iterable[str]:
        return self.spaces.keys()

    def __repr__(self) -> str:
        inner = ", ".join(f"{k!r}: {s!r}" for k, s in self.spaces.items())
        return "Dict(" + inner + ")"


class Text(Space):
    """A str of min_length .. max_length characters, each from charset."""

    def __init__(
        self,
        max_length: int,
        *,
        min_length: int = 1,
        charset: str | Iterable[str] = ALPHANUMERIC,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(None, None, seed)
        if not 0 <= min_length <= max_length:
            raise ValueError("Text needs 0 <= min_length <= max_length")
        self.min_length = int(min_length)
        self.max_length = int(max_length)
        self.charset = "".join(sorted(set(charset)))

    @property
    def characters(self) -> str:
        return self.charset

    @property
    def character_set(self) -> frozenset[str]:
        return frozenset(self.charset)

    def sample(self) -> str:
        length = self.np_random.integers(self.min_length, self.max_length + 1)
        picks = self.np_random.integers(len(self.charset), size=length)
        return "".join(self.charset[i] for i in picks)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, str):
            return False
        if not self.min_length <= len(x) <= self.max_length:
            return False
        return all(c in self.charset for c in x)

    def __repr__(self) -> str:
        return f"Text({self.min_length}, {self.max_length}, charset={self.charset!r})"


class LocalEnv:
    """Gymnasium's Env interface, reduced to what the examples use."""

    metadata: dict[str, Any] = {"render_modes": []}
    render_mode: str | None = None
    spec: Any = None
    action_space: Space
    observation_space: Space
    _np_random: np.random.Generator | None = None

    @property
    def np_random(self) -> np.random.Generator:
        if self._np_random is None:
            self._np_random = np.random.default_rng()
        return self._np_random

    @property
    def unwrapped(self) -> "LocalEnv":
        return self

    def reset(
        self,
        *,
        seed: int | None = None,
        options: dict[str, Any] | None = None,
    ) -> Any:
        if seed is not None:
            self._np_random = np.random.default_rng(seed)
        return None

    def step(self, action: Any) -> tuple:
        raise NotImplementedError

    def render(self) -> Any:
        return None

    def close(self) -> None:
        pass

    def __enter__(self) -> "LocalEnv":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


LOCAL_SPACES = types.SimpleNamespace(
    Space=Space,
    Box=Box,
    Discrete=Discrete,
    MultiDiscrete=MultiDiscrete,
    MultiBinary=MultiBinary,
    Tuple=Tuple,
    Dict=Dict,
    Text=Text,
)

try:
    import gymnasium
    from gymnasium import spaces

    Env: type = gymnasium.Env
    HAVE_GYMNASIUM = True
except ImportError:
    spaces = LOCAL_SPACES
    Env = LocalEnv
    HAVE_GYMNASIUM = False

__all__ = ["Env", "spaces", "HAVE_GYMNASIUM", "LOCAL_SPACES", "LocalEnv"]
