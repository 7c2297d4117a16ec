#!/usr/bin/python3
"""Sum the results of every suite into one "N passed, N failed" line.

Reads meson's testlog.json from each build folder given (a cmocka program
counts as its cases, read from its output; any other test counts as one)
and pytest's JUnit XML files from the results folder. Exits 1 when any
test failed or a suite ran no test at all (a suite whose tests all
skipped, such as the Gymnasium compatibility tests without Gymnasium,
counts its skips and is not an error).
"""

from __future__ import annotations

import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

CMOCKA_RUN = re.compile(r"\[=+\] (\d+) test\(s\) run\.")
CMOCKA_FAILED = re.compile(r"\[  FAILED  \] (\d+) test\(s\)")
CMOCKA_SKIPPED = re.compile(r"\[  SKIPPED \] (\d+) test\(s\)")


def meson_counts(build: pathlib.Path, label: str) -> dict[str, list[int]]:
    log = build / "meson-logs" / "testlog.json"
    suites: dict[str, list[int]] = {}
    if not log.exists():
        return {f"{label}:missing": [0, 1, 0]}
    for line in log.read_text().splitlines():
        t = json.loads(line)
        # "name" reads "gymwarden:unit / core": project:suite / test.
        kind = t["name"].split(" / ")[0].split(":")[-1]
        suite = f"{label}:{kind}"
        if kind == "fuzz":
            suite = "fuzz-corpus"
        counts = suites.setdefault(suite, [0, 0, 0])
        out = (t.get("stdout") or "") + (t.get("stderr") or "")
        ran = CMOCKA_RUN.search(out)
        ok = t["result"] in ("OK", "EXPECTEDFAIL")
        if t["result"] == "SKIP":
            counts[2] += 1
        elif ran:
            failed = sum(int(m) for m in CMOCKA_FAILED.findall(out))
            skipped = sum(int(m) for m in CMOCKA_SKIPPED.findall(out))
            if not ok and failed == 0:
                failed = 1  # crashed or exited non-zero after its cases
            counts[0] += int(ran.group(1)) - failed - skipped
            counts[1] += failed
            counts[2] += skipped
        else:
            counts[0 if ok else 1] += 1
    return suites


def junit_counts(path: pathlib.Path) -> list[int]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = [0, 0, 0]
    for s in suites:
        tests = int(s.get("tests", 0))
        failed = int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped = int(s.get("skipped", 0))
        total[0] += tests - failed - skipped
        total[1] += failed
        total[2] += skipped
    return total


def main(argv: list[str]) -> int:
    *builds, results = (pathlib.Path(a) for a in argv[1:])
    suites: dict[str, list[int]] = {}
    for b in builds:
        suites.update(meson_counts(b, b.name))
    style_rc = results / "style.rc"
    if style_rc.exists():
        bad = style_rc.read_text().strip() != "0"
        suites["style"] = [0 if bad else 1, 1 if bad else 0, 0]
    for xml in sorted(results.glob("pytest-*.xml")):
        suites[xml.stem.removeprefix("pytest-")] = junit_counts(xml)

    empty = [name for name, c in suites.items() if sum(c) == 0]
    for name in empty:
        suites[name][1] += 1
    print()
    for name, (p, f, s) in sorted(suites.items()):
        note = " (ran no test)" if name in empty else ""
        print(f"  {name:<22} {p:5d} passed {f:4d} failed {s:4d} skipped{note}")
    p, f, s = (sum(c[i] for c in suites.values()) for i in range(3))
    print(f"{p} passed, {f} failed, {s} skipped")
    return 1 if f else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
