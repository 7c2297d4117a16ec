#!/usr/bin/python3
"""Score the sanitize engine on the labelled corpus.

Runs `gymwarden sanitize --detect --plain` over the corpus texts and
compares its findings with the labels: a finding is a true positive when
it has the labelled kind and overlaps the labelled span by at least half
of the longer of the two. Prints precision and recall per kind, and the
findings on the trap and clean sets (which should have none).

    score.py [--gymwarden PATH] [--no-jit] [CORPUS]

Without CORPUS the corpus is generated (gen_corpus.py, default seed).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_corpus  # noqa: E402


def default_binary() -> str:
    build = os.environ.get("GYMWARDEN_BUILD",
                           str(HERE.parent.parent / "build"))
    return str(Path(build) / "src" / "cli" / "gymwarden")


def detect(binary: str, texts: list[str], no_jit: bool = False) -> list[list[dict]]:
    cmd = [binary, "sanitize", "--detect", "--plain"]
    if no_jit:
        cmd.append("--no-jit")
    data = "".join(t + "\n" for t in texts).encode()
    p = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"gymwarden sanitize failed: {p.stderr.decode()}")
    lines = p.stdout.decode().splitlines()
    if len(lines) != len(texts):
        raise RuntimeError(f"{len(lines)} answers for {len(texts)} lines")
    return [json.loads(ln)["findings"] for ln in lines]


def overlaps(a: dict, b: dict) -> bool:
    inter = min(a["end"], b["end"]) - max(a["start"], b["start"])
    longest = max(a["end"] - a["start"], b["end"] - b["start"])
    return inter > 0 and 2 * inter >= longest


def score(records: list[dict], found: list[list[dict]],
          which: tuple[str, ...] = ("pos", "trap", "clean")) -> dict:
    """Counts per kind: tp, fp, fn, exact; and hits per non-positive set."""
    kinds: dict[str, dict[str, int]] = {}
    sets: dict[str, dict] = {"trap": {"lines": 0, "hits": []},
                             "clean": {"lines": 0, "hits": []}}

    def k(name: str) -> dict[str, int]:
        return kinds.setdefault(name, {"tp": 0, "fp": 0, "fn": 0, "exact": 0})

    for rec, got in zip(records, found):
        if rec["set"] not in which:
            continue
        if rec["set"] in sets:
            sets[rec["set"]]["lines"] += 1
            for f in got:
                text = rec["text"].encode()[f["start"]:f["end"]].decode(errors="replace")
                sets[rec["set"]]["hits"].append((f["kind"], f["rule"], text))
        used = set()
        for gold in rec["spans"]:
            match = None
            for i, f in enumerate(got):
                if i not in used and f["kind"] == gold["kind"] and overlaps(f, gold):
                    match = i
                    break
            if match is None:
                k(gold["kind"])["fn"] += 1
                continue
            used.add(match)
            k(gold["kind"])["tp"] += 1
            if (got[match]["start"], got[match]["end"]) == (gold["start"], gold["end"]):
                k(gold["kind"])["exact"] += 1
        for i, f in enumerate(got):
            if i not in used:
                k(f["kind"])["fp"] += 1
    return {"kinds": kinds, "sets": sets}


def table(result: dict) -> str:
    rows = ["kind              labelled  found  prec    recall  exact"]
    for name in sorted(result["kinds"]):
        c = result["kinds"][name]
        lab, fnd = c["tp"] + c["fn"], c["tp"] + c["fp"]
        p = c["tp"] / fnd if fnd else 1.0
        r = c["tp"] / lab if lab else 1.0
        e = c["exact"] / c["tp"] if c["tp"] else 1.0
        rows.append(f"{name:<17} {lab:>8} {fnd:>6}  {p:.3f}   {r:.3f}   {e:.3f}")
    for s, v in result["sets"].items():
        rows.append(f"{s} set: {v['lines']} lines, {len(v['hits'])} findings")
        for kind, rule, text in v["hits"][:20]:
            rows.append(f"  {kind} ({rule}): {text!r}")
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gymwarden", default=default_binary())
    ap.add_argument("--no-jit", action="store_true")
    ap.add_argument("--misses", action="store_true", help="print missed spans")
    ap.add_argument("corpus", nargs="?")
    args = ap.parse_args()
    if args.corpus:
        with open(args.corpus, encoding="utf-8") as f:
            records = [json.loads(ln) for ln in f]
    else:
        records = gen_corpus.generate(20261203, 200)
    found = detect(args.gymwarden, [r["text"] for r in records], args.no_jit)
    result = score(records, found)
    print(table(result))
    print("\nunseen forms (written after tuning; not asserted):")
    print(table(score(records, found, ("unseen",))).split("\ntrap set")[0])
    if args.misses:
        for rec, got in zip(records, found):
            for gold in rec["spans"]:
                if not any(f["kind"] == gold["kind"] and overlaps(f, gold) for f in got):
                    print("MISS", gold["kind"], repr(rec["text"]), got)
    return 0


if __name__ == "__main__":
    sys.exit(main())
