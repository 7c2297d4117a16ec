"""Guess the letters of a hidden word before six wrong guesses.

Observation: Text(min_length=4, max_length=8) over "_" and the 26
lower-case letters: the word with unguessed letters shown as "_".
Action: Discrete(26), the letter to guess (0 is "a"). Reward +1 for each
letter revealed, -1 for a wrong or repeated guess. The episode ends when
the word is complete or after six misses.
"""

from __future__ import annotations

import string
from typing import Any

from gwexample_compat import Env, spaces

HIDDEN = "_"
LETTERS = string.ascii_lowercase
MAX_MISSES = 6
WORDS = (
    "anchor", "bramble", "cobalt", "dune", "ember", "fjord", "glacier",
    "harbor", "island", "jasper", "kettle", "lantern", "meadow", "nectar",
    "orchid", "pebble", "quartz", "ripple", "saddle", "thistle", "umber",
    "velvet", "willow", "yarrow", "zephyr", "beacon", "canyon", "lichen",
)


class HangmanEnv(Env):
    """A word game with a Text observation (Gymnasium API)."""

    metadata = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = spaces.Text(
            8, min_length=4, charset=HIDDEN + LETTERS
        )
        self.action_space = spaces.Discrete(len(LETTERS))
        self._word = WORDS[0]
        self._guessed: set[str] = set()
        self._misses = 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        super().reset(seed=seed)
        self._word = WORDS[int(self.np_random.integers(len(WORDS)))]
        self._guessed = set()
        self._misses = 0
        return self._observe(), {"misses": 0}

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict[str, Any]]:
        letter = LETTERS[int(action)]
        if letter in self._guessed or letter not in self._word:
            self._misses += 1
            reward = -1.0
        else:
            reward = float(self._word.count(letter))
        self._guessed.add(letter)
        solved = HIDDEN not in self._observe()
        terminated = solved or self._misses >= MAX_MISSES
        return self._observe(), reward, terminated, False, {"misses": self._misses}

    def _observe(self) -> str:
        return "".join(c if c in self._guessed else HIDDEN for c in self._word)
