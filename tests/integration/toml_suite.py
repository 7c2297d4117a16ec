#!/usr/bin/python3
"""Run gymwarden-toml-decode over the toml-test conformance suite.

usage: toml_suite.py DECODER SUITE_DIR

SUITE_DIR is a toml-test checkout (or its tests/ folder) holding
files-toml-1.0.0. Every valid case must decode, exit 0 and print JSON equal
to the expected one; every invalid case must exit with status 1 exactly and
print "gymwarden-toml-decode: <stdin>:LINE:COL: message". Values are
compared the way toml-test compares them: integers as integers, floats as
numbers (nan equal to nan), date-times as the instant or the local fields
they name, everything else as text.
"""

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

LIST_NAME = "files-toml-1.0.0"
TIMEOUT_S = 10
ERROR_LINE = re.compile(r"^gymwarden-toml-decode: <stdin>:\d+:\d+: \S")

DATE = r"(\d{4})-(\d{2})-(\d{2})"
TIME = r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
OFFSET = r"([Zz]|[+-]\d{2}:\d{2})"
DATETIME_FORMS = {
    "datetime": re.compile(f"^{DATE}[Tt ]{TIME}{OFFSET}$"),
    "datetime-local": re.compile(f"^{DATE}[Tt ]{TIME}$"),
    "date-local": re.compile(f"^{DATE}$"),
    "time-local": re.compile(f"^{TIME}$"),
}


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def nanos(frac: Optional[str]) -> int:
    """Fractional seconds as nanoseconds; digits past nine are dropped."""
    return int((frac or "").ljust(9, "0")[:9])


def datetime_key(kind: str, text: str) -> Optional[tuple]:
    """What two date-times of one kind must share to be equal."""
    m = DATETIME_FORMS[kind].match(text)
    if not m:
        return None
    g = m.groups()
    if kind == "time-local":
        return (int(g[0]), int(g[1]), int(g[2]), nanos(g[3]))
    if kind == "date-local":
        return tuple(int(x) for x in g)
    fields = tuple(int(x) for x in g[:6]) + (nanos(g[6]),)
    if kind == "datetime-local":
        return fields
    off = g[7]
    off_min = 0
    if off not in "Zz":
        sign = -1 if off[0] == "-" else 1
        off_min = sign * (int(off[1:3]) * 60 + int(off[4:6]))
    y, mo, d, h, mi, s, ns = fields
    secs = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s
            - off_min * 60)
    return (secs, ns)


def float_value(text: str) -> float:
    return float(text.replace("_", ""))


def same_leaf(want: dict, got: Any) -> Optional[str]:
    """None when got is the tagged leaf want, else why not."""
    if not isinstance(got, dict) or set(got) != {"type", "value"}:
        return f"expected a {want['type']} leaf, got {json.dumps(got)}"
    kind, wv, gv = want["type"], want["value"], got["value"]
    if got["type"] != kind:
        return f"expected type {kind}, got {got['type']}"
    if not isinstance(gv, str):
        return f"value {gv!r} is not a string"
    try:
        if kind == "integer":
            same = int(wv) == int(gv)
        elif kind == "float":
            a, b = float_value(wv), float_value(gv)
            same = (math.isnan(a) and math.isnan(b)) or a == b
        elif kind in DATETIME_FORMS:
            k = datetime_key(kind, gv)
            same = k is not None and k == datetime_key(kind, wv)
        else:
            same = wv == gv
    except ValueError:
        same = False
    return None if same else f"expected {kind} {wv!r}, got {gv!r}"


def is_leaf(v: Any) -> bool:
    return (isinstance(v, dict) and set(v) == {"type", "value"}
            and isinstance(v["type"], str))


def compare(want: Any, got: Any, path: str) -> Optional[str]:
    """None when got matches the expected tagged JSON want."""
    if is_leaf(want):
        why = same_leaf(want, got)
        return f"{path}: {why}" if why else None
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return f"{path}: expected an array of {len(want)}"
        for i, (w, g) in enumerate(zip(want, got)):
            why = compare(w, g, f"{path}[{i}]")
            if why:
                return why
        return None
    if not isinstance(got, dict) or is_leaf(got):
        return f"{path}: expected a table"
    if set(want) != set(got):
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        return f"{path}: keys differ (missing {missing}, extra {extra})"
    for k in want:
        why = compare(want[k], got[k], f"{path}.{k}")
        if why:
            return why
    return None


def run(decoder: str, toml: Path) -> subprocess.CompletedProcess:
    return subprocess.run([decoder], input=toml.read_bytes(),
                          capture_output=True, timeout=TIMEOUT_S)


def check_valid(decoder: str, toml: Path) -> Optional[str]:
    try:
        res = run(decoder, toml)
    except subprocess.TimeoutExpired:
        return "timed out"
    if res.returncode != 0:
        err = res.stderr.decode(errors="replace").strip()
        return f"exit status {res.returncode}: {err}"
    want = json.loads(toml.with_suffix(".json").read_text(encoding="utf-8"))
    try:
        got = json.loads(res.stdout)
    except ValueError as e:
        return f"output is not JSON: {e}"
    return compare(want, got, "$")


def check_invalid(decoder: str, toml: Path) -> Optional[str]:
    try:
        res = run(decoder, toml)
    except subprocess.TimeoutExpired:
        return "timed out"
    if res.returncode < 0:
        return f"killed by signal {-res.returncode}"
    if res.returncode != 1:
        return f"exit status {res.returncode}, expected 1 (rejected)"
    err = res.stderr.decode(errors="replace")
    if not ERROR_LINE.match(err):
        return f"error not in the form <stdin>:LINE:COL: {err.strip()!r}"
    return None


def suite_root(arg: str) -> Path:
    root = Path(arg)
    for cand in (root / "tests", root):
        if (cand / LIST_NAME).is_file():
            return cand
    sys.exit(f"toml_suite.py: no {LIST_NAME} under {arg}")


def main(argv: list) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    decoder, root = argv[1], suite_root(argv[2])
    if not os.access(decoder, os.X_OK):
        print(f"toml_suite.py: {decoder}: not an executable", file=sys.stderr)
        return 2
    names = (root / LIST_NAME).read_text(encoding="utf-8").split()
    passed = rejected = failed = 0

    for name in names:
        if not name.endswith(".toml"):
            continue
        path = root / name
        if name.startswith("valid/"):
            why = check_valid(decoder, path)
            passed += why is None
        else:
            why = check_invalid(decoder, path)
            rejected += why is None
        if why:
            failed += 1
            print(f"FAIL {name}: {why}")

    print(f"toml-test: {passed} valid passed, {rejected} invalid rejected, "
          f"{failed} failed")
    return 1 if failed or passed + rejected == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
