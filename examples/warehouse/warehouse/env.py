"""Keep three products in stock without paying to store too much.

Observation: Box(int64, (3,), 0..50), the units on the shelf of each
product. Action: MultiDiscrete([5, 5, 5]), the units of each product to
order now (0..4); orders arrive at once, and the shelf holds 50 units of
each at most. Then each product's demand is drawn from a Poisson
distribution. Reward: 3 per unit sold, minus 1 per unit ordered, minus
0.1 per unit left on the shelf, minus 2 per unit of demand that found an
empty shelf. The episode has no natural end; the manifest limits it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

PRODUCTS = 3
CAPACITY = 50
MAX_ORDER = 4
DEMAND = np.array([1.0, 2.0, 3.0])
PRICE, COST, HOLDING, STOCKOUT = 3.0, 1.0, 0.1, 2.0


class WarehouseEnv(Env):
    """An inventory control toy with integer observations (Gymnasium API)."""

    metadata = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = spaces.Box(
            0, CAPACITY, shape=(PRODUCTS,), dtype=np.int64
        )
        self.action_space = spaces.MultiDiscrete([MAX_ORDER + 1] * PRODUCTS)
        self._stock = np.zeros(PRODUCTS, dtype=np.int64)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._stock = self.np_random.integers(0, 11, size=PRODUCTS).astype(np.int64)
        return self._stock.copy(), {}

    def step(
        self, action: Any
    ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        order = np.clip(np.asarray(action, dtype=np.int64), 0, MAX_ORDER)
        stock = np.minimum(self._stock + order, CAPACITY)
        demand = self.np_random.poisson(DEMAND).astype(np.int64)
        sold = np.minimum(stock, demand)
        self._stock = stock - sold
        reward = (
            PRICE * sold.sum()
            - COST * order.sum()
            - HOLDING * self._stock.sum()
            - STOCKOUT * (demand - sold).sum()
        )
        info = {"demand": demand.copy(), "sold": sold.copy()}
        return self._stock.copy(), float(reward), False, False, info
