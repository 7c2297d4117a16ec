"""`gymwarden run`: the real command, a real launcher and worker, and
environments that misbehave on purpose (envs/runenvs/envs.py, pinned in
envs/gymwarden.toml). Each test checks the exit status, the JSON report
and that no worker process is left behind."""

from __future__ import annotations

import json
import os
import pathlib
import time

import pytest

from conftest import BUILD, ROOT

ENVS = pathlib.Path(__file__).resolve().parent / "envs" / "gymwarden.toml"
EXAMPLE = ROOT / "examples" / "gymwarden.toml"
JAIL = BUILD / "src" / "jail" / "gymwarden-jail"
WORKER = BUILD / "python" / "gymwarden" / "worker.py"
BAD_STEP = 3
# The step timeout pinned for Hang-v0, and what killing may add.
STEP_TIMEOUT_S = 0.3
SLACK_S = 3.0

pytestmark = pytest.mark.skipif(
    not (JAIL.exists() and WORKER.exists()),
    reason="the launcher or the worker is not built",
)


def workers() -> list[str]:
    """Command lines of every process running our worker script."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(WORKER) in cmd and str(ENVS.parent) in cmd:
            found.append(f"{entry}: {cmd}")
    return found


@pytest.fixture
def run(gw):
    """Run `gymwarden run` with the build's launcher and worker; after the
    test, no worker may be left."""
    env = {"GYMWARDEN_JAIL": str(JAIL), "GYMWARDEN_WORKER": str(WORKER)}

    def go(*args: str, manifest: pathlib.Path = ENVS, **kw):
        return gw("run", str(manifest), *args, env=env, **kw)

    yield go
    deadline = time.monotonic() + 2
    while workers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers() == [], "worker processes left behind"


def report(proc) -> dict:
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1 and doc["kind"] == "run"
    return doc


def kinds(doc: dict) -> list[tuple[str, int, int]]:
    return [(v["kind"], v["episode"], v["step"]) for v in doc["violations"]]


def test_help_comes_from_the_option_table(gw):
    proc = gw("run", "--help")
    assert proc.returncode == 0
    for word in ("--env", "--episodes", "--seed", "--format", "--max-steps"):
        assert word in proc.stdout


def test_missing_env_is_a_usage_error(gw):
    proc = gw("run", str(ENVS))
    assert proc.returncode == 2
    assert "--env" in proc.stderr


def test_unknown_env_is_our_error(run):
    proc = run("--env", "Nope-v0", "--format", "json")
    assert proc.returncode == 2
    assert report(proc)["error"]["kind"] == "ManifestError"


def test_gridworld_runs_clean(run):
    proc = run("--env", "GridWorld-v0", "--episodes", "2", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = report(proc)
    assert [e["episode"] for e in doc["episodes"]] == [1, 2]
    for ep in doc["episodes"]:
        assert ep["end"] in ("terminated", "truncated")
        assert 1 <= ep["steps"] <= 200
    assert doc["steps"] == sum(e["steps"] for e in doc["episodes"])
    assert doc["violations"] == [] and set(doc["faults"].values()) == {0}
    assert_layers_told(doc)


# Every layer the launcher can report (src/jail/launcher.h).
ALL_LAYERS = {
    "user", "pid", "mount", "net", "ipc", "uts", "cgroup", "seccomp",
    "landlock", "rlimits", "cgroup-limits", "tmp", "proc", "dev", "caps",
    "nnp", "uid", "no-userns", "init", "session", "pdeathsig", "fds", "env",
    "notify", "lifetime",
}
# What this VM provides to root (docs/jail.md); the test suite runs as root.
ROOT_LAYERS = {
    "user", "pid", "mount", "net", "ipc", "uts", "cgroup", "seccomp",
    "landlock", "rlimits", "tmp", "proc", "dev", "caps", "nnp", "uid",
    "no-userns", "init", "session", "pdeathsig", "fds", "env", "notify",
}


def assert_layers_told(doc: dict) -> None:
    """Each layer is reported once, as standing or as missing with a reason."""
    stood = doc["layers"]
    missing = {m["layer"]: m["why"] for m in doc["missing_layers"]}
    assert len(set(stood)) == len(stood)
    assert set(stood) | set(missing) == ALL_LAYERS
    assert not set(stood) & set(missing)
    assert all(missing.values())
    if os.geteuid() == 0:
        assert ROOT_LAYERS <= set(stood), missing


def test_the_same_seed_gives_the_same_run(run):
    a = report(run("--env", "GridWorld-v0", "--seed", "5", "--format", "json"))
    b = report(run("--env", "GridWorld-v0", "--seed", "5", "--format", "json"))
    assert a["episodes"] == b["episodes"]


def test_text_summary(run):
    proc = run("--env", "Good-v0", "--episodes", "2")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "episode 1: 20 steps, return 20.0000, terminated" in out
    assert "total: 40 steps, mean return 20.0000" in out
    assert "layers: user,pid,mount,net," in out
    assert "faults: none" in out


def test_required_layers_that_stand_let_the_env_run(run):
    proc = run("--env", "Walled-v0", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert {"net", "seccomp"} <= set(report(proc)["layers"])


def test_a_required_layer_the_host_lacks_is_refused(gw, tmp_path):
    # A host where Landlock cannot be applied (it needs no_new_privs),
    # played by a launcher told to leave no_new_privs out.
    jail = tmp_path / "jail-without-nnp"
    jail.write_text(f'#!/bin/sh\nexec {JAIL} --without nnp "$@"\n')
    jail.chmod(0o755)
    env = {"GYMWARDEN_JAIL": str(jail), "GYMWARDEN_WORKER": str(WORKER)}
    proc = gw("run", str(ENVS), "--env", "Landlocked-v0", "--format", "json",
              env=env)
    assert proc.returncode == 2
    err = report(proc)["error"]
    assert err["kind"] == "SandboxViolation"
    assert "requires sandbox layers this host does not provide" in err["message"]
    assert "landlock (needs-nnp)" in err["message"]
    assert err["field"] == "sandbox.require"
    assert "net" not in err["message"].split("provide:")[1].split(";")[0]

    # Not required, the same missing layers are run without, and said.
    proc = gw("run", str(ENVS), "--env", "Good-v0", "--format", "json",
              env=env)
    assert proc.returncode == 0, proc.stderr
    doc = report(proc)
    assert "landlock" not in doc["layers"]
    assert {"layer": "landlock", "why": "needs-nnp"} in doc["missing_layers"]
    assert {"layer": "nnp", "why": "without"} in doc["missing_layers"]


def test_crash_names_the_status_and_stderr(run):
    proc = run("--env", "Crash-v0", "--format", "json")
    assert proc.returncode == 1
    doc = report(proc)
    assert kinds(doc) == [("crashed", 1, BAD_STEP)]
    detail = doc["violations"][0]["detail"]
    assert "status 7" in detail and "CrashEnv: about to exit" in detail
    assert doc["episodes"][0]["end"] == "error"
    assert len(doc["episodes"]) == 1, "a dead worker ends the run"


def test_hang_times_out_and_is_killed(run):
    began = time.monotonic()
    proc = run("--env", "Hang-v0", "--format", "json")
    assert proc.returncode == 1
    assert time.monotonic() - began < 10 * STEP_TIMEOUT_S + SLACK_S
    doc = report(proc)
    assert kinds(doc) == [("timeout", 1, BAD_STEP)]
    assert "300ms step_timeout" in doc["violations"][0]["detail"]


def test_wrong_shape_is_rejected_each_episode(run):
    proc = run("--env", "WrongShape-v0", "--episodes", "2", "--format", "json")
    assert proc.returncode == 1
    doc = report(proc)
    assert kinds(doc) == [("shape", 1, BAD_STEP), ("shape", 2, BAD_STEP)]
    v = doc["violations"][0]
    assert v["field"] == "observation" and v["policy"] == "reject"
    assert "(4,)" in v["detail"] and "(3,)" in v["detail"]
    assert doc["faults"]["shape"] == 2


def test_nan_is_rejected_with_its_field(run):
    doc = report(run("--env", "Nan-v0", "--episodes", "1", "--format", "json"))
    assert kinds(doc) == [("nonfinite", 1, BAD_STEP)]
    assert doc["violations"][0]["field"] == "observation[1]"


def test_nan_under_terminate_ends_the_run(run):
    proc = run("--env", "NanTerminate-v0", "--format", "json")
    assert proc.returncode == 1
    doc = report(proc)
    assert kinds(doc) == [("nonfinite", 1, BAD_STEP)]
    assert doc["violations"][0]["policy"] == "terminate"
    assert len(doc["episodes"]) == 1


def test_an_exception_is_escaped_and_the_env_goes_on(run):
    proc = run("--env", "Raise-v0", "--episodes", "2", "--format", "json")
    assert proc.returncode == 1
    doc = report(proc)
    assert kinds(doc) == [("raised", 1, BAD_STEP), ("raised", 2, BAD_STEP)]
    detail = doc["violations"][0]["detail"]
    assert "RuntimeError" in detail and "on purpose" in detail
    assert "\x1b" not in proc.stdout and "\\x1b" in detail


def test_a_flood_of_output_is_bounded_and_escaped(run):
    proc = run("--env", "Flood-v0", "--episodes", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(proc.stderr) < 1 << 20
    for raw in ("\x1b", "\u202e", "\ufffd"):
        assert raw not in proc.stderr
    assert "lines not shown" in proc.stderr


def test_declared_spaces_that_differ_are_a_violation(run):
    proc = run("--env", "BadSpec-v0", "--format", "json")
    assert proc.returncode == 1
    doc = report(proc)
    assert kinds(doc) == [("spec_mismatch", 0, -1)]
    assert "(4,)" in doc["violations"][0]["detail"]


def test_a_constructor_that_raises_is_a_crash(run):
    proc = run("--env", "ConstructRaise-v0", "--format", "json")
    assert proc.returncode == 1
    doc = report(proc)
    assert kinds(doc) == [("crashed", 0, -1)]
    assert "cannot build ConstructRaiseEnv" in doc["violations"][0]["detail"]


def test_a_missing_launcher_is_our_error(gw):
    env = {"GYMWARDEN_JAIL": "/nonexistent/gymwarden-jail",
           "GYMWARDEN_WORKER": str(WORKER)}
    proc = gw("run", str(ENVS), "--env", "Good-v0", env=env)
    assert proc.returncode == 2
    assert "launcher" in proc.stderr and "GYMWARDEN_JAIL" in proc.stderr


def _example_ids() -> list[str]:
    import tomllib

    with open(EXAMPLE, "rb") as f:
        return [e["id"] for e in tomllib.load(f)["env"]]


def test_the_bundled_example_needs_an_approved_record(gw, tmp_path):
    import shutil

    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLE.parent, copy,
                    ignore=shutil.ignore_patterns(".gymwarden", "__pycache__"))
    manifest = str(copy / "gymwarden.toml")
    env = {"GYMWARDEN_JAIL": str(JAIL), "GYMWARDEN_WORKER": str(WORKER)}
    refused = gw("run", manifest, "--env", "GridWorld-v0", env=env)
    assert refused.returncode == 2
    assert "NotApproved" in refused.stderr and "gymwarden vet" in refused.stderr
    vet = gw("vet", manifest, "--env", "GridWorld-v0")
    assert vet.returncode == 0, vet.stderr
    assert "record 1 stored" in vet.stderr
    assert gw("approve", "1", "--by", "t", "--manifest", manifest,
              env=env).returncode == 0
    assert gw("run", manifest, "--env", "GridWorld-v0", env=env).returncode == 0
    # Running must not change the approved tree (no bytecode written).
    assert not list(copy.rglob("__pycache__"))
    assert gw("run", manifest, "--env", "GridWorld-v0", env=env).returncode == 0
    (copy / "gridworld" / "gridworld" / "env.py").write_text("# changed\n",
                                                            encoding="utf-8")
    again = gw("run", manifest, "--env", "GridWorld-v0", env=env)
    assert again.returncode == 2 and "NotApproved" in again.stderr


@pytest.mark.parametrize("env_id", _example_ids())
def test_every_bundled_example_runs_clean(gw, approved_examples, env_id):
    env = {"GYMWARDEN_JAIL": str(JAIL), "GYMWARDEN_WORKER": str(WORKER)}
    proc = gw("run", str(EXAMPLE), "--env", env_id, "--episodes", "2",
              "--format", "json", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = report(proc)
    assert doc["violations"] == []
    assert doc["steps"] > 0
    assert all(ep["end"] in ("terminated", "truncated")
               for ep in doc["episodes"])
