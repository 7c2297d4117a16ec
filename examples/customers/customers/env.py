"""Answer support tickets: refund, escalate or close, one customer a step.

Observation: Box(float32, (3,), 0..1): the customer's balance (in units
of 10,000, capped at 1), how upset they are, and how long the ticket has
waited (in days, divided by 30). Action: Discrete(3): 0 refund, 1
escalate, 2 close. Reward: a refund calms an upset customer (+1) but
costs when they are calm (-0.5); escalating costs -0.1; closing pays +0.5
for a calm customer and -1 for an upset one. An episode is a shift of
``tickets`` customers (20 by default).

``info`` holds one synthetic customer per step, for the sanitization
checks: {"customer": {"name", "email", "phone", "card", "iban", "ip",
"note"}, "balance": float, "age": int}. The card numbers pass the Luhn
check, the IBANs carry valid mod-97 check digits, e-mail domains are the
reserved example.* ones, phone numbers come from ranges set aside for
fiction and addresses from the documentation ranges. The note repeats
some of it in free text, and reset prints the first customer's address
to stderr, so that log sanitization has something to find too. None of
it belongs to anyone; the seed decides all of it.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from gwexample_compat import Env, spaces

TICKETS = 20
BALANCE_SCALE = 10000.0
REFUND, ESCALATE, CLOSE = 0, 1, 2

GIVEN = ("Amara", "Bjorn", "Carmen", "Dario", "Esme", "Femi", "Greta",
         "Hugo", "Ines", "Jun", "Kira", "Luca", "Mei", "Nils")
FAMILY = ("Achebe", "Brandt", "Costa", "Duval", "Engel", "Ferreira",
          "Grant", "Haddad", "Ito", "Jansen", "Kaur", "Lund")


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(chr(48 + int(d)) for d in rng.integers(0, 10, size=n))


def _luhn_digit(body: str) -> str:
    """The check digit that makes body + digit pass the Luhn test."""
    acc = 0
    for pos, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if pos % 2 == 0 else 1)
        acc += d - 9 if d > 9 else d
    return str(-acc % 10)


def _card(rng: np.random.Generator) -> str:
    body = "5" + str(int(rng.integers(1, 6))) + _digits(rng, 13)
    full = body + _luhn_digit(body)
    return "-".join(full[k : k + 4] for k in (0, 4, 8, 12))


def _iban(rng: np.random.Generator) -> str:
    """A made-up Dutch-layout IBAN: NLkk BANK 10 digits, mod-97 valid."""
    bban = "ABNA" + _digits(rng, 10)
    rearranged = bban + "NL00"
    as_number = int("".join(str(int(c, 36)) for c in rearranged))
    check = 98 - as_number % 97
    return f"NL{check:02d}{bban}"


def _customer(rng: np.random.Generator) -> dict[str, Any]:
    given = GIVEN[int(rng.integers(len(GIVEN)))]
    family = FAMILY[int(rng.integers(len(FAMILY)))]
    serial = int(rng.integers(10, 999))
    email = f"{given.lower()}.{family.lower()}{serial}@example.net"
    phone = f"+1-202-555-01{_digits(rng, 2)}"
    card = _card(rng)
    return {
        "name": f"{given} {family}",
        "email": email,
        "phone": phone,
        "card": card,
        "iban": _iban(rng),
        "ip": f"198.51.100.{int(rng.integers(1, 255))}",
        "note": (
            f"{given} wrote from {email} asking for a refund on card "
            f"{card}; call back on {phone}."
        ),
    }


class CustomersEnv(Env):
    """A support desk with personal data in info (Gymnasium API)."""

    metadata = {"render_modes": []}

    def __init__(self, tickets: int = TICKETS) -> None:
        self.tickets = int(tickets)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(3,), dtype=np.float32)
        self.action_space = spaces.Discrete(3)
        self._served = 0
        self._upset = False
        self._info: dict[str, Any] = {}
        self._obs = np.zeros(3, dtype=np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._served = 0
        self._next_ticket()
        print(f"shift opens with {self._info['customer']['email']}", file=sys.stderr)
        return self._obs.copy(), self._info

    def step(
        self, action: Any
    ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        reward = self._reward(int(action))
        self._served += 1
        self._next_ticket()
        terminated = self._served >= self.tickets
        return self._obs.copy(), reward, terminated, False, self._info

    def _reward(self, action: int) -> float:
        if action == ESCALATE:
            return -0.1
        if action == REFUND:
            return 1.0 if self._upset else -0.5
        return -1.0 if self._upset else 0.5

    def _next_ticket(self) -> None:
        rng = self.np_random
        balance = round(float(rng.gamma(2.0, 1500.0)), 2)
        mood = float(rng.random())
        waited = int(rng.integers(0, 31))
        self._upset = mood > 0.6
        self._info = {
            "customer": _customer(rng),
            "balance": balance,
            "age": int(rng.integers(18, 90)),
        }
        self._obs = np.array(
            [min(balance / BALANCE_SCALE, 1.0), mood, waited / 30.0],
            dtype=np.float32,
        )
