"""Approve, decline or escalate card payments during a 50-payment shift.

Observation: Box(float32, (3,), 0..1): the amount (in units of 5000,
capped at 1), a risk score, and the hour of day divided by 23. Action:
Discrete(3): 0 approve, 1 decline, 2 escalate. Whether a payment is
fraud is hidden; it is more likely the higher the risk. Reward: approve
a good payment +1, approve fraud -5, decline fraud +2, decline a good
payment -1, escalate -0.2. The shift (episode) ends after 50 payments.

``info`` describes the payment under review with a synthetic customer
(name, e-mail, phone, date of birth, card number, IBAN, IP address and a
free-text memo that repeats some of them), so that info sanitization has
something to find. See ``persona.py``; none of it belongs to anyone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gwexample_compat import Env, spaces
from ledger import persona

SHIFT = 50
AMOUNT_SCALE = 5000.0
APPROVE, DECLINE, ESCALATE = 0, 1, 2


class LedgerEnv(Env):
    """Fraud review with personal data in info (Gymnasium API)."""

    metadata = {"render_modes": []}

    def __init__(self, shift: int = SHIFT) -> None:
        self.shift = int(shift)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(3,), dtype=np.float32)
        self.action_space = spaces.Discrete(3)
        self._reviewed = 0
        self._payment: dict[str, Any] = {}
        self._fraud = False
        self._features = np.zeros(3, dtype=np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._reviewed = 0
        self._next_payment()
        return self._features.copy(), {"payment": self._payment}

    def step(
        self, action: Any
    ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        reward = self._judge(int(action))
        outcome = "fraud" if self._fraud else "genuine"
        self._reviewed += 1
        self._next_payment()
        terminated = self._reviewed >= self.shift
        info = {"payment": self._payment, "previous_outcome": outcome}
        return self._features.copy(), reward, terminated, False, info

    def _judge(self, action: int) -> float:
        if action == ESCALATE:
            return -0.2
        if action == APPROVE:
            return -5.0 if self._fraud else 1.0
        return 2.0 if self._fraud else -1.0

    def _next_payment(self) -> None:
        rng = self.np_random
        amount = round(float(rng.lognormal(4.0, 1.2)), 2)
        risk = float(rng.beta(2.0, 5.0))
        hour = int(rng.integers(24))
        self._fraud = bool(rng.random() < risk * risk)
        customer = persona.person(rng)
        card = persona.card_number(rng)
        memo = (
            f"Customer {customer['name']} asked to send the receipt to "
            f"{customer['email']} and to call {customer['phone']} about card "
            f"ending {card[-4:]}."
        )
        self._payment = {
            "id": f"T{self._reviewed:06d}",
            "amount": amount,
            "currency": "EUR",
            "customer": customer,
            "card": card,
            "iban": persona.iban(rng),
            "ip": f"192.0.2.{int(rng.integers(1, 255))}",
            "memo": memo,
        }
        self._features = np.array(
            [min(amount / AMOUNT_SCALE, 1.0), risk, hour / 23.0], dtype=np.float32
        )
