"""Higher or lower with one shuffled 52-card deck and three lives.

Observation: a nested Tuple
  ( Tuple(Discrete(13, start=1), Discrete(4)),   the face-up card: rank, suit
    MultiDiscrete([5] * 13),                     cards of each rank still unseen
    Discrete(4) )                                lives left
Action: Discrete(2): 0 the next card ranks lower, 1 higher. Reward +1 for
a right guess, -1 for a wrong one (which costs a life), 0 on equal
ranks. The episode ends with the last life or the last card.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

RANKS = 13
SUITS = 4
LIVES = 3


class CardsEnv(Env):
    """A card game with a nested Tuple observation (Gymnasium API)."""

    metadata = {"render_modes": []}

    def __init__(self) -> None:
        card = spaces.Tuple((spaces.Discrete(RANKS, start=1), spaces.Discrete(SUITS)))
        unseen = spaces.MultiDiscrete([SUITS + 1] * RANKS)
        self.observation_space = spaces.Tuple(
            (card, unseen, spaces.Discrete(LIVES + 1))
        )
        self.action_space = spaces.Discrete(2)
        self._deck: list[int] = []
        self._unseen = np.zeros(RANKS, dtype=np.int64)
        self._lives = LIVES
        self._face = 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[tuple, dict[str, Any]]:
        super().reset(seed=seed)
        self._deck = [int(c) for c in self.np_random.permutation(RANKS * SUITS)]
        self._unseen = np.full(RANKS, SUITS, dtype=np.int64)
        self._lives = LIVES
        self._face = self._draw()
        return self._observe(), {"cards_left": len(self._deck)}

    def step(self, action: Any) -> tuple[tuple, float, bool, bool, dict[str, Any]]:
        if not self._deck or self._lives == 0:
            return self._observe(), 0.0, True, False, {"cards_left": len(self._deck)}
        before = self._rank(self._face)
        self._face = self._draw()
        after = self._rank(self._face)
        if after == before:
            reward = 0.0
        elif (after > before) == (int(action) == 1):
            reward = 1.0
        else:
            reward = -1.0
            self._lives -= 1
        terminated = self._lives == 0 or not self._deck
        info = {"cards_left": len(self._deck)}
        return self._observe(), reward, terminated, False, info

    def _draw(self) -> int:
        card = self._deck.pop()
        self._unseen[self._rank(card) - 1] -= 1
        return card

    @staticmethod
    def _rank(card: int) -> int:
        return card % RANKS + 1

    def _observe(self) -> tuple:
        face = (self._rank(self._face), self._face // RANKS)
        return (face, self._unseen.copy(), self._lives)
