#!/usr/bin/env python3
"""Write data/popular-packages.txt from the PyPI download ranking.

Run once by hand when the ranking is refreshed; the product reads only the
text file this writes, never the ranking itself:

    python3 data/make_popular.py ../shared/data/top-pypi-packages.json

The output is the first COUNT project names by downloads, PEP 503
normalized and without duplicates, in rank order, then the reinforcement
learning stack gymwarden's users depend on (kept even when the ranking
leaves them out), one name a line, after a comment header.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re

COUNT = 5000
RL_STACK = [
    "gym",
    "gymnasium",
    "stable-baselines3",
    "torch",
    "numpy",
    "mujoco",
    "pettingzoo",
    "ray",
]
HERE = pathlib.Path(__file__).resolve().parent


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ranking", type=pathlib.Path)
    ap.add_argument("--count", type=int, default=COUNT)
    ap.add_argument("--output", type=pathlib.Path,
                    default=HERE / "popular-packages.txt")
    args = ap.parse_args()

    doc = json.loads(args.ranking.read_text(encoding="utf-8"))
    names: list[str] = []
    seen: set[str] = set()
    for row in doc["rows"]:
        name = normalize(row["project"])
        if name not in seen and len(names) < args.count:
            seen.add(name)
            names.append(name)
    extra = [n for n in map(normalize, RL_STACK) if n not in seen]

    header = [
        "# Popular PyPI projects, most downloaded first, PEP 503 normalized:",
        f"# the top {args.count} of the 30-day ranking of "
        f"{doc.get('last_update', 'unknown date')}",
        "# (hugovk/top-pypi-packages, data from the ClickHouse PyPI",
        "# downloads dataset), then the reinforcement-learning stack.",
        "# Written by data/make_popular.py; typosquat candidates are",
        "# names one slip away from these.",
    ]
    args.output.write_text("\n".join(header + names + extra) + "\n",
                           encoding="utf-8")


if __name__ == "__main__":
    main()
