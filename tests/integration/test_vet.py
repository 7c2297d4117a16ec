"""`gymwarden vet` against the real binary: precision and recall per rule
over the labelled fixtures of tests/vet, the severity model, SARIF 2.1.0
schema validation, exit codes, partial runs, tree hazards made at run time
(binaries, symlinks, special files, bad encodings), --with, --config and
manifests."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FIXTURES = ROOT / "tests" / "vet"
MALICIOUS = FIXTURES / "malicious"
BENIGN = FIXTURES / "benign"
BROKEN = FIXTURES / "broken"

EXPECT = re.compile(r"#\s*expect:\s*(.+)$")
ITEM = re.compile(r"(GW-[A-Z]+-\d{3})(?:@(low|medium|high))?(?:/([a-z]+))?")

# Findings about a file as a whole, which no comment can label.
FILE_LEVEL = {(MALICIOUS, ".bandit"): ["GW-SUPP-002"]}


def expectations(tree: pathlib.Path) -> dict:
    """{(file, line, rule): (severity or None, context or None)}"""
    out = {}
    for path in sorted(tree.rglob("*")):
        if not path.is_file() or path.suffix not in (".py", ".pth"):
            continue
        rel = path.relative_to(tree).as_posix()
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            m = EXPECT.search(line)
            if not m:
                continue
            for item in m.group(1).split(","):
                im = ITEM.fullmatch(item.strip())
                assert im, f"{rel}:{n}: bad expectation {item!r}"
                out[(rel, n, im.group(1))] = (im.group(2), im.group(3))
    for (base, rel), rules in FILE_LEVEL.items():
        if base == tree:
            for rule in rules:
                out[(rel, 1, rule)] = (None, None)
    return out


def vet_json(gw, *args: str) -> tuple[dict, object]:
    r = gw("vet", "--format", "json", *args)
    assert r.stdout, r.stderr
    return json.loads(r.stdout), r


def found(doc: dict) -> dict:
    out = {}
    for f in doc["findings"]:
        if f["tool"] == "gymwarden":
            out.setdefault((f["file"], f["line"], f["rule"]), f)
    return out


def score(expected: dict, got: dict) -> dict:
    rules = {k[2] for k in expected} | {k[2] for k in got}
    table = {}
    for rule in sorted(rules):
        exp = {k for k in expected if k[2] == rule}
        hit = {k for k in got if k[2] == rule}
        table[rule] = (len(exp & hit), len(hit - exp), len(exp - hit))
    return table


def print_table(title: str, table: dict) -> None:
    print(f"\n{title}\n{'rule':15} {'tp':>4} {'fp':>4} {'fn':>4} "
          f"{'precision':>10} {'recall':>7}")
    for rule, (tp, fp, fn) in table.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        print(f"{rule:15} {tp:4} {fp:4} {fn:4} {p:10.2f} {r:7.2f}")


@pytest.fixture(scope="module")
def malicious(gw):
    doc, r = vet_json(gw, str(MALICIOUS))
    assert r.returncode == 1, r.stderr
    return doc


@pytest.fixture(scope="module")
def benign(gw):
    doc, r = vet_json(gw, str(BENIGN))
    return doc, r


def test_every_rule_that_applies_to_code_has_a_labelled_line(gw):
    rules = json.loads(gw("vet", "--list-rules", "--format", "json").stdout)
    labelled = {k[2] for k in expectations(MALICIOUS)}
    labelled |= {k[2] for k in expectations(BROKEN)}
    made_at_run_time = {"GW-BIN-001", "GW-BIN-002", "GW-BIN-003",
                        "GW-TREE-001", "GW-TREE-002", "GW-TREE-003",
                        "GW-PARSE-002", "GW-PARSE-003", "GW-PARSE-004"}
    missing = {r["id"] for r in rules["rules"]} - labelled - made_at_run_time
    assert not missing, f"rules without a labelled fixture: {missing}"


def test_malicious_fixtures_full_recall(malicious):
    expected = expectations(MALICIOUS)
    got = found(malicious)
    table = score(expected, got)
    print_table("malicious fixtures", table)
    misses = sorted(k for k in expected if k not in got)
    assert not misses, f"expected findings not reported: {misses}"


def test_benign_fixtures_recall_and_no_high(benign):
    doc, r = benign
    expected = expectations(BENIGN)
    got = found(doc)
    print_table("benign fixtures", score(expected, got))
    assert not sorted(k for k in expected if k not in got)
    high = [f for f in doc["findings"] if f["severity"] == "high"]
    assert not high, high
    assert r.returncode == 0, r.stdout


def test_precision_over_all_fixtures(malicious, benign):
    expected = {("m", *k): v for k, v in expectations(MALICIOUS).items()}
    expected.update({("b", *k): v for k, v in expectations(BENIGN).items()})
    got = {("m", *k): v for k, v in found(malicious).items()}
    got.update({("b", *k): v for k, v in found(benign[0]).items()})
    table = score({k[1:]: v for k, v in expected.items()},
                  {k[1:]: v for k, v in got.items()})
    print_table("all fixtures", table)
    extra = sorted(k for k in got if k not in expected)
    assert not extra, f"findings on unlabelled lines: {extra}"


@pytest.mark.parametrize("tree", [MALICIOUS, BENIGN], ids=["malicious", "benign"])
def test_severity_and_context_where_labelled(gw, tree):
    doc, _ = vet_json(gw, str(tree))
    got = found(doc)
    for key, (sev, ctx) in expectations(tree).items():
        if key not in got:
            continue
        if sev:
            assert got[key]["severity"] == sev, (key, got[key])
        if ctx:
            assert got[key]["context"] == ctx, (key, got[key])


def test_expect_markers_are_ignored_by_the_analyzer(gw, tmp_path):
    (tmp_path / "a.py").write_text("x = 1  # expect: GW-PROC-001\n")
    doc, r = vet_json(gw, str(tmp_path))
    assert r.returncode == 0
    assert doc["findings"] == []


def test_json_document_shape(malicious):
    doc = malicious
    assert doc["version"] == 1 and doc["kind"] == "vet"
    assert doc["analyzer"]["name"] == "gymwarden"
    assert doc["analyzer"]["tree_sitter_abi"] == 14
    assert doc["tree_digest"] is None
    assert doc["partial"] is False
    s = doc["summary"]
    assert s["findings"] == len(doc["findings"])
    assert s["by_severity"]["high"] + s["by_severity"]["medium"] + \
        s["by_severity"]["low"] == s["findings"]
    assert s["verdict"] == "fail" and s["threshold"] == "medium"
    for f in doc["findings"]:
        assert set(f) >= {"tool", "rule", "severity", "file", "line", "col",
                          "end_line", "end_col", "context", "message",
                          "snippet", "fingerprint"}
        assert re.fullmatch(r"[0-9a-f]{16}", f["fingerprint"])
        assert f["line"] >= 1 and f["col"] >= 1
    fps = [f["fingerprint"] for f in doc["findings"]]
    assert len(fps) == len(set(fps))


def test_fingerprints_survive_moved_lines(gw, tmp_path):
    (tmp_path / "a.py").write_text("import os\nos.system('x')\n")
    a = vet_json(gw, str(tmp_path))[0]["findings"][0]["fingerprint"]
    (tmp_path / "a.py").write_text("import os\n\n\n# moved\nos.system('x')\n")
    b = vet_json(gw, str(tmp_path))[0]["findings"][0]["fingerprint"]
    assert a == b


def test_sarif_validates_against_the_2_1_0_schema(gw, shared_data, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(
        (shared_data / "sarif" / "sarif-schema-2.1.0.json").read_text())
    out = tmp_path / "vet.sarif"
    r = gw("vet", "--format", "sarif", "--output", str(out), str(MALICIOUS))
    assert r.returncode == 1, r.stderr
    log = json.loads(out.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(log), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:5])


def test_sarif_meets_code_scanning_rules(gw):
    r = gw("vet", "--format", "sarif", str(MALICIOUS))
    log = json.loads(r.stdout)
    assert log["$schema"] and log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "gymwarden" and driver["version"]
    assert driver["informationUri"].startswith("https://")
    for rule in driver["rules"]:
        for key in ("id", "name", "shortDescription", "fullDescription",
                    "help"):
            assert rule[key], (rule["id"], key)
        assert rule["help"]["text"] and rule["help"]["markdown"]
        sev = rule["properties"]["security-severity"]
        assert isinstance(sev, str) and 0.0 < float(sev) <= 10.0
        assert rule["properties"]["tags"]
    assert run["results"]
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        loc = res["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["artifactLocation"]["uriBaseId"] == "SRCROOT"
        reg = loc["region"]
        assert all(reg[k] >= 1 for k in ("startLine", "startColumn",
                                          "endLine", "endColumn"))
        assert res["partialFingerprints"]


def test_exit_codes_follow_the_threshold(gw, tmp_path):
    assert gw("vet", str(BENIGN)).returncode == 0
    assert gw("vet", "--fail-on", "low", str(BENIGN)).returncode == 1
    assert gw("vet", "--fail-on", "high", str(MALICIOUS)).returncode == 1
    (tmp_path / "ok.py").write_text("print('hello')\n")
    assert gw("vet", str(tmp_path)).returncode == 0
    assert gw("vet", str(tmp_path / "ok.py")).returncode == 0
    assert gw("vet", str(tmp_path / "missing")).returncode == 2
    assert gw("vet").returncode == 2
    assert gw("vet", "--fail-on", "extreme", str(tmp_path)).returncode == 2


def test_parse_failure_makes_the_run_partial(gw):
    doc, r = vet_json(gw, str(BROKEN))
    assert r.returncode == 2
    assert doc["partial"] is True
    assert doc["summary"]["verdict"] == "partial"
    rules = {f["rule"] for f in doc["findings"]}
    assert "GW-PARSE-001" in rules
    (f,) = [f for f in doc["files"] if f["path"] == "syntax_error.py"]
    assert f["analyzed"] is False


def test_tree_hazards_made_at_run_time(gw, tmp_path):
    elf = pathlib.Path("/bin/true").read_bytes()
    (tmp_path / "tool").write_bytes(elf)
    (tmp_path / "texture.png").write_bytes(elf)
    (tmp_path / "_speedups.so").write_bytes(elf)
    (tmp_path / "orphan.pyc").write_bytes(b"\x55\x0d\x0d\x0a" + b"\0" * 12)
    (tmp_path / "kept.py").write_text("x = 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "kept.cpython-311.pyc").write_bytes(b"\0" * 16)
    os.symlink("/etc/passwd", tmp_path / "passwd")
    os.symlink("../../outside", tmp_path / "up")
    os.symlink("kept.py", tmp_path / "alias.py")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "latin1.py").write_bytes(b"name = 'caf\xe9'\n")
    doc, r = vet_json(gw, str(tmp_path))
    assert r.returncode == 2  # the undecodable file makes it partial
    by = {}
    for f in doc["findings"]:
        by.setdefault(f["file"], set()).add((f["rule"], f["severity"]))
    assert ("GW-BIN-001", "medium") in by["tool"]
    assert ("GW-BIN-001", "high") in by["texture.png"]
    assert ("GW-BIN-002", "medium") in by["_speedups.so"]
    assert ("GW-BIN-003", "medium") in by["orphan.pyc"]
    assert "__pycache__/kept.cpython-311.pyc" not in by
    assert ("GW-TREE-001", "medium") in by["passwd"]
    assert ("GW-TREE-001", "medium") in by["up"]
    assert ("GW-TREE-002", "low") in by["alias.py"]
    assert ("GW-TREE-003", "low") in by["pipe"]
    assert any(r == "GW-PARSE-002" for r, _ in by["latin1.py"])


def test_oversize_file_is_a_finding_not_a_skip(gw, tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "big.py").write_text("x = 1\n" * 100)
    cfg = tmp_path / "review.toml"
    cfg.write_text("[vet]\nmax_file_bytes = 100\n")
    doc, r = vet_json(gw, "--config", str(cfg), str(tree))
    assert r.returncode == 2
    assert [f["rule"] for f in doc["findings"]] == ["GW-PARSE-003"]


def test_hidden_and_dist_folders_are_read(gw, tmp_path):
    for d in (".hidden", "dist", "build", "tests"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "m.py").write_text("import os\nos.system('id')\n")
    doc, _ = vet_json(gw, str(tmp_path))
    assert {f["file"] for f in doc["findings"]} == {
        ".hidden/m.py", "dist/m.py", "build/m.py", "tests/m.py"}


def test_extensionless_python_script_is_read(gw, tmp_path):
    (tmp_path / "run-me").write_text(
        "#!/usr/bin/env python3\nimport os\nos.system('id')\n")
    (tmp_path / "notes").write_text("os.system('id') is not code here\n")
    doc, _ = vet_json(gw, str(tmp_path))
    assert {f["file"] for f in doc["findings"]} == {"run-me"}


def test_terminal_text_is_escaped(gw, tmp_path):
    (tmp_path / "a.py").write_text(
        'import os\nos.system("\\x1b[2J")  # \x1b[31mred\x1b[0m\n')
    r = gw("vet", str(tmp_path))
    assert r.returncode == 1
    assert "\x1b" not in r.stdout
    assert "a.py:2:1: GW-PROC-001" in r.stdout


def test_in_tree_suppressions_are_not_obeyed_by_default(gw, tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.py").write_text("import os\nos.system('id')  # nosec\n")
    doc, r = vet_json(gw, str(tree))
    assert r.returncode == 1
    assert {f["rule"] for f in doc["findings"]} == {"GW-PROC-001",
                                                    "GW-SUPP-001"}
    cfg = tmp_path / "review.toml"
    cfg.write_text("[vet]\nhonor_suppressions = true\n")
    doc, r = vet_json(gw, "--config", str(cfg), str(tree))
    assert [f["rule"] for f in doc["findings"]] == ["GW-SUPP-001"]
    assert doc["summary"]["suppressed"] == 1
    assert r.returncode == 0


def test_config_inside_the_tree_is_refused(gw, tmp_path):
    (tmp_path / "review.toml").write_text("[vet]\nhonor_suppressions = true\n")
    r = gw("vet", "--config", str(tmp_path / "review.toml"), str(tmp_path))
    assert r.returncode == 2
    assert "inside the vetted tree" in r.stderr


def test_config_disables_rules(gw, tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.py").write_text("import ctypes\n")
    cfg = tmp_path / "review.toml"
    cfg.write_text('[vet]\ndisable = ["GW-NATIVE-001"]\n')
    doc, r = vet_json(gw, "--config", str(cfg), str(tree))
    assert doc["findings"] == [] and r.returncode == 0
    cfg.write_text('[vet]\ndisable = ["GW-NOPE-001"]\n')
    assert gw("vet", "--config", str(cfg), str(tree)).returncode == 2


def test_with_a_missing_tool_warns_and_goes_on(gw, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    r = gw("vet", "--format", "json", "--with", "bandit,flake8", str(BENIGN),
           env={"PATH": str(empty)})
    assert r.returncode == 0, r.stderr
    assert "bandit was requested but is not installed" in r.stderr
    doc = json.loads(r.stdout)
    assert {t["name"]: t["status"] for t in doc["tools"]} == {
        "bandit": "missing", "flake8": "missing"}
    assert gw("vet", "--with", "semgrep", str(BENIGN)).returncode == 2


@pytest.mark.skipif(not shutil.which("bandit"), reason="bandit not installed")
def test_with_bandit_merges_its_findings(gw):
    doc, r = vet_json(gw, "--with", "bandit", str(MALICIOUS))
    (tool,) = doc["tools"]
    assert tool["name"] == "bandit" and tool["status"] == "ok"
    assert tool["version"]
    theirs = [f for f in doc["findings"] if f["tool"] == "bandit"]
    assert theirs and len(theirs) == tool["findings"]
    assert all(re.fullmatch(r"B\d{3}", f["rule"]) for f in theirs)
    assert all(not f["file"].startswith("/") for f in theirs)
    # "# nosec" in the tree does not hide the line from bandit either.
    assert any(f["file"] == "suppress.py" and f["line"] == 4 for f in theirs)


@pytest.mark.skipif(not shutil.which("flake8"), reason="flake8 not installed")
def test_with_flake8_parses_its_format(gw):
    doc, _ = vet_json(gw, "--with", "flake8", str(BROKEN))
    theirs = [f for f in doc["findings"] if f["tool"] == "flake8"]
    assert any(f["rule"] == "E999" and f["severity"] == "medium"
               for f in theirs)


def test_manifest_env_is_vetted_with_its_entry_point(gw):
    manifest = ROOT / "examples" / "gymwarden.toml"
    doc, r = vet_json(gw, "--env", "GridWorld-v0", str(manifest))
    assert r.returncode in (0, 1), r.stderr
    assert doc["envs"] == ["GridWorld-v0"]
    assert doc["tree_digest"].startswith("sha256:")
    assert doc["root"].endswith("gridworld")
    assert not [f for f in doc["findings"] if f["severity"] == "high"]
    r = gw("vet", str(manifest))
    assert r.returncode == 2 and "--env" in r.stderr
    assert gw("vet", "--env", "Nope-v0", str(manifest)).returncode == 2


def test_rules_are_documented(gw):
    doc = (ROOT / "docs" / "rules.md").read_text()
    rules = json.loads(gw("vet", "--list-rules", "--format", "json").stdout)
    for rule in rules["rules"]:
        assert rule["id"] in doc, rule["id"]
        assert re.search(rf"\|\s*{rule['id']}\s*\|[^\n]*\|\s*{rule['severity']}\s*\|",
                         doc), f"{rule['id']}: severity in docs/rules.md"


def test_grammar_fetch_refuses_a_tarball_with_the_wrong_hash(tmp_path):
    import subprocess

    bogus = tmp_path / "tree-sitter-python-0.23.6.tgz"
    bogus.write_bytes(b"not the grammar")
    r = subprocess.run(
        ["sh", str(ROOT / "scripts" / "fetch-grammar.sh"), str(tmp_path / "out")],
        env=dict(os.environ, GYMWARDEN_GRAMMAR_TARBALL=str(bogus)),
        capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "does not match" in r.stderr
    assert not (tmp_path / "out" / "parser.c").exists()
