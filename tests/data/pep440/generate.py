#!/usr/bin/python3
"""Write the PEP 440 / 503 / 508 tables the C unit tests read.

Run once, by hand, with Debian's python3-packaging 23 (the answers are
packaging's), and commit the output:

    /usr/bin/python3 tests/data/pep440/generate.py [../shared/data/osv-pypi]

The version strings are hand-picked cases plus every version in the OSV
records (range events and versions[]) that packaging rejects or writes
differently from how it was given. Where packaging 23 departs from the
text of PEP 440, the expected answer is the PEP's and the row says so in
its last column (see OVERRIDES below and docs/deps.md). Fields are
escaped: printable ASCII stays, a backslash is doubled, any other byte of
the UTF-8 text becomes \\xNN.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys

import packaging
from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DEFAULT_OSV = ROOT.parent / "shared" / "data" / "osv-pypi"

VERSIONS = """
0 0.0 00 1 1.0 1.0.0 1.0.0.0 01.02.03 1.2.3.4.5.6.7.8.9.10 v1.0 V1.0 vv1.0
1.0a1 1.0A1 1.0alpha1 1.0ALPHA1 1.0.a1 1.0-a1 1.0_a1 1.0a.1 1.0a-1 1.0a_1
1.0a 1.0alpha 1.0b 1.0beta 1.0beta2 1.0c1 1.0C 1.0rc1 1.0RC1 1.0pre1 1.0PRE
1.0preview 1.0preview2 1.0-preview-3 1.0.pre.4 1.0rc 1.0a- 1.0a. 1.0b_
1.0.post1 1.0post1 1.0-post1 1.0_post1 1.0.post 1.0-post 1.0post 1.0-1
1.0-r1 1.0r 1.0rev 1.0rev2 1.0.r.3 1.0-rev-4 1.0.POST1 1.0-
1.0.dev1 1.0dev1 1.0-dev1 1.0_dev1 1.0.dev 1.0dev 1.0.DEV2 1.0-dev-3
1.0a1.dev1 1.0a1-dev1 1.0rc2.post1 1.0rc2.post1.dev3 1.0.post1.dev1
1.0a1.post1.dev1 1.0a.post.dev 1.0a1-1 1.0a--1 1.0a.-1 1!1.0 1!1.0a1 0!1.0
10!2.0.post3.dev4+abc.5 1.0+local 1.0+LOCAL 1.0+local.1 1.0+local-1
1.0+local_1 1.0+1.2.3 1.0+01 1.0+abc.01 1.0+a1b2 1.0+ 1.0+a. 1.0+.a 1.0++a
1.0+a..b 1.0+-a 1.0+a_-b 1.0.* 1.* * 1.0. .1 1..0 1.0.0- a1 1.0x 1.0.dev1.post1
1.0-dev-post 1.0b1.a1 1!2!3 !1 1! 1.0-1-1 1.0-1.post2 1.0.post1.post2
1.0post1a1 1.0.dev1a1 1.0+a+b v 1.0v 1.0_ 1.0__a1 1.0a1__dev1 1.0-_a1
18446744073709551615 18446744073709551616 1.18446744073709551616
1.0.post18446744073709551615 1.0+18446744073709551616
1.0+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1.0+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16 1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17
1+1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16
1+1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17
2019-09-12 0.2.0-n653 0.1.2-1 3.8-rc 2013-01-21T20:33:09+0100 trunk
""".split()

# Whitespace and other bytes that str.split would lose.
VERSIONS += [
    " 1.0", "1.0 ", "\t1.0\n", "\v1.0\f", "\r1.0\r\n", "1.0\x1c", "\x1f1.0",
    "1. 0", "1.0 a1", "1 .0", "", " ", "1.0\x00", "1.0\x7f", "v 1.0",
    "1.0\u00a0", "1.0.po\u017ft1", "\u0661.0", "1.0+\u00e9",
]

ORDER = """
0.dev0 0a0 0 0.0.post1 0.1 1.0.dev456 1.0a1 1.0a2.dev456 1.0a12.dev456
1.0a12 1.0b1.dev456 1.0b2 1.0b2.post345.dev456 1.0b2.post345 1.0rc1.dev456
1.0rc1 1.0 1.0.0 1.0+abc.5 1.0+abc.7 1.0+5 1.0.post456.dev34 1.0.post456
1.0.15 1.1.dev1 1.1a1 1.1 1.1.0.0.0 1!0.1 1!1.0 2!0.0.dev0 1.0+abc 1.0+abc.def
1.0+0 1.0+0.abc 1.0+abc.0 1.0+abc.1 1.0+ABC.2 1.0+1.0 1.0.post0 1.0-0
1.0.post0.dev0 1.0.post0.dev1 1.0rc0 1.0c1 1.0a0 1.0a 1.0.dev0 1.0.dev
0.9 0.9.99999 1.0.0.0.0.1 1.01 1.10 1.9 1.2 1.2.post1 1.2.post1+l 1.2+l
2.0a1.post1 2.0a1.post1.dev1 2.0a1 2.0b1.post1 2.0rc1.post1 2.0.post1.dev1
""".split()

SPECS = """
~=1.0 ~=1.0.0 ~=1.4.5 ~=2.2.post3 ~=1.4.5a4 ~=1.0.dev1 ~=1!1.0 ~=0.9
==1.0 ==1.0.0 ==1 ==1.0+local ==1.0+LOCAL.1 ==1.0a1 ==1.0.post1 ==1.0.dev1
==1.* ==1.0.* ==1.0.0.* ==1!1.* ==2.* ==0.* ==1.1.* ==v1.0 ==1.0a1.* ==1.0+l.*
!=1.0 !=1.0.* !=1.* !=1.0+local !=1.0a1 !=1!1.*
<1.0 <1.0a1 <1.0.post1 <1.0.dev1 <2.0 <1!0 <1.0+local
<=1.0 <=1.0a1 <=1.0.post1 <=1.0+local <=2.0
>1.0 >1.0a1 >1.0.post1 >1.0.dev1 >0.9 >1!0 >1.0.post1.dev1 >1.0+local
>=1.0 >=1.0a1 >=1.0.dev1 >=1.0.post1 >=0 >=1!1.0 >=2.0rc1
===1.0 ===1.0+local ===foo ===1.0.0 ===1.0A1 ===1.0a1 === ===1.0.*
~=1 ~=1.0.* ~=1.0+local <1.0.* >=1.0.* <=1.0+local >1.0+local >=1.0+l
==1.0.*.* ==1.0* ==1.0.post1.* ==1.0.dev1.* == 1.0 >= 1.0 ~= 1.0 =1.0 =>1.0
==1.0 .* <<1.0 ==1.0,>2 1.0
""".split()

SPECS += ["== 1.0.*", " >=1.0 ", "!= 1.0+l", "~=\t1.0", "===\t1.0"]

CANDIDATES = """
0 0.9 0.9.9 1.0.dev1 1.0a1 1.0a2 1.0b1 1.0rc1 1.0 1.0.0 1.0+local 1.0+local.1
1.0+l 1.0.post1 1.0.post1+l 1.0.post1.dev1 1.0.post2 1.0.1 1.0.1a1 1.1 1.1.dev1
1.1+l 1.4.5 1.4.5a4 1.4.6 1.5 2.0 2.0a1 2.0rc1 2.2.post3 2.2.post4 2.3 3.0
1!0 1!1.0 1!1.0a1 1!1.1 1!2.0 1.0.0.1 1.2 foo 1.0A1 1.0.0+local
""".split()

SPECSETS = [
    "", ">=1.0,<2.0", ">=1.0a1,<2.0", ">=1.0,<2.0a1", ">=1.0,!=1.5.*,<2",
    "~=1.0,!=1.1", "==1.0,==1.0.0", "==1.0,==2.0", ">=1,,<2", ">=1.0,",
    "<2.0", ">0.9,<=1.0a1", "!=1.0a1", "==1.*,>=1.0rc1", "===1.0,>=0",
    " >= 1.0 , < 2.0 ", ">=1.0,<2.0,bad", "<1.0.post1", ">=1.0.post1.dev1",
]

NAMES = """
foo Foo FOO foo-bar foo_bar foo.bar Foo-_.Bar foo--bar foo__bar foo..bar a A 1
0x a-b-c a_b-c.d zope.interface Django PyYAML ruamel.yaml.clib -foo foo- _foo
foo_ .foo foo. foo@bar foo/bar foo+bar foo!bar 9lives a1-b2
""".split() + ["foo bar", "", "f\u00f6o", "foo\t"]

REQUIREMENTS = [
    "foo", "Foo_Bar", "foo>=1.0", "foo >= 1.0", "foo (>=1.0)", "foo(>=1.0,<2)",
    "foo>=1.0,<2.0", "foo >=1.0 , <2.0", "foo==1.*", "foo~=1.4.2", "foo!=1.5",
    "foo===1.0", "foo===1.0,>=0", "foo[bar]", "foo[bar,baz]>=1",
    "foo[ bar , baz ]", "foo[]", "foo [bar]", "foo[Bar_Baz]", "foo[bar,bar]",
    "foo[bar baz]", "foo[bar,]", "foo[,bar]", "foo[bar", "foo>=1.0,",
    "foo()", "foo ( )", "foo(>=1.0", "foo>=1.0)", "foo>=", "foo>=1.0 <2",
    "foo; python_version < '3.8'", "foo ; python_version<\"3.8\"",
    "foo>=1.0; os_name == 'posix'", "foo>=1.0 ;os_name=='nt'",
    "foo; extra == 'security'", "foo; extra == 'Security'",
    "foo; extra == \"other\"", "foo; extra != 'security'",
    "foo; python_version >= '3.11' and sys_platform == 'linux'",
    "foo; python_version < '3' or platform_machine == 'x86_64'",
    "foo; (python_version < '3' or os_name == 'posix') and extra == 'x'",
    "foo; python_full_version >= '3.11.1'", "foo; python_version > '3.9'",
    "foo; python_version == '3.11.*'", "foo; python_version ~= '3.10'",
    "foo; python_version in '3.10 3.11'", "foo; python_version not in '3.11'",
    "foo; 'linux' in sys_platform", "foo; sys_platform not in 'win32 cygwin'",
    "foo; platform_system == 'Linux'", "foo; platform_release >= '5'",
    "foo; implementation_name == 'cpython'",
    "foo; platform_python_implementation == 'CPython'",
    "foo; python_implementation == 'CPython'", "foo; os.name == 'posix'",
    "foo; sys.platform == 'linux'", "foo; platform.machine == 'x86_64'",
    "foo; implementation_version >= '3.11'", "foo; os_name < 'posiz'",
    "foo; os_name === 'POSIX'", "foo; python_version === '3.11'",
    "foo; python_version=='3.11'and os_name=='posix'",
    "foo; python_version == '3.11' andos_name == 'posix'",
    "foo; python_version", "foo; python_version <", "foo;", "foo; ",
    "foo; unknown_var == '1'", "foo; python_version == '3.11",
    "foo; (python_version == '3.11'", "foo; python_version == '3.11')",
    "foo; python_version not  in '3.11'", "foo; python_version notin '3.11'",
    "foo; ((((os_name == 'posix'))))",
    "foo @ https://example.com/foo-1.0.tar.gz",
    "foo@https://example.com/foo.whl", "foo @ https://example.com/f.whl ; os_name == 'posix'",
    "foo @ https://example.com/f.whl; os_name == 'posix'",
    "foo @ git+https://github.com/a/foo.git@v1.0",
    "foo @ file:///tmp/foo-1.0.tar.gz", "foo @ ./foo", "foo @ https:///foo",
    "foo @ ", "foo @", "foo[bar] @ https://example.com/f.zip",
    "foo >= 1.0 @ https://example.com/f.zip", "foo-bar.baz_qux==2",
    "  foo  ", "foo bar", "-foo", "foo-", "foo==1.0+local", "foo<1.0+local",
    "foo==1.0.*, !=1.0.5", "foo>=1.0a1", "foo==1.0;python_version>='3'",
    "foo\t>=\t1.0", "foo>=1.0\t;\tos_name=='posix'", "",
]

PROBES = ["0.1", "1.0", "1.0a1", "1.0.5", "1.4.3", "1.5", "2.0", "3.0"]

ENV = {
    "python_version": "3.11",
    "python_full_version": "3.11.2",
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_release": "6.1.0-18-amd64",
    "platform_system": "Linux",
    "platform_version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "implementation_version": "3.11.2",
}

# Where packaging 23 departs from PEP 440's text, the PEP's answer wins.
# Each entry: (a test on the row, the PEP's answer, why).


def _pep_prefix_match(spec: str, version: str) -> bool | None:
    """PEP 440 prefix matching ("==1.2.*", "!=1.*", "~=1.4"): the
    candidate's epoch must be the same and its release, padded with
    zeros, must start with the prefix."""
    m = re.fullmatch(r"\s*(==|!=|~=)\s*v?(?:(\d+)!)?([\d.]+?)(\.\*)?\s*", spec)
    if not m or (m.group(1) != "~=") != bool(m.group(4)):
        return None
    v = Version(version)
    epoch = int(m.group(2) or 0)
    want = [int(x) for x in m.group(3).split(".")]
    if m.group(1) == "~=":
        if len(want) < 2:
            return None
        floor, want = Version(m.group(3) if not epoch else f"{epoch}!{m.group(3)}"), want[:-1]
        if Version(v.public) < floor:
            return False
    rel = list(v.release) + [0] * len(want)
    same = v.epoch == epoch and rel[: len(want)] == want
    return same if m.group(1) != "!=" else not same


def _pep_greater(spec: str, version: str) -> bool | None:
    """">V" per PEP 440: only local versions *of V* are excluded."""
    m = re.fullmatch(r"\s*>\s*(\S+)\s*", spec)
    if not m or m.group(1).startswith("="):
        return None
    s, v = Version(m.group(1)), Version(version)
    if v.local is None:
        return None
    if not v > s:
        return False
    if not s.is_postrelease and v.is_postrelease and v.base_version == s.base_version:
        return False
    return Version(v.public) != s


OVERRIDES = [
    (_pep_prefix_match, "a prefix match compares epochs, then pads releases"),
    (_pep_greater, "'>V' excludes local versions of V only"),
]


def esc(s: str) -> str:
    out = []
    for b in s.encode("utf-8", "surrogatepass"):
        if b == 0x5C:
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    return "".join(out)


def osv_versions(osv: pathlib.Path) -> list[str]:
    """Range events and versions[] entries packaging rejects or rewrites."""
    seen: set[str] = set()
    out: list[str] = []
    for path in sorted(osv.glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        for aff in rec.get("affected", []):
            texts = list(aff.get("versions", []))
            for rng in aff.get("ranges", []):
                if rng.get("type") == "GIT":
                    continue
                for ev in rng.get("events", []):
                    texts.extend(ev.values())
            for t in texts:
                if t in seen or t == "0":
                    continue
                seen.add(t)
                try:
                    odd = str(Version(t)) != t
                except InvalidVersion:
                    odd = True
                if odd:
                    out.append(t)
    return out


def osv_sample(osv: pathlib.Path, names: tuple[str, ...]) -> list[str]:
    """Every valid versions[] entry of a few projects, for the order table."""
    out: set[str] = set()
    for path in sorted(osv.glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        for aff in rec.get("affected", []):
            if aff["package"]["name"] in names:
                out.update(aff.get("versions", []))
    return sorted(out)


def osv_names(osv: pathlib.Path) -> list[str]:
    """The project names as the records spell them."""
    names: set[str] = set()
    for path in sorted(osv.glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        names.update(a["package"]["name"] for a in rec.get("affected", []))
    return sorted(names)


def flags(v: Version) -> str:
    return "".join(
        c
        for c, on in (
            ("p", v.is_prerelease),
            ("P", v.is_postrelease),
            ("d", v.is_devrelease),
            ("l", v.local is not None),
        )
        if on
    ) or "-"


def write_versions(path: pathlib.Path, versions: list[str]) -> None:
    with path.open("w", encoding="ascii") as f:
        f.write("# input\tnormalized or !invalid\tflags (p pre, P post, d dev, l local)\n")
        for t in dict.fromkeys(versions):
            note = ""
            if any(ord(c) > 0x7F for c in t):
                note = "\tnon-ASCII: gymwarden reads bytes and refuses it"
                f.write(f"{esc(t)}\t!invalid\t-{note}\n")
                continue
            try:
                v = Version(t)
            except InvalidVersion:
                f.write(f"{esc(t)}\t!invalid\t-\n")
                continue
            f.write(f"{esc(t)}\t{esc(str(v))}\t{flags(v)}\n")


def write_order(path: pathlib.Path, versions: list[str]) -> None:
    vs = sorted({Version(t) for t in versions if _valid(t)})
    # Equal versions share a rank; every spelling seen is listed.
    spellings: dict[Version, set[str]] = {}
    for t in versions:
        if _valid(t):
            spellings.setdefault(Version(t), set()).add(t)
    with path.open("w", encoding="ascii") as f:
        f.write("# rank\tversion (equal versions share a rank)\n")
        rank = 0
        prev = None
        for v in vs:
            if prev is not None and v != prev:
                rank += 1
            prev = v
            for t in sorted(spellings[v]):
                f.write(f"{rank}\t{esc(t)}\n")


def _valid(t: str) -> bool:
    if any(ord(c) > 0x7F for c in t):
        return False
    try:
        Version(t)
        return True
    except InvalidVersion:
        return False


def spec_answer(spec: str, cand: str, pre: bool | None) -> tuple[str, str]:
    s = Specifier(spec)
    try:
        got = s.contains(cand, prereleases=pre)
    except InvalidVersion:
        # "===foo" with prereleases left to the specifier: packaging 23
        # raises; text that is no version names no pre-release.
        v = Version(cand)
        got = str(v).lower() == s.version.lower() and (
            bool(pre) or not v.is_prerelease
        )
        return ("1" if got else "0"), "\tpackaging 23 raises here"
    for test, why in OVERRIDES:
        pep = test(spec, cand)
        if pep is None:
            continue
        allowed = pre if pre is not None else s.prereleases
        if Version(cand).is_prerelease and not allowed:
            pep = False
        if pep != got:
            return ("1" if pep else "0"), f"\tPEP 440, not packaging 23: {why}"
    return ("1" if got else "0"), ""


def write_specifiers(path: pathlib.Path, specs: list[str], cands: list[str]) -> int:
    overrides = 0
    with path.open("w", encoding="ascii") as f:
        f.write("# specifier\tversion\tprereleases (auto, 1)\tmatches (1, 0) or !invalid\n")
        for spec in dict.fromkeys(specs):
            try:
                Specifier(spec)
            except InvalidSpecifier:
                f.write(f"{esc(spec)}\t-\t-\t!invalid\n")
                continue
            for cand in cands:
                if not _valid(cand):
                    continue
                for pre in (None, True):
                    ans, note = spec_answer(spec, cand, pre)
                    overrides += bool(note)
                    mode = "auto" if pre is None else "1"
                    f.write(f"{esc(spec)}\t{esc(cand)}\t{mode}\t{ans}{note}\n")
    return overrides


def write_specsets(path: pathlib.Path, sets: list[str], cands: list[str]) -> None:
    with path.open("w", encoding="ascii") as f:
        f.write("# specifier set\tversion\tprereleases (auto, 1)\tmatches or !invalid\n")
        for text in sets:
            try:
                ss = SpecifierSet(text)
            except InvalidSpecifier:
                f.write(f"{esc(text)}\t-\t-\t!invalid\n")
                continue
            for cand in cands:
                if not _valid(cand):
                    continue
                for pre in (None, True):
                    got = ss.contains(cand, prereleases=pre)
                    mode = "auto" if pre is None else "1"
                    f.write(f"{esc(text)}\t{esc(cand)}\t{mode}\t{int(got)}\n")


NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


def write_names(path: pathlib.Path, names: list[str]) -> None:
    with path.open("w", encoding="ascii") as f:
        f.write("# name\tPEP 503 normalized, or !invalid for PEP 508\n")
        for n in dict.fromkeys(names):
            ok = NAME_RE.match(n) and n.isascii()
            f.write(f"{esc(n)}\t{esc(canonicalize_name(n)) if ok else '!invalid'}\n")


def marker_result(req: Requirement, extra: str) -> str:
    if req.marker is None:
        return "-"
    try:
        env = dict(ENV, extra=extra)
        return "1" if req.marker.evaluate(env) else "0"
    except Exception:  # packaging raises where PEP 508 compares text
        return "?"


def write_requirements(path: pathlib.Path, reqs: list[str]) -> None:
    with path.open("w", encoding="ascii") as f:
        f.write(
            "# requirement\tname\tnormalized\textras\turl\t"
            "specifier against " + ",".join(PROBES) + " (auto)\t"
            "marker with no extra\tmarker with extra 'security'"
            " (1, 0, - none, ? packaging raised)\n"
        )
        for text in reqs:
            try:
                r = Requirement(text)
            except InvalidRequirement:
                f.write(f"{esc(text)}\t!invalid\n")
                continue
            extras = ",".join(sorted(canonicalize_name(e) for e in r.extras)) or "-"
            probes = "".join("1" if r.specifier.contains(p) else "0" for p in PROBES)
            f.write(
                "\t".join(
                    [
                        esc(text),
                        esc(r.name),
                        esc(canonicalize_name(r.name)),
                        esc(extras),
                        esc(r.url or "-"),
                        probes,
                        marker_result(r, ""),
                        marker_result(r, "security"),
                    ]
                )
                + "\n"
            )


def main() -> int:
    osv = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OSV
    if not packaging.__version__.startswith("23."):
        print(f"generate.py: want packaging 23, have {packaging.__version__}")
        return 1
    odd = osv_versions(osv)
    sample = osv_sample(osv, ("aiohttp", "django", "numpy", "jinja2", "pillow"))
    write_versions(HERE / "versions.tsv", VERSIONS + ORDER + CANDIDATES + odd)
    write_order(HERE / "order.tsv", ORDER + CANDIDATES + odd + sample)
    n = write_specifiers(
        HERE / "specifiers.tsv",
        SPECS + [op + v for v in odd[:60] if _valid(v) for op in ("<", ">=", "==")],
        CANDIDATES,
    )
    write_specsets(HERE / "specsets.tsv", SPECSETS, CANDIDATES)
    write_names(HERE / "names.tsv", NAMES + osv_names(osv))
    write_requirements(HERE / "requirements.tsv", REQUIREMENTS)
    print(
        f"generate.py: {len(odd)} odd versions from {osv}, "
        f"{n} specifier rows follow PEP 440 over packaging 23"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
