#!/usr/bin/python3
"""The Python peer of bench_space: Box(4) float32 containment.

Uses Gymnasium's Box.contains when gymnasium imports; otherwise a numpy
re-implementation of the same steps (convert a non-array, then dtype
can-cast, shape, x >= low and x <= high). Prints one line that
bench_space reads:

    peer <name> p50_ns <nanoseconds per call, median of repeats>
"""

from __future__ import annotations

import statistics
import sys
import timeit
from typing import Any, Callable

import numpy as np

NUMBER = 2000
REPEAT = 200


class NumpyBox:
    """The containment test of gymnasium.spaces.Box, without gymnasium."""

    def __init__(self, low: float, high: float, shape: tuple[int, ...],
                 dtype: Any) -> None:
        self.dtype = np.dtype(dtype)
        self.shape = shape
        # Gymnasium keeps full arrays of bounds, not scalars.
        self.low = np.full(shape, low, dtype=self.dtype)
        self.high = np.full(shape, high, dtype=self.dtype)

    def contains(self, x: Any) -> bool:
        if not isinstance(x, np.ndarray):
            try:
                x = np.asarray(x, dtype=self.dtype)
            except (ValueError, TypeError):
                return False
        return bool(
            np.can_cast(x.dtype, self.dtype)
            and x.shape == self.shape
            and np.all(x >= self.low)
            and np.all(x <= self.high)
        )


def make_contains() -> tuple[str, Callable[[Any], bool]]:
    try:
        import gymnasium  # type: ignore[import-not-found]
    except ImportError:
        box = NumpyBox(-1.0, 1.0, (4,), np.float32)
        return "numpy-Box.contains", box.contains
    space = gymnasium.spaces.Box(-1.0, 1.0, (4,), np.float32)
    return f"gymnasium-{gymnasium.__version__}-Box.contains", space.contains


def main() -> int:
    name, contains = make_contains()
    x = np.array([0.25, -0.5, 1.0, 0.0], dtype=np.float32)
    if not contains(x):
        print("peer: the sample is not contained", file=sys.stderr)
        return 1
    times = timeit.repeat(lambda: contains(x), number=NUMBER, repeat=REPEAT)
    p50 = statistics.median(times) / NUMBER * 1e9
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"peer {name} p50_ns {p50:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
