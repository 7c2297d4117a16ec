"""`gymwarden deps` against the real binary: findings for every fixture
format, exit codes and --fail-on, partial runs, the JSON schema, SARIF
validated against the 2.1.0 schema and GitHub's rules, the CycloneDX SBOM,
manifests with --env, bundled native libraries, escaping, a truncation
sweep that must never end in a signal, and the results kept in the env's
vetting record when the manifest's registry exists."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import stat
import subprocess
import textwrap

import pytest

from conftest import BUILD

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE.parent / "deps"
REGISTRY_FIXTURE = BUILD / "tests" / "tools" / "registry_fixture"
SEVERITIES = ["low", "medium", "high", "critical"]


@pytest.fixture(scope="module")
def db(shared_data) -> str:
    path = shared_data / "osv-pypi"
    if not path.is_dir():
        pytest.skip("no PyPA advisories in shared data")
    return str(path)


def deps_json(gw, *args, **kw) -> tuple[int, dict]:
    r = gw("deps", "--format", "json", *args, **kw)
    assert r.returncode in (0, 1, 2), r.stderr
    return r.returncode, json.loads(r.stdout)


def by_rule(doc: dict, rule: str) -> list[dict]:
    return [f for f in doc["findings"] if f["rule"] == rule]


def test_requirements_fixture_reports_vulnerable_pins_with_upgrades(gw, db):
    rc, doc = deps_json(gw, "--db", db, str(FIXTURES / "reqs" / "requirements.txt"))
    assert rc == 1
    assert doc["version"] == 1 and doc["kind"] == "deps"
    assert doc["partial"] is False and doc["exit"] == 1
    vulns = {f["package"]: f for f in by_rule(doc, "vulnerable-version")}
    assert vulns["urllib3"]["upgrade"] == "1.26.18"
    assert vulns["urllib3"]["line"] == 15
    ids = {a["id"] for a in vulns["urllib3"]["advisories"]}
    assert "PYSEC-2021-108" in ids
    (adv,) = [a for a in vulns["urllib3"]["advisories"] if a["id"] == "PYSEC-2021-108"]
    assert "CVE-2021-33503" in adv["aliases"] and "1.26.5" in adv["fixed"]
    # Included files are audited and named as themselves.
    assert vulns["jinja2"]["file"].endswith("base.txt")
    assert vulns["pyyaml"]["file"].endswith("nested/more.txt")
    unpinned = {f["package"]: f for f in by_rule(doc, "unpinned-requirement")}
    assert "gym" in unpinned and ">=0.6.0,<1" in unpinned["gym"]["message"]
    # numpy is unpinned in the file but pinned by its -c constraint.
    assert "numpy" not in unpinned
    (numpy,) = [p for p in doc["packages"] if p["norm"] == "numpy" and p["group"] == "default"]
    assert numpy["version"] == "1.21.0" and numpy["state"] == "audited"
    assert by_rule(doc, "extra-index-url")[0]["line"] == 3
    assert by_rule(doc, "trusted-host")[0]["line"] == 4
    pywin = [p for p in doc["packages"] if p["norm"] == "pywin32"][0]
    assert pywin["state"] == "not-applied"


@pytest.mark.parametrize("threshold, want", [("critical", 0), ("high", 1), ("low", 1)])
def test_fail_on_sets_the_threshold(gw, db, threshold, want):
    r = gw("deps", "--db", db, "--fail-on", threshold, str(FIXTURES / "reqs" / "requirements.txt"))
    assert r.returncode == want, r.stdout


def test_fail_on_high_passes_a_clean_pinned_file(gw, db, tmp_path):
    f = tmp_path / "requirements.txt"
    f.write_text("attrs==23.1.0\n")
    r = gw("deps", "--db", db, str(f))
    assert r.returncode == 0, r.stdout
    assert "0 findings" in r.stdout or "1 package" in r.stdout


@pytest.mark.parametrize(
    "path, rules",
    [
        ("pipenv/Pipfile.lock", {"vulnerable-version", "missing-hash", "not-auditable-remote"}),
        ("pipenv/Pipfile", {"extra-index-url", "trusted-host", "unpinned-requirement",
                            "not-auditable-local", "not-auditable-remote"}),
        ("poetry/poetry.lock", {"vulnerable-version", "missing-hash", "not-auditable-remote"}),
        ("uv/uv.lock", {"vulnerable-version", "missing-hash", "not-auditable-local"}),
        ("pylock/pylock.toml", {"vulnerable-version", "missing-hash", "not-auditable-remote"}),
        ("conda/environment.yml", {"conda-package", "vulnerable-version", "unpinned-requirement"}),
        ("pyproject/pyproject.toml", {"vulnerable-version", "unpinned-requirement",
                                      "extra-index-url", "not-auditable-remote"}),
    ],
)
def test_every_format_gives_its_findings(gw, db, path, rules):
    rc, doc = deps_json(gw, "--db", db, str(FIXTURES / path))
    assert doc["partial"] is False, doc["errors"]
    assert rc == 1
    found = {f["rule"] for f in doc["findings"]}
    assert rules <= found, found


def test_broken_file_is_a_partial_run_that_still_reports(gw, db):
    rc, doc = deps_json(gw, "--db", db, str(FIXTURES / "broken" / "requirements.txt"))
    assert rc == 2 and doc["partial"] is True and doc["exit"] == 2
    lines = [e["line"] for e in doc["errors"]]
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert all(e["file"].endswith("broken/requirements.txt") for e in doc["errors"])
    # The good lines around the broken ones are still audited.
    assert {"urllib3", "pyyaml"} <= {f["package"] for f in by_rule(doc, "vulnerable-version")}


@pytest.mark.parametrize(
    "path, line",
    [("broken/poetry/poetry.lock", 23), ("broken/uv/uv.lock", 19),
     ("broken/pipenv/Pipfile.lock", 21), ("broken/pylock/pylock.toml", 1),
     ("broken/conda/environment.yml", 7), ("broken/cycle/a.txt", 1)],
)
def test_truncated_or_broken_lock_names_the_line(gw, path, line):
    rc, doc = deps_json(gw, str(FIXTURES / path))
    assert rc == 2 and doc["partial"] is True
    assert doc["errors"][0]["line"] == line
    r = gw("deps", str(FIXTURES / path))
    assert r.returncode == 2
    assert f"{line:5d}  error" in r.stdout


def test_truncated_poetry_lock_keeps_whole_packages_above_the_cut(gw, db):
    rc, doc = deps_json(gw, "--db", db, str(FIXTURES / "broken" / "poetry" / "poetry.lock"))
    assert rc == 2
    assert [p["norm"] for p in doc["packages"]] == ["jinja2"]
    assert by_rule(doc, "vulnerable-version")[0]["package"] == "jinja2"


def test_include_cycle_names_the_chain(gw):
    r = gw("deps", str(FIXTURES / "broken" / "cycle" / "a.txt"))
    assert r.returncode == 2
    assert re.search(r"include cycle: \S*a\.txt -> \S*b\.txt -> \S*a\.txt", r.stdout)


def test_without_a_database_it_says_so_and_reports_the_rest(gw, tmp_path):
    f = tmp_path / "requirements.txt"
    f.write_text("urllib3==1.26.4\ngym>=0.6.0,<1\n")
    env = {"GYMWARDEN_OSV_DB": ""}
    r = gw("deps", str(f), env=env)
    assert "no advisory database" in r.stdout
    assert "unpinned-requirement" in r.stdout
    rc, doc = deps_json(gw, str(f), env=env)
    assert doc["advisory_db"] is None
    assert not by_rule(doc, "vulnerable-version")
    assert doc["packages"][0]["state"] == "no-database"
    assert rc == 0  # a medium finding is below the default threshold


def test_database_from_the_environment_variable(gw, db, tmp_path):
    f = tmp_path / "requirements.txt"
    f.write_text("urllib3==1.26.4\n")
    rc, doc = deps_json(gw, str(f), env={"GYMWARDEN_OSV_DB": db})
    assert rc == 1 and doc["advisory_db"]["records"] > 2000


def test_missing_database_is_an_error(gw, tmp_path):
    f = tmp_path / "requirements.txt"
    f.write_text("six==1.16.0\n")
    r = gw("deps", "--db", str(tmp_path / "nope"), str(f))
    assert r.returncode == 2
    assert "advisory database not loaded" in r.stdout


def test_typosquat_is_found_with_the_shipped_list(gw, tmp_path):
    f = tmp_path / "requirements.txt"
    f.write_text("reqeusts==2.31.0\nnumpy==1.26.4\nscikitlearn==1.0\n")
    rc, doc = deps_json(gw, str(f))
    squats = {f["package"]: f for f in by_rule(doc, "typosquat-candidate")}
    assert set(squats) == {"reqeusts", "scikitlearn"}
    assert "requests" in squats["reqeusts"]["message"]
    assert squats["reqeusts"]["severity"] == "high" and rc == 1


def test_output_file_holds_the_report(gw, tmp_path):
    out = tmp_path / "report.json"
    r = gw("deps", "-f", "json", "-o", str(out), str(FIXTURES / "uv" / "uv.lock"))
    assert r.stdout == ""
    assert json.loads(out.read_text())["kind"] == "deps"


def test_text_from_files_is_escaped(gw, tmp_path):
    f = tmp_path / "requirements.txt"
    f.write_bytes(b"https://e.com/\x1b[31mred-1.0.tar.gz\n")
    r = gw("deps", str(f))
    assert "\x1b" not in r.stdout and "\\x1b[31m" in r.stdout


def _manifest(tmp_path: pathlib.Path, envs: list[str]) -> pathlib.Path:
    parts = ['vetting = "required"\n']
    for env_id in envs:
        src = tmp_path / env_id
        src.mkdir()
        (src / "env.py").write_text("class Env: pass\n")
        (src / "requirements.txt").write_text("urllib3==1.26.4\n")
        parts.append(textwrap.dedent(f"""
            [[env]]
            id = "{env_id}"
            source = "{env_id}"
            entry_point = "env:Env"
            [env.action_space]
            type = "Discrete"
            n = 2
            [env.observation_space]
            type = "Discrete"
            n = 2
        """))
    path = tmp_path / "gymwarden.toml"
    path.write_text("".join(parts))
    return path


def test_manifest_env_audits_its_source_tree_and_native_libraries(gw, db, tmp_path):
    manifest = _manifest(tmp_path, ["Toy-v0"])
    lib = pathlib.Path("/usr/lib/x86_64-linux-gnu/libyaml-0.so.2")
    if not lib.exists():
        pytest.skip("no libyaml shared object to bundle")
    (tmp_path / "Toy-v0" / "vendor").mkdir()
    shutil.copy(lib, tmp_path / "Toy-v0" / "vendor" / "libyaml.so")
    rc, doc = deps_json(gw, "--db", db, "--env", "Toy-v0", str(manifest))
    assert rc == 1 and doc["env"] == "Toy-v0"
    assert by_rule(doc, "vulnerable-version")[0]["file"].endswith("Toy-v0/requirements.txt")
    (native,) = doc["native_libraries"]
    assert native["path"] == "vendor/libyaml.so"
    assert native["soname"] == "libyaml-0.so.2" and native["class"] == 64
    (f,) = by_rule(doc, "native-library")
    assert "libyaml-0.so.2" in f["message"]


def test_manifest_with_several_envs_needs_env(gw, tmp_path):
    manifest = _manifest(tmp_path, ["A-v0", "B-v0"])
    r = gw("deps", str(manifest))
    assert r.returncode == 2 and "--env" in r.stderr and "A-v0" in r.stderr
    r = gw("deps", "--env", "C-v0", str(manifest))
    assert r.returncode == 2 and "C-v0" in r.stderr


def _sarif(gw, db, *paths, **kw) -> dict:
    r = gw("deps", "--db", db, "--format", "sarif", *map(str, paths), **kw)
    assert r.returncode in (1, 2), r.stderr
    return json.loads(r.stdout)


def test_sarif_validates_and_meets_code_scanning_rules(gw, db, shared_data):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((shared_data / "sarif" / "sarif-schema-2.1.0.json").read_text())
    doc = _sarif(gw, db, FIXTURES)
    jsonschema.Draft4Validator(schema).validate(doc)
    assert doc["$schema"].endswith("sarif-2.1.0.json") and doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["fullDescription"]["text"] and rule["help"]["text"]
        score = float(rule["properties"]["security-severity"])
        assert 0 < score <= 10
    assert run["results"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("note", "warning", "error")
        loc = res["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri
        assert loc["region"]["startLine"] >= 1
        assert res["partialFingerprints"]["gymwardenDeps/v1"]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"].startswith("file:///")
    # A read error makes the run unsuccessful, with its place.
    assert run["invocations"][0]["executionSuccessful"] is False


def test_sarif_gives_each_advisory_its_own_rule_and_severity(gw, db):
    # A file's URIs are relative to the folder the command runs in.
    doc = _sarif(gw, db, "requirements.txt", cwd=FIXTURES / "reqs")
    run = doc["runs"][0]
    ids = [r["ruleId"] for r in run["results"]]
    assert "PYSEC-2021-108" in ids
    assert run["invocations"][0]["executionSuccessful"] is True
    first = next(r for r in run["results"] if r["ruleId"] == "PYSEC-2021-108")
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "requirements.txt"


def test_sarif_fingerprints_ignore_line_moves(gw, db, tmp_path):
    f = tmp_path / "requirements.txt"
    f.write_text("urllib3==1.26.4\n")
    a = _sarif(gw, db, f)["runs"][0]["results"]
    f.write_text("# moved down\n\nurllib3==1.26.4\n")
    b = _sarif(gw, db, f)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in a] == [r["partialFingerprints"] for r in b]
    assert b[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_cyclonedx_sbom_is_well_formed(gw, db):
    r = gw("deps", "--db", db, "--format", "cyclonedx", str(FIXTURES / "reqs"),
           env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert r.returncode == 1
    bom = json.loads(r.stdout)
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5"
    assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        bom["serialNumber"])
    assert bom["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"
    assert bom["metadata"]["component"]["type"] == "application"
    refs = {c["bom-ref"] for c in bom["components"]}
    assert len(refs) == len(bom["components"])
    purls = {c.get("purl") for c in bom["components"]}
    assert "pkg:pypi/urllib3@1.26.4" in purls and "pkg:pypi/django@3.2.1" in purls
    urllib3 = next(c for c in bom["components"] if c.get("purl") == "pkg:pypi/urllib3@1.26.4")
    assert urllib3["hashes"] == [{"alg": "SHA-256", "content": "2f4da4594db7e1e110a944bb1b551fdf4e6c136ad42e4234131391e21eb5b0df"}]
    for v in bom["vulnerabilities"]:
        assert v["id"] and v["source"]["name"] == "OSV"
        assert v["ratings"][0]["severity"] in SEVERITIES
        for a in v["affects"]:
            assert a["ref"] in refs
    assert "PYSEC-2021-108" in {v["id"] for v in bom["vulnerabilities"]}
    dep = bom["dependencies"][0]
    assert dep["ref"] == bom["metadata"]["component"]["bom-ref"]
    assert set(dep["dependsOn"]) == refs


def test_cyclonedx_validates_against_the_official_schema_when_given(gw, db):
    """Set GYMWARDEN_CYCLONEDX_SCHEMA to a folder holding bom-1.5.schema.json,
    spdx.schema.json and jsf-0.82.schema.json (not shipped: not ours)."""
    folder = os.environ.get("GYMWARDEN_CYCLONEDX_SCHEMA")
    if not folder:
        pytest.skip("GYMWARDEN_CYCLONEDX_SCHEMA not set")
    jsonschema = pytest.importorskip("jsonschema")
    base = pathlib.Path(folder)
    schema = json.loads((base / "bom-1.5.schema.json").read_text())
    store = {f"http://cyclonedx.org/schema/{n}": json.loads((base / n).read_text())
             for n in ("spdx.schema.json", "jsf-0.82.schema.json")}
    resolver = jsonschema.RefResolver(schema["$id"], schema, store=store)
    r = gw("deps", "--db", db, "--format", "cyclonedx", str(FIXTURES))
    bom = json.loads(r.stdout)
    jsonschema.Draft7Validator(schema, resolver=resolver).validate(bom)


def test_truncation_sweep_never_ends_in_a_signal(gw, tmp_path):
    data = (FIXTURES / "poetry" / "poetry.lock").read_bytes()
    f = tmp_path / "poetry.lock"
    for cut in range(0, len(data) + 1, 37):
        f.write_bytes(data[:cut])
        r = gw("deps", "--format", "json", str(f))
        assert r.returncode in (0, 1, 2), (cut, r.returncode, r.stderr)
        json.loads(r.stdout)


# ---- results in the vetting record ----

SHARED_MANIFEST = """\
[[env]]
id = "Toy-v0"
source = "src"
entry_point = "env:Env"
action_space = { type = "Discrete", n = 2 }
observation_space = { type = "Discrete", n = 2 }

[[env]]
id = "Other-v0"
source = "src"
entry_point = "env:Other"
action_space = { type = "Discrete", n = 2 }
observation_space = { type = "Discrete", n = 2 }
"""

STORED = re.compile(r"gymwarden deps: results stored in record (\d+) "
                    r"\((sha256:[0-9a-f]{12})\.\.\.\)")


@pytest.fixture
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    """Two envs over one source tree with a vulnerable pin; no registry."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "env.py").write_text("class Env: pass\nclass Other: pass\n")
    (src / "requirements.txt").write_text("urllib3==1.26.4\n")
    (tmp_path / "gymwarden.toml").write_text(SHARED_MANIFEST)
    return tmp_path


def registry_record(project: pathlib.Path, env: str = "Toy-v0") -> tuple[int, str]:
    """A record made the way the registry's own tests make them."""
    if not REGISTRY_FIXTURE.exists():
        pytest.skip("tests/tools/registry_fixture is not built")
    manifest = str(project / "gymwarden.toml")
    r = subprocess.run([str(REGISTRY_FIXTURE), "record", manifest, env, "pass", "0"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    rid, digest = r.stdout.split()
    return int(rid), digest


def deps_stored(gw, db, project, *args) -> tuple[int, dict, re.Match | None, str]:
    r = gw("deps", "--db", db, "--format", "json", "--env", "Toy-v0", *args,
           str(project / "gymwarden.toml"))
    return r.returncode, json.loads(r.stdout), STORED.search(r.stderr), r.stderr


def export(gw, project, rid: int) -> dict:
    r = gw("records", "export", str(rid), "--manifest", str(project / "gymwarden.toml"))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def record_ids(gw, project) -> list[int]:
    r = gw("records", "list", str(project / "gymwarden.toml"), "--format", "json")
    return [x["id"] for x in json.loads(r.stdout)["records"]]


def test_stored_in_a_new_record_when_the_registry_exists(gw, db, project):
    # The registry exists, but only with a record of another env: the
    # same digest of another env does not count.
    registry_record(project, env="Other-v0")
    rc, doc, stored, _ = deps_stored(gw, db, project)
    assert rc == 1 and stored, "no 'results stored' line"
    assert stored.group(1) == "2"
    rec = export(gw, project, 2)
    assert rec["env"] == "Toy-v0" and rec["digest"].startswith(stored.group(2))
    (tool,) = rec["tools"]
    assert tool["name"] == "gymwarden-deps" and tool["version"]
    assert rec["verdict"] == "fail"
    (f,) = rec["findings"]
    assert (f["tool"], f["rule"], f["severity"]) == ("gymwarden-deps", "GWD001", "high")
    assert (f["file"], f["line"]) == ("source/requirements.txt", 1)
    assert "urllib3" in f["message"] and re.fullmatch(r"[0-9a-f]{16}", f["fingerprint"])
    assert [a["kind"] for a in rec["attachments"]] == ["deps"]
    assert rec["attachments"][0]["data"] == doc


def test_attached_to_the_newest_record_of_the_tree(gw, db, project):
    registry_record(project)
    rid, digest = registry_record(project)
    rc, doc, stored, _ = deps_stored(gw, db, project)
    assert rc == 1 and stored and int(stored.group(1)) == rid
    assert digest.startswith(stored.group(2))
    assert record_ids(gw, project) == [1, 2]
    rec = export(gw, project, rid)
    assert rec["tools"][0]["name"] == "registry-fixture" and rec["findings"] == []
    assert [a["data"] for a in rec["attachments"]] == [doc]
    assert export(gw, project, 1)["attachments"] == []


def test_a_changed_tree_gets_a_record_of_its_own(gw, db, project):
    registry_record(project)
    (project / "src" / "requirements.txt").write_text("# moved\nurllib3==1.26.4\n")
    rc, _, stored, _ = deps_stored(gw, db, project)
    assert stored and stored.group(1) == "2"
    before, after = export(gw, project, 1), export(gw, project, 2)
    assert before["attachments"] == [] and before["digest"] != after["digest"]
    assert after["findings"][0]["line"] == 2


def test_record_fingerprints_are_sarifs(gw, db, project):
    (project / "src" / "requirements.txt").write_text("urllib3==1.26.4\ngym>=0.6\n")
    deps_stored(gw, db, project, "--record")
    findings = export(gw, project, 1)["findings"]
    (unpinned,) = [f for f in findings if f["rule"] == "GWD004"]
    r = gw("deps", "--db", db, "--format", "sarif", "--no-record", "--env", "Toy-v0",
           str(project / "gymwarden.toml"))
    results = json.loads(r.stdout)["runs"][0]["results"]
    (res,) = [x for x in results if x["ruleId"] == "GWD004"]
    assert res["partialFingerprints"]["gymwardenDeps/v1"] == unpinned["fingerprint"]


def test_not_stored_without_a_registry(gw, db, project):
    rc, doc, stored, err = deps_stored(gw, db, project)
    assert rc == 1 and doc["kind"] == "deps"
    assert stored is None and "record" not in err
    assert not (project / ".gymwarden").exists()


def test_record_creates_the_registry(gw, db, project):
    rc, doc, stored, _ = deps_stored(gw, db, project, "--record")
    assert rc == 1 and stored and stored.group(1) == "1"
    registry = project / ".gymwarden" / "registry.db"
    assert stat.S_IMODE(registry.stat().st_mode) == 0o600
    assert export(gw, project, 1)["attachments"][0]["data"] == doc


def test_no_record_leaves_the_registry_alone(gw, db, project):
    rid, _ = registry_record(project)
    rc, _, stored, err = deps_stored(gw, db, project, "--no-record")
    assert rc == 1 and stored is None and "record" not in err
    assert export(gw, project, rid)["attachments"] == []
    assert record_ids(gw, project) == [rid]


def test_text_report_stores_the_json_document(gw, db, project):
    registry_record(project)
    r = gw("deps", "--db", db, "--env", "Toy-v0", str(project / "gymwarden.toml"))
    assert r.returncode == 1 and "urllib3" in r.stdout
    assert STORED.search(r.stderr) and "results stored" not in r.stdout
    assert export(gw, project, 1)["attachments"][0]["data"]["kind"] == "deps"


@pytest.mark.parametrize("args, text, verdict", [
    (("--fail-on", "high"), "urllib3==1.26.4\n", "fail"),
    (("--fail-on", "critical"), "urllib3==1.26.4\n", "pass"),
    (("--fail-on", "critical"), "urllib3==1.26.4\nfoo ==\n", "partial"),
    (("--fail-on", "high"), "urllib3==1.26.4\nfoo ==\n", "fail"),
])
def test_new_record_verdict_follows_fail_on(gw, db, project, args, text, verdict):
    (project / "src" / "requirements.txt").write_text(text)
    _, doc, stored, _ = deps_stored(gw, db, project, "--record", *args)
    assert stored, doc["errors"]
    assert export(gw, project, 1)["verdict"] == verdict


def test_a_record_made_without_advisories_is_only_partial(gw, project):
    (project / "src" / "requirements.txt").write_text("urllib3==1.26.4\n")
    r = gw("deps", "--format", "json", "--env", "Toy-v0", "--record",
           str(project / "gymwarden.toml"))
    assert STORED.search(r.stderr), r.stderr
    assert export(gw, project, 1)["verdict"] == "partial"


def test_records_show_and_export_hold_the_deps_document(gw, db, project, tmp_path):
    _, doc, _, _ = deps_stored(gw, db, project, "--record")
    manifest = str(project / "gymwarden.toml")
    r = gw("records", "show", "1", "--manifest", manifest)
    assert r.returncode == 0, r.stderr
    assert "tools     gymwarden-deps" in r.stdout
    assert "source/requirements.txt:1" in r.stdout and "GWD001" in r.stdout
    assert "attachments (1):" in r.stdout and "  deps  " in r.stdout
    shown = json.loads(gw("records", "show", "1", "--format", "json",
                          "--manifest", manifest).stdout)
    out = tmp_path / "record.json"
    r = gw("records", "export", "1", "--manifest", manifest, "--output", str(out))
    assert r.returncode == 0, r.stderr
    exported = json.loads(out.read_text())
    assert shown == exported
    (att,) = exported["attachments"]
    assert att["kind"] == "deps" and att["data"] == doc
    assert att["data"]["findings"][0]["package"] == "urllib3"


def test_a_registry_that_cannot_be_opened_is_an_error_after_the_report(gw, db,
                                                                        project):
    folder = project / ".gymwarden"
    folder.mkdir(mode=0o700)
    (folder / "registry.db").write_text("not a database\n")
    rc, doc, stored, err = deps_stored(gw, db, project)
    assert rc == 2 and stored is None
    assert doc["kind"] == "deps" and doc["findings"]  # the report is whole
    assert "gymwarden: deps: results not stored:" in err and "registry.db" in err


def test_a_tree_that_cannot_be_digested_is_an_error(gw, db, project):
    os.mkfifo(project / "src" / "pipe")
    rc, doc, stored, err = deps_stored(gw, db, project, "--record")
    assert rc == 2 and stored is None and doc["findings"]
    assert "results not stored" in err and "pipe" in err
    assert not (project / ".gymwarden").exists()


@pytest.mark.parametrize("args", [
    ("--record", "--no-record", "--env", "Toy-v0", "gymwarden.toml"),
    ("--record", "src"),
])
def test_record_usage_errors(gw, project, args):
    r = gw("deps", *args, cwd=project)
    assert r.returncode == 2 and "--record" in r.stderr
    assert not (project / ".gymwarden").exists()


def test_help_lists_the_record_options(gw):
    r = gw("deps", "--help")
    assert r.returncode == 0
    assert "--record" in r.stdout and "--no-record" in r.stdout
