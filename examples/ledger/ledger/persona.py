"""Synthetic customers: names, e-mail addresses, phone numbers, card and
account numbers that look real to a scanner but belong to no one.

Everything is drawn from a numpy Generator, so a seed gives the same
people again. E-mail domains are the reserved example.com/.org/.net,
phone numbers use the ranges set aside for fiction (555-0100..0199 in
North America, 020 7946 0xxx in London), card numbers pass the Luhn check
and IBANs carry valid mod-97 check digits, so that a sanitizer has to
catch them by their shape and checksum.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FIRST_NAMES = (
    "Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Gustav", "Hana",
    "Ivo", "Jonas", "Keiko", "Lars", "Marisol", "Nadia", "Oskar", "Priya",
    "Quentin", "Rosa", "Sven", "Tamsin", "Ugo", "Vera", "Wen", "Yusuf",
)
LAST_NAMES = (
    "Abara", "Berglund", "Castellano", "Dvorak", "Eriksen", "Fontaine",
    "Gallagher", "Holm", "Iwata", "Jablonski", "Kowalczyk", "Lindqvist",
    "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rinaldi",
    "Szabo", "Takahashi", "Uribe", "Varga", "Whitlock", "Zielinski",
)
DOMAINS = ("example.com", "example.org", "example.net")


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(int(d)) for d in rng.integers(10, size=n))


def luhn_check_digit(body: str) -> str:
    """The digit that makes body + digit pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """Whether the digits of number (spaces ignored) pass the Luhn check."""
    digits = number.replace(" ", "")
    return digits.isdigit() and luhn_check_digit(digits[:-1]) == digits[-1]


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits of an IBAN for country and bban (ISO 13616)."""
    moved = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in moved)
    return f"{98 - int(numeric) % 97:02d}"


def iban_valid(iban: str) -> bool:
    """Whether iban (spaces ignored) has valid mod-97 check digits."""
    compact = iban.replace(" ", "")
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def card_number(rng: np.random.Generator) -> str:
    """A 16-digit number starting with 4 that passes Luhn, in groups of 4."""
    body = "4" + _digits(rng, 14)
    number = body + luhn_check_digit(body)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


def iban(rng: np.random.Generator) -> str:
    """A made-up British or German IBAN with valid check digits."""
    if rng.random() < 0.5:
        letters = "".join(chr(ord("A") + int(i)) for i in rng.integers(26, size=4))
        country, bban = "GB", letters + _digits(rng, 14)
    else:
        country, bban = "DE", _digits(rng, 18)
    compact = country + iban_check_digits(country, bban) + bban
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def phone(rng: np.random.Generator) -> str:
    """A number from a range reserved for fiction."""
    if rng.random() < 0.5:
        return f"+1-{int(rng.integers(200, 1000))}-555-01{_digits(rng, 2)}"
    return f"+44 20 7946 0{_digits(rng, 3)}"


def person(rng: np.random.Generator) -> dict[str, Any]:
    """One synthetic customer record."""
    first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
    last = LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]
    number = int(rng.integers(1, 1000))
    domain = DOMAINS[int(rng.integers(len(DOMAINS)))]
    if rng.random() < 0.5:
        email = f"user{number}@{domain}"
    else:
        email = f"{first.lower()}.{last.lower()}{number}@{domain}"
    year = int(rng.integers(1940, 2006))
    month = int(rng.integers(1, 13))
    day = int(rng.integers(1, 29))
    return {
        "name": f"{first} {last}",
        "email": email,
        "phone": phone(rng),
        "date_of_birth": f"{year:04d}-{month:02d}-{day:02d}",
    }
