"""`gymwarden records`, `approve` and `revoke`: the real command over a
registry whose records are made through the C API by
tests/tools/registry_fixture (until `gymwarden vet` exists). Also the
tree digest recomputed here from docs/registry.md alone, and, once the
check is wired into gw_env_open, `gymwarden run` refusing an unapproved
tree."""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import stat
import subprocess

import pytest

from conftest import BUILD, ROOT

FIXTURE = BUILD / "tests" / "tools" / "registry_fixture"
JAIL = BUILD / "src" / "jail" / "gymwarden-jail"
WORKER = BUILD / "python" / "gymwarden" / "worker.py"
RUNENVS = ROOT / "tests" / "integration" / "envs" / "runenvs"
COMPAT = ROOT / "examples" / "_compat"

pytestmark = pytest.mark.skipif(
    not FIXTURE.exists(), reason="tests/tools/registry_fixture is not built"
)

MANIFEST = """\
vetting = "{vetting}"

[[env]]
id = "Toy-v0"
source = "src"
entry_point = "toy.env:ToyEnv"
dependency_paths = ["site"]
action_space = {{ type = "Discrete", n = 2 }}
observation_space = {{ type = "Discrete", n = 2 }}

[[env]]
id = "Other-v0"
source = "src"
entry_point = "toy.env:OtherEnv"
action_space = {{ type = "Discrete", n = 2 }}
observation_space = {{ type = "Discrete", n = 2 }}
"""


def write_manifest(folder: pathlib.Path, vetting: str = "required") -> pathlib.Path:
    path = folder / "gymwarden.toml"
    path.write_text(MANIFEST.format(vetting=vetting))
    return path


@pytest.fixture
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    """A manifest, an env source tree (a package, an executable, a symlink,
    a hidden file) and a dependency path."""
    src = tmp_path / "src" / "toy"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "env.py").write_text("class ToyEnv:\n    pass\n")
    (tmp_path / "src" / "run.sh").write_text("#!/bin/sh\n")
    (tmp_path / "src" / "run.sh").chmod(0o755)
    (tmp_path / "src" / ".hidden").write_text("h")
    (tmp_path / "src" / "link").symlink_to("toy/env.py")
    site = tmp_path / "site" / "dep"
    site.mkdir(parents=True)
    (site / "__init__.py").write_text("VERSION = 1\n")
    write_manifest(tmp_path)
    return tmp_path


def fixture(*args: str, cwd: pathlib.Path | None = None) -> list[str]:
    r = subprocess.run([str(FIXTURE), *args], capture_output=True, text=True,
                       cwd=cwd, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def make_record(project: pathlib.Path, verdict: str = "pass", findings: int = 0,
                env: str = "Toy-v0", deps: str | None = None) -> tuple[int, str]:
    args = ["record", str(project / "gymwarden.toml"), env, verdict, str(findings)]
    if deps is not None:
        args.append(deps)
    out = fixture(*args)
    return int(out[0]), out[1]


# ---- the digest, from the documentation alone ----


def reference_entries(root: pathlib.Path, prefix: str) -> list[tuple[bytes, str, int, str]]:
    """(path, kind, size, sha256) per docs/registry.md: regular files and
    symlinks, never followed; kind f, x or l."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        names = filenames + [d for d in dirnames
                             if os.path.islink(os.path.join(dirpath, d))]
        for name in names:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            path = f"{prefix}/{rel}".encode()
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(full).encode()
                kind = "l"
            else:
                data = pathlib.Path(full).read_bytes()
                kind = "x" if st.st_mode & 0o111 else "f"
            out.append((path, kind, len(data), hashlib.sha256(data).hexdigest()))
    return sorted(out)


def reference_digest(entries) -> str:
    h = hashlib.sha256(b"gymwarden-tree-1\n")
    for path, kind, size, sha in entries:
        h.update(f"{kind} {size} {sha} ".encode() + path + b"\0")
    return "sha256:" + h.hexdigest()


def test_digest_matches_the_documented_algorithm(project):
    out = subprocess.run([str(FIXTURE), "tree", str(project / "gymwarden.toml"),
                          "Toy-v0"], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    entries = sorted(reference_entries(project / "site", "deps/0")
                     + reference_entries(project / "src", "source"))
    assert lines[0] == reference_digest(entries)
    got = [line.split(" ", 4) for line in lines[1:]]
    assert [g[4].encode() for g in got] == [e[0] for e in entries]
    assert [g[3] for g in got] == [e[3] for e in entries]
    modes = {g[4]: g[1] for g in got}
    assert modes["source/run.sh"] == "0755"
    assert modes["source/toy/env.py"] == "0644"
    assert modes["source/link"] == "0777"
    assert "source/.hidden" in modes


def test_a_changed_dependency_changes_the_digest(project):
    _, before = make_record(project)
    (project / "site" / "dep" / "__init__.py").write_text("VERSION = 2\n")
    _, after = make_record(project)
    assert before != after


# ---- records list, show, export ----


def test_list_without_a_registry_is_empty(gw, project):
    r = gw("records", "list", str(project / "gymwarden.toml"))
    assert r.returncode == 0, r.stderr
    assert "no records" in r.stdout
    r = gw("records", "list", str(project / "gymwarden.toml"), "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["kind"] == "records" and doc["records"] == []


def test_list_shows_each_record(gw, project):
    a, digest = make_record(project, "pass", 0)
    b, _ = make_record(project, "fail", 3)
    c, _ = make_record(project, "partial", 1, env="Other-v0")
    assert (a, b, c) == (1, 2, 3)
    r = gw("records", "list", str(project / "gymwarden.toml"))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["ID", "ENV", "DIGEST", "VERDICT", "FINDINGS",
                                "APPROVED", "CREATED"]
    first = lines[1].split()
    assert first[:6] == ["1", "Toy-v0", digest[:19], "pass", "0", "no"]
    assert first[6].endswith("Z")
    assert lines[2].split()[3:5] == ["fail", "3"]

    doc = json.loads(gw("records", "list", str(project / "gymwarden.toml"),
                        "--env", "Other-v0", "--format", "json").stdout)
    assert [x["id"] for x in doc["records"]] == [3]
    assert doc["records"][0]["verdict"] == "partial"
    assert doc["records"][0]["approval"] == "none"


def test_registry_comes_from_the_manifest_in_the_current_folder(gw, project):
    make_record(project)
    r = gw("records", "list", cwd=project)
    assert r.returncode == 0 and "Toy-v0" in r.stdout
    r = gw("records", "list", "--registry",
           str(project / ".gymwarden" / "registry.db"), cwd="/")
    assert r.returncode == 0 and "Toy-v0" in r.stdout
    r = gw("records", "show", "1", "--manifest", str(project / "gymwarden.toml"),
           cwd="/")
    assert r.returncode == 0, r.stderr


def test_registry_files_are_private(project):
    make_record(project)
    folder = project / ".gymwarden"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for p in folder.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_show_prints_everything_escaped(gw, project):
    make_record(project, "fail", 2, deps='{"vulnerabilities": []}')
    r = gw("records", "show", "1", cwd=project)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("record 1  Toy-v0")
    assert "verdict   fail" in out
    assert "findings (2):" in out
    assert "source/env.py:2:1: high: FIX001: finding 2 [registry-fixture]" in out
    assert "\x1b" not in out and "\\x1b[31m" in out
    assert "attachments (1):" in out and "deps" in out
    assert "decisions (0):" in out
    assert "source/toy/env.py" in out and "deps/0/dep/__init__.py" in out


def test_show_and_export_give_the_same_document(gw, project, tmp_path):
    _, digest = make_record(project, "pass", 1, deps='{"n": 1}')
    shown = json.loads(gw("records", "show", "1", "--format", "json",
                          cwd=project).stdout)
    exported = json.loads(gw("records", "export", "1", cwd=project).stdout)
    assert shown == exported
    assert exported["kind"] == "record" and exported["version"] == 1
    assert exported["digest"] == digest
    assert exported["env"] == "Toy-v0"
    assert exported["tools"][0]["name"] == "registry-fixture"
    assert exported["attachments"][0]["data"] == {"n": 1}
    paths = [f["path"] for f in exported["files"]]
    assert paths == sorted(paths) and "source/toy/env.py" in paths
    for f in exported["files"]:
        assert len(f["sha256"]) == 64 and f["type"] in ("file", "symlink")
    out = tmp_path / "export.json"
    r = gw("records", "export", "1", "--output", str(out), cwd=project)
    assert r.returncode == 0 and r.stdout == ""
    assert json.loads(out.read_text()) == exported


def test_records_by_digest_prefix(gw, project):
    _, digest = make_record(project)
    make_record(project)
    for ref in (digest, digest[:20], digest[7:19], digest[7:19].upper()):
        doc = json.loads(gw("records", "show", ref, "--format", "json",
                            cwd=project).stdout)
        assert doc["id"] == 2, ref


@pytest.mark.parametrize("args", [
    ("records", "show", "9"),
    ("records", "show", "abc"),
    ("records", "export", "sha256:ffffffff"),
    ("records", "frobnicate"),
    ("records", "show"),
    ("records", "list", "--output", "x"),
    ("records", "show", "1", "--env", "Toy-v0"),
])
def test_records_errors_exit_2(gw, project, args):
    make_record(project)
    r = gw(*args, cwd=project)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("gymwarden records: ")


def test_show_without_a_registry_says_so(gw, project):
    r = gw("records", "show", "1", cwd=project)
    assert r.returncode == 2
    assert "no registry at" in r.stderr and "gymwarden vet" in r.stderr


# ---- approve and revoke ----


def approval(gw, project, ref: str = "1") -> str:
    doc = json.loads(gw("records", "show", ref, "--format", "json",
                        cwd=project).stdout)
    return doc["approval"]


def test_approve_then_revoke(gw, project):
    make_record(project)
    r = gw("approve", "1", "--by", "ann", "--note", "read it all", cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("approved record 1 (Toy-v0, sha256:")
    assert "warning" not in r.stderr
    assert approval(gw, project) == "approved"
    assert "yes" in gw("records", "list", cwd=project).stdout

    r = gw("revoke", "1", "--by", "bob", "--note", "CVE", cwd=project)
    assert r.returncode == 0, r.stderr
    assert approval(gw, project) == "revoked"
    r = gw("revoke", "1", "--by", "bob", cwd=project)
    assert r.returncode == 2 and "not approved" in r.stderr

    doc = json.loads(gw("records", "export", "1", cwd=project).stdout)
    assert [(d["action"], d["by"], d["note"]) for d in doc["decisions"]] == [
        ("approve", "ann", "read it all"), ("revoke", "bob", "CVE")]


def test_revoke_defaults_to_the_login_name(gw, project):
    make_record(project)
    gw("approve", "1", "--by", "ann", cwd=project)
    r = gw("revoke", "1", cwd=project)
    assert r.returncode == 0, r.stderr
    doc = json.loads(gw("records", "export", "1", cwd=project).stdout)
    assert doc["decisions"][-1]["by"]


def test_approve_refuses_a_failed_record_without_force(gw, project):
    make_record(project, "fail", 4)
    r = gw("approve", "1", "--by", "ann", cwd=project)
    assert r.returncode == 1
    assert "verdict fail" in r.stderr and "--force" in r.stderr
    assert approval(gw, project) == "none"
    r = gw("approve", "1", "--by", "ann", "--force", cwd=project)
    assert r.returncode == 0, r.stderr
    assert approval(gw, project) == "approved"


@pytest.mark.parametrize("args", [
    ("approve", "7", "--by", "ann"),
    ("approve", "1"),
    ("approve", "1", "--by", ""),
    ("approve", "sha256:0000000000", "--by", "ann"),
    ("approve",),
])
def test_approve_errors_exit_2(gw, project, args):
    make_record(project)
    r = gw(*args, cwd=project)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert approval(gw, project) == "none"


def test_approving_a_stale_record_warns(gw, project):
    make_record(project)
    (project / "src" / "toy" / "env.py").write_text("class ToyEnv: ...\n")
    r = gw("approve", "1", "--by", "ann", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "warning" in r.stderr and "not the record's" in r.stderr
    assert approval(gw, project) == "approved"


@pytest.mark.parametrize("cmd", ["records", "approve", "revoke"])
def test_help(gw, cmd):
    r = gw(cmd, "--help")
    assert r.returncode == 0
    assert r.stdout.startswith(f"Usage: gymwarden {cmd}")
    assert "--registry PATH" in r.stdout


# ---- enforcement at run time ----


@pytest.fixture
def runnable(tmp_path: pathlib.Path) -> pathlib.Path:
    """A copy of the integration tests' well-behaved env under a manifest
    that requires approval."""
    if not (JAIL.exists() and WORKER.exists()):
        pytest.skip("the launcher or the worker is not built")
    shutil.copytree(RUNENVS, tmp_path / "src" / "runenvs",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(COMPAT, tmp_path / "compat",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "gymwarden.toml").write_text(RUN_MANIFEST.format(vetting="required"))
    return tmp_path


RUN_MANIFEST = """\
vetting = "{vetting}"

[[env]]
id = "Good-v0"
source = "src"
entry_point = "runenvs.envs:GoodEnv"
dependency_paths = ["compat"]
max_episode_steps = 20
action_space = {{ type = "Discrete", n = 2 }}
observation_space = {{ type = "Box", dtype = "float32", shape = [3], low = -10.0, high = 10.0 }}
sandbox = {{ step_timeout = "1s", reset_timeout = "10s" }}
"""


def run(gw, folder: pathlib.Path):
    env = {"GYMWARDEN_JAIL": str(JAIL), "GYMWARDEN_WORKER": str(WORKER),
           "PYTHONDONTWRITEBYTECODE": "1"}
    return gw("run", str(folder / "gymwarden.toml"), "--env", "Good-v0",
              "--episodes", "1", "--format", "json", env=env)


def test_run_refuses_a_tree_until_it_is_approved(gw, runnable):
    (runnable / "gymwarden.toml").write_text(RUN_MANIFEST.format(vetting="off"))
    r = run(gw, runnable)
    if r.returncode != 0:
        pytest.skip(f"the env does not run in this build: {r.stderr[-300:]}")
    (runnable / "gymwarden.toml").write_text(RUN_MANIFEST.format(vetting="required"))
    r = run(gw, runnable)
    if r.returncode == 0:
        pytest.skip("the registry check is not wired into gw_env_open yet")
    assert r.returncode == 2
    err = json.loads(r.stdout)["error"]
    assert err["kind"] == "NotApproved"
    assert "sha256:" in err["message"] and "gymwarden vet" in err["message"]

    rid, _ = make_record(runnable, env="Good-v0")
    r = run(gw, runnable)
    assert r.returncode == 2
    assert f"gymwarden approve {rid} --by NAME" in json.loads(r.stdout)["error"]["message"]

    assert gw("approve", str(rid), "--by", "ann", cwd=runnable).returncode == 0
    r = run(gw, runnable)
    assert r.returncode == 0, r.stdout + r.stderr

    # One more byte in the env: refused again, pointing at the change.
    with open(runnable / "src" / "runenvs" / "envs.py", "a") as f:
        f.write("\n")
    r = run(gw, runnable)
    assert r.returncode == 2
    assert "changed since" in json.loads(r.stdout)["error"]["message"]

    # Warn runs it, loudly; off runs it.
    (runnable / "gymwarden.toml").write_text(RUN_MANIFEST.format(vetting="warn"))
    r = run(gw, runnable)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "WARNING" in r.stderr and "unapproved" in r.stderr
    (runnable / "gymwarden.toml").write_text(RUN_MANIFEST.format(vetting="off"))
    assert run(gw, runnable).returncode == 0
