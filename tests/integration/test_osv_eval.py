"""The C advisory matcher against an independent evaluation in Python.

300 (project, version) pairs are drawn from the shared PyPA database
(seeded, so every run draws the same): versions the records say are
affected, fixed versions and versions past every fix, and respellings
(unnormalized versions and names, local and pre-releases, versions that
are not PEP 440). For each, the advisories (and how sure each match is)
that build/tests/tools/osv_match prints must be exactly the ones this
file computes. This side implements the OSV schema's evaluation itself,
from the schema's text, with packaging's Version for PEP 440; it shares
no code with src/deps. The two choices the schema leaves open are made
the same way on both sides and written out below (docs/deps.md,
"Advisories").
"""

from __future__ import annotations

import json
import pathlib
import random
import subprocess

import pytest
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PAIRS = 300
SEED = 440

# Events of the same version apply in this order: a fix before a new
# introduction ("[a, X) then [X, b)" keeps X affected) and an
# introduction before a last_affected ("[X, X]" holds X).
KIND_ORDER = {"fixed": 0, "introduced": 1, "last_affected": 2, "limit": 3}


def parse(text: str) -> Version | None:
    if not text.isascii():
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


class Range:
    """One ECOSYSTEM or SEMVER range, its events sorted by version.

    An event that is not PEP 440 is never guessed at: an "introduced"
    counts as "0", anything else as absent, and the range is inexact.
    A range without an introduction starts at "0", also inexact.
    """

    def __init__(self, events: list[dict[str, str]]) -> None:
        self.inexact = False
        self.events: list[tuple[str, Version | None]] = []
        for ev in events:
            ((kind, text),) = ev.items()
            if (kind, text) in (("introduced", "0"), ("limit", "*")):
                self.events.append((kind, None))
                continue
            v = parse(text)
            if v is None:
                self.inexact = True
                if kind == "introduced":
                    self.events.append((kind, None))
                continue
            self.events.append((kind, v))
        if not any(kind == "introduced" for kind, _ in self.events):
            self.events.append(("introduced", None))
            self.inexact = True

        def key(item: tuple[str, Version | None]):
            kind, v = item
            if v is None:  # "0" before all, "*" after all
                return (1 if kind == "limit" else -1, Version("0"), 0)
            return (0, v, KIND_ORDER[kind])

        self.events.sort(key=key)

    def covers(self, v: Version) -> bool:
        affected = False
        limits = []
        for kind, at in self.events:
            if kind == "introduced":
                if at is None or v >= at:
                    affected = True
            elif kind == "fixed":
                if v >= at:
                    affected = False
            elif kind == "last_affected":
                if v > at:
                    affected = False
            else:
                limits.append(at is None or v < at)
        return affected and (not limits or any(limits))

    def covers_everything(self) -> bool:
        return not self.inexact and self.events == [("introduced", None)]


class Entry:
    """One affected[] entry for PyPI."""

    def __init__(self, aff: dict) -> None:
        ranges = aff.get("ranges", [])
        self.ranges = [
            Range(r["events"]) for r in ranges if r["type"] in ("ECOSYSTEM", "SEMVER")
        ]
        self.git = any(r["type"] == "GIT" for r in ranges)
        listed = aff.get("versions", [])
        self.listed = [v for v in map(parse, listed) if v is not None]
        self.unparsed = [t.lower() for t in listed if parse(t) is None]

    def judge(self, text: str) -> str | None:
        v = parse(text)
        if v is None:
            if text.lower() in self.unparsed:
                return "E"
            return "E" if any(r.covers_everything() for r in self.ranges) else None
        hits = [r for r in self.ranges if r.covers(v)]
        if any(not r.inexact for r in hits) or v in self.listed:
            return "E"
        if hits:
            return "I"
        if self.git and not self.ranges and not self.listed and not self.unparsed:
            return "G"
        return None


class Database:
    def __init__(self, folder: pathlib.Path) -> None:
        self.records: dict[str, list[tuple[str, bool, Entry]]] = {}
        self.raw: list[tuple[dict, dict]] = []
        for path in sorted(folder.glob("*.json")):
            rec = json.loads(path.read_text(encoding="utf-8"))
            withdrawn = bool(rec.get("withdrawn"))
            for aff in rec.get("affected", []):
                if aff.get("package", {}).get("ecosystem") != "PyPI":
                    continue
                name = canonicalize_name(aff["package"]["name"])
                self.records.setdefault(name, []).append(
                    (rec["id"], withdrawn, Entry(aff))
                )
                self.raw.append((rec, aff))

    def expected(self, name: str, version: str) -> str:
        rank = {"E": 3, "I": 2, "G": 1}
        best: dict[str, tuple[str, bool]] = {}
        for rid, withdrawn, entry in self.records.get(canonicalize_name(name), []):
            got = entry.judge(version)
            if got and (rid not in best or rank[got] > rank[best[rid][0]]):
                best[rid] = (got, withdrawn)
        hits = [f"{rid}:{c}{'W' if w else ''}" for rid, (c, w) in sorted(best.items())]
        return ",".join(hits) or "-"


def respell(rng: random.Random, text: str) -> str:
    """The same PEP 440 version written another way."""
    v = parse(text)
    if v is None:
        return text
    forms = [
        text + ".0" if not v.pre and not v.post and not v.dev and not v.local else text,
        "v" + text,
        text.upper(),
        " " + text + " ",
        str(v).replace(".post", "-").replace(".dev", "dev") if v.post else text,
        str(v).replace("rc", "c").replace("a", "alpha").replace("b", "beta"),
    ]
    return rng.choice(forms)


def respell_name(rng: random.Random, name: str) -> str:
    return rng.choice([name, name.upper(), name.replace("-", "_"), name.replace("-", ".")])


def newest_bound(db: Database) -> dict[str, Version]:
    """Per project, the highest version any of its ranges names."""
    top: dict[str, Version] = {}
    for _, aff in db.raw:
        name = canonicalize_name(aff["package"]["name"])
        for r in aff.get("ranges", []):
            for e in r["events"] if r["type"] != "GIT" else []:
                v = parse(next(iter(e.values())))
                if v is not None and (name not in top or v > top[name]):
                    top[name] = v
    return top


def draw(db: Database) -> list[tuple[str, str]]:
    rng = random.Random(SEED)
    top = newest_bound(db)
    pairs: list[tuple[str, str]] = []
    while len(pairs) < PAIRS:
        rec, aff = rng.choice(db.raw)
        name = aff["package"]["name"]
        listed = aff.get("versions", [])
        events = [
            (k, v)
            for r in aff.get("ranges", [])
            if r["type"] != "GIT"
            for e in r["events"]
            for k, v in e.items()
        ]
        fixed = [v for k, v in events if k in ("fixed", "last_affected")]
        past = top.get(canonicalize_name(name), Version("0")).release
        kind = len(pairs) % 8
        if kind in (0, 1) and listed:  # listed as affected
            pairs.append((name, rng.choice(listed)))
        elif kind == 2 and events:  # a range's own bounds
            pairs.append((name, rng.choice([v for _, v in events])))
        elif kind == 3 and fixed:  # a fix
            pairs.append((name, rng.choice(fixed)))
        elif kind == 4 and listed:  # respelled
            pairs.append((respell_name(rng, name), respell(rng, rng.choice(listed))))
        elif kind == 5:  # local and pre-releases around a bound
            base = rng.choice(listed or fixed or ["1.0"])
            suffix = rng.choice(["+local.1", "rc1", ".dev3", ".post1", "a1"])
            pairs.append((name, base + suffix))
        elif kind in (6, 7):  # past every bound: clean unless never fixed
            bump = ".".join(map(str, (past[0] + 1,) + past[1:]))
            pairs.append((name, bump + rng.choice(["", ".post1", "+x", "rc1"])))
    return pairs


@pytest.fixture(scope="module")
def osv_dir(shared_data: pathlib.Path) -> pathlib.Path:
    folder = shared_data / "osv-pypi"
    if not folder.is_dir():
        pytest.skip(f"no OSV records at {folder}")
    return folder


def run_matcher(build_dir: pathlib.Path, folder: pathlib.Path, pairs) -> list[str]:
    exe = build_dir / "tests" / "tools" / "osv_match"
    if not exe.exists():
        pytest.fail(f"{exe} not built")
    text = "".join(f"{n}\t{v}\n" for n, v in pairs)
    done = subprocess.run(
        [str(exe), str(folder)], input=text, capture_output=True, text=True,
        timeout=120, check=True,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == len(pairs), done.stderr
    return [line.split("\t")[2] for line in lines]


def test_matcher_agrees_with_independent_osv_evaluation(build_dir, osv_dir):
    db = Database(osv_dir)
    pairs = draw(db)
    got = run_matcher(build_dir, osv_dir, pairs)
    want = [db.expected(n, v) for n, v in pairs]

    differ = [(p, g, w) for p, g, w in zip(pairs, got, want) if g != w]
    vulnerable = sum(w != "-" for w in want)
    print(
        f"\nosv eval: {len(pairs)} pairs, {len(pairs) - len(differ)} agree "
        f"({vulnerable} with advisories, {len(pairs) - vulnerable} clean)"
    )
    for (name, version), g, w in differ[:10]:
        print(f"  {name} {version!r}: C {g}  Python {w}")
    assert not differ
    # The sample must exercise both sides of the question.
    assert vulnerable >= 100 and len(pairs) - vulnerable >= 30


def test_matcher_flags_the_odd_records(build_dir, osv_dir):
    pairs = [
        ("binderhub", "0.2.0"),  # fixed "0.2.0-n653" is not PEP 440
        ("steam", "1.5.3"),  # fixed "2019-09-12" neither
        ("aiohttp", "3.9.2"),  # only a withdrawn record left
        ("rope", "0.3m1"),  # a versions[] entry that is not PEP 440
        ("PySpark", "3.1.1"),  # an introduced equal to a fix
    ]
    got = run_matcher(build_dir, osv_dir, pairs)
    assert got[0] == "PYSEC-2021-371:I"
    assert got[1] == "PYSEC-2019-125:I"
    assert got[2] == "PYSEC-2022-43059:EW"
    assert "PYSEC-2018-100:E" in got[3]
    assert "PYSEC-2022-236:E" in got[4]
