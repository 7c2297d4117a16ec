"""Spaces: light stand-ins for Gymnasium's, and spaces built from the pinned
descriptions the monitor holds.

``from_description`` turns a pinned space's description (the JSON-like form of
docs/manifest.md) into a Gymnasium space when Gymnasium can be imported, and
into the light classes here otherwise. The light classes have what trainers
use: ``sample()`` (seeded with ``seed()``), ``contains()`` and ``in``,
``shape``, ``dtype``, and per kind ``n``, ``start``, ``nvec``, ``low``,
``high``, ``spaces``, ``min_length``, ``max_length``, ``charset``.
"""

from __future__ import annotations

import string
from collections import OrderedDict
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np

ALPHANUMERIC = string.ascii_letters + string.digits

__all__ = [
    "Space", "Box", "Discrete", "MultiDiscrete", "MultiBinary", "Tuple",
    "Dict", "Text", "from_description", "have_gymnasium",
]


def have_gymnasium() -> bool:
    try:
        import gymnasium  # noqa: F401  (only whether it imports)
    except ImportError:
        return False
    return True


class Space:
    """What every light space shares: a shape, a dtype and a seeded generator."""

    def __init__(self, shape: tuple[int, ...] | None, dtype: Any,
                 seed: int | None = None) -> None:
        self._shape = shape
        self.dtype = None if dtype is None else np.dtype(dtype)
        self._np_random = np.random.default_rng(seed)

    @property
    def shape(self) -> tuple[int, ...] | None:
        return self._shape

    @property
    def np_random(self) -> np.random.Generator:
        return self._np_random

    def seed(self, seed: int | None = None) -> list[int | None]:
        """Restart the sampling stream; the same seed gives the same samples."""
        self._np_random = np.random.default_rng(seed)
        return [seed]

    def sample(self) -> Any:
        raise NotImplementedError

    def contains(self, x: Any) -> bool:
        raise NotImplementedError

    def __contains__(self, x: Any) -> bool:
        return self.contains(x)


def _is_int(x: Any) -> bool:
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, np.ndarray):
        return x.shape == () and x.dtype.kind in "iu"
    return isinstance(x, (int, np.integer))


class Box(Space):
    """An array of one dtype and shape, each element in [low, high]."""

    def __init__(self, low: Any, high: Any, shape: Sequence[int] | None = None,
                 dtype: Any = np.float32, seed: int | None = None) -> None:
        if shape is None:
            shape = np.broadcast(np.asarray(low), np.asarray(high)).shape
        shape = tuple(int(d) for d in shape)
        super().__init__(shape, dtype, seed)
        self.low = np.broadcast_to(np.asarray(low, dtype=self.dtype), shape).copy()
        self.high = np.broadcast_to(np.asarray(high, dtype=self.dtype), shape).copy()
        if np.any(self.low > self.high):
            raise ValueError("Box: low must not exceed high")

    def sample(self) -> np.ndarray:
        rng = self.np_random
        if self.dtype.kind == "f":
            return self._sample_float(rng)
        if self.dtype.kind == "b":
            return rng.integers(0, 2, self.shape).astype(self.dtype)
        lo, hi = self.low, self.high
        if self.dtype == np.uint64:
            # The generator draws int64: the top half of uint64 is left out.
            top = np.uint64(np.iinfo(np.int64).max)
            lo, hi = np.minimum(lo, top), np.minimum(hi, top)
        draw = rng.integers(lo.astype(np.int64), hi.astype(np.int64), endpoint=True)
        return draw.astype(self.dtype)

    def _sample_float(self, rng: np.random.Generator) -> np.ndarray:
        low = self.low.astype(np.float64)
        high = self.high.astype(np.float64)
        lo_ok, hi_ok = np.isfinite(low), np.isfinite(high)
        out = rng.normal(size=self.shape)
        both = lo_ok & hi_ok
        out[both] = rng.uniform(low[both], high[both])
        only_lo = lo_ok & ~hi_ok
        out[only_lo] = low[only_lo] + rng.exponential(size=int(only_lo.sum()))
        only_hi = hi_ok & ~lo_ok
        out[only_hi] = high[only_hi] - rng.exponential(size=int(only_hi.sum()))
        return np.clip(out, low, high).astype(self.dtype)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, np.ndarray):
            try:
                x = np.asarray(x, dtype=self.dtype)
            except (TypeError, ValueError, OverflowError):
                return False
        if x.shape != self.shape or not np.can_cast(x.dtype, self.dtype):
            return False
        return bool(np.all(x >= self.low) and np.all(x <= self.high))

    def __repr__(self) -> str:
        return f"Box({self.low.min()}, {self.high.max()}, {self.shape}, {self.dtype})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Box) and self.shape == other.shape
                and self.dtype == other.dtype
                and np.array_equal(self.low, other.low)
                and np.array_equal(self.high, other.high))


class Discrete(Space):
    """One integer in start .. start + n - 1."""

    def __init__(self, n: int, seed: int | None = None, start: int = 0) -> None:
        super().__init__((), np.int64, seed)
        self.n = np.int64(n)
        self.start = np.int64(start)

    def sample(self) -> np.int64:
        return np.int64(self.start + self.np_random.integers(self.n))

    def contains(self, x: Any) -> bool:
        return _is_int(x) and bool(self.start <= int(x) < self.start + self.n)

    def __repr__(self) -> str:
        if self.start:
            return f"Discrete({self.n}, start={self.start})"
        return f"Discrete({self.n})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Discrete) and self.n == other.n
                and self.start == other.start)


class MultiDiscrete(Space):
    """An int64 array; element i in start[i] .. start[i] + nvec[i] - 1."""

    def __init__(self, nvec: Any, seed: int | None = None, start: Any = None) -> None:
        self.nvec = np.asarray(nvec, dtype=np.int64)
        super().__init__(self.nvec.shape, np.int64, seed)
        if start is None:
            start = np.zeros_like(self.nvec)
        self.start = np.asarray(start, dtype=np.int64)

    def sample(self) -> np.ndarray:
        return self.start + self.np_random.integers(self.nvec)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, np.ndarray):
            x = np.asarray(x)
        if x.shape != self.shape or x.dtype.kind not in "iu":
            return False
        return bool(np.all(x >= self.start) and np.all(x < self.start + self.nvec))

    def __repr__(self) -> str:
        return f"MultiDiscrete({self.nvec.tolist()})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, MultiDiscrete)
                and np.array_equal(self.nvec, other.nvec)
                and np.array_equal(self.start, other.start))


class MultiBinary(Space):
    """An int8 array of zeros and ones; n is a length or a shape."""

    def __init__(self, n: int | Sequence[int], seed: int | None = None) -> None:
        if isinstance(n, (int, np.integer)):
            self.n: int | tuple[int, ...] = int(n)
            shape: tuple[int, ...] = (int(n),)
        else:
            self.n = tuple(int(d) for d in n)
            shape = self.n
        super().__init__(shape, np.int8, seed)

    def sample(self) -> np.ndarray:
        return self.np_random.integers(0, 2, self.shape, dtype=np.int8)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, np.ndarray):
            x = np.asarray(x)
        if x.shape != self.shape or x.dtype.kind not in "iub":
            return False
        return bool(np.all((x == 0) | (x == 1)))

    def __repr__(self) -> str:
        return f"MultiBinary({self.n})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MultiBinary) and self.shape == other.shape


class Tuple(Space):
    """A fixed sequence of spaces; a sample is a tuple."""

    def __init__(self, spaces: Iterable[Space], seed: int | None = None) -> None:
        self.spaces = tuple(spaces)
        super().__init__(None, None, seed)

    def seed(self, seed: int | None = None) -> list[int | None]:
        super().seed(seed)
        seeds: list[int | None] = [seed]
        for i, child in enumerate(self.spaces):
            seeds += child.seed(None if seed is None else seed + i + 1)
        return seeds

    def sample(self) -> tuple:
        return tuple(child.sample() for child in self.spaces)

    def contains(self, x: Any) -> bool:
        if isinstance(x, list):
            x = tuple(x)
        if not isinstance(x, tuple) or len(x) != len(self.spaces):
            return False
        return all(child.contains(v) for child, v in zip(self.spaces, x))

    def __getitem__(self, i: int) -> Space:
        return self.spaces[i]

    def __len__(self) -> int:
        return len(self.spaces)

    def __iter__(self) -> Iterator[Space]:
        return iter(self.spaces)

    def __repr__(self) -> str:
        return "Tuple(" + ", ".join(repr(s) for s in self.spaces) + ")"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tuple) and self.spaces == other.spaces


class Dict(Space):
    """Named spaces in the order they were given; a sample is a dict."""

    def __init__(self, spaces: Mapping[str, Space], seed: int | None = None) -> None:
        self.spaces = OrderedDict(spaces)
        super().__init__(None, None, seed)

    def seed(self, seed: int | None = None) -> list[int | None]:
        super().seed(seed)
        seeds: list[int | None] = [seed]
        for i, child in enumerate(self.spaces.values()):
            seeds += child.seed(None if seed is None else seed + i + 1)
        return seeds

    def sample(self) -> dict[str, Any]:
        return {k: child.sample() for k, child in self.spaces.items()}

    def contains(self, x: Any) -> bool:
        if not isinstance(x, Mapping) or set(x) != set(self.spaces):
            return False
        return all(child.contains(x[k]) for k, child in self.spaces.items())

    def __getitem__(self, key: str) -> Space:
        return self.spaces[key]

    def keys(self) -> Iterable[str]:
        return self.spaces.keys()

    def __len__(self) -> int:
        return len(self.spaces)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k!r}: {s!r}" for k, s in self.spaces.items())
        return "Dict(" + inner + ")"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dict) and self.spaces == other.spaces


class Text(Space):
    """A str of min_length .. max_length characters from charset."""

    def __init__(self, max_length: int, *, min_length: int = 1,
                 charset: str | Iterable[str] = ALPHANUMERIC,
                 seed: int | None = None) -> None:
        super().__init__(None, None, seed)
        if not 0 <= min_length <= max_length:
            raise ValueError("Text: needs 0 <= min_length <= max_length")
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
        length = int(self.np_random.integers(self.min_length, self.max_length + 1))
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

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Text) and self.min_length == other.min_length
                and self.max_length == other.max_length
                and self.charset == other.charset)


# --- from the pinned descriptions ------------------------------------------


def _number(v: Any, kind: str) -> Any:
    """A bound as the description holds it: a number, "inf", "-inf", or a
    uint64 above 2**63 - 1 as decimal text."""
    if isinstance(v, list):
        return [_number(x, kind) for x in v]
    if isinstance(v, str):
        return float(v) if kind == "f" else int(v)
    return v


def _bound_array(v: Any, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    values = _number(v, dtype.kind)
    if dtype.kind == "u":
        arr = np.array(values, dtype=object).astype(dtype)
    else:
        arr = np.asarray(values, dtype=dtype)
    return np.broadcast_to(arr, shape).copy()


def _light(desc: dict[str, Any]) -> Space:
    kind = desc["type"]
    if kind == "Box":
        dtype = np.dtype(desc["dtype"])
        shape = tuple(desc["shape"])
        return Box(_bound_array(desc["low"], dtype, shape),
                   _bound_array(desc["high"], dtype, shape), shape, dtype)
    if kind == "Discrete":
        return Discrete(desc["n"], start=desc.get("start", 0))
    if kind == "MultiDiscrete":
        return MultiDiscrete(desc["nvec"], start=desc.get("start"))
    if kind == "MultiBinary":
        shape = desc["shape"]
        return MultiBinary(shape[0] if len(shape) == 1 else shape)
    if kind == "Tuple":
        return Tuple(_light(s) for s in desc["spaces"])
    if kind == "Dict":
        return Dict(OrderedDict((k, _light(s)) for k, s in desc["spaces"].items()))
    if kind == "Text":
        return Text(desc["max_length"], min_length=desc.get("min_length", 0),
                    charset=desc.get("charset") or ALPHANUMERIC)
    raise ValueError(f"unknown space type {kind!r}")


def _gymnasium(desc: dict[str, Any]) -> Any:
    from gymnasium import spaces as gs

    kind = desc["type"]
    if kind == "Box":
        dtype = np.dtype(desc["dtype"])
        shape = tuple(desc["shape"])
        return gs.Box(_bound_array(desc["low"], dtype, shape),
                      _bound_array(desc["high"], dtype, shape), shape, dtype)
    if kind == "Discrete":
        return gs.Discrete(desc["n"], start=desc.get("start", 0))
    if kind == "MultiDiscrete":
        return gs.MultiDiscrete(np.asarray(desc["nvec"], dtype=np.int64),
                                start=np.asarray(desc["start"], dtype=np.int64))
    if kind == "MultiBinary":
        shape = desc["shape"]
        return gs.MultiBinary(shape[0] if len(shape) == 1 else shape)
    if kind == "Tuple":
        return gs.Tuple([_gymnasium(s) for s in desc["spaces"]])
    if kind == "Dict":
        # An OrderedDict keeps the declared order (a plain dict is sorted).
        return gs.Dict(OrderedDict((k, _gymnasium(s))
                                   for k, s in desc["spaces"].items()))
    if kind == "Text":
        charset = desc.get("charset") or gs.text.alphanumeric
        return gs.Text(desc["max_length"], min_length=desc.get("min_length", 0),
                       charset=charset)
    raise ValueError(f"unknown space type {kind!r}")


def from_description(desc: dict[str, Any], use_gymnasium: bool | None = None) -> Any:
    """The space a pinned description names: Gymnasium's when it can be
    imported (or when use_gymnasium says so), else this module's."""
    if use_gymnasium is None:
        use_gymnasium = have_gymnasium()
    return _gymnasium(desc) if use_gymnasium else _light(desc)
