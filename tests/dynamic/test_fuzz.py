"""`gymwarden fuzz`: the real command, launcher and worker, against
environments that each hide one behaviour only a run shows (envs/ and
envs_write/, pinned in gymwarden.toml). Each test checks that the finding
has the right kind, episode and step, and that its replay leads there."""

from __future__ import annotations

import json
import pathlib
import sqlite3

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MANIFEST = HERE / "gymwarden.toml"
HOSTILE = ROOT / "tests" / "hostile" / "sandbox" / "gymwarden.toml"
DROPPED = HERE / "envs_write" / "writeenv" / "dropped.txt"
SEED_SWEEP = 56  # GW_FUZZ_SEED_SWEEP: episodes before the strategies
CONNECT_STEP = 301
HANG_SEED = 13
PASSWD_ACTION = 7
WRITE_STEP = 3
NAN_STEP = 10
SEGV_STEP = 5


def fuzz(gw, env: str, *args: str, manifest: pathlib.Path = MANIFEST):
    proc = gw("fuzz", str(manifest), "--env", env, "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1 and doc["kind"] == "fuzz"
    return proc.returncode, doc


def of_kind(doc: dict, kind: str) -> list[dict]:
    return [f for f in doc["findings"] if f["kind"] == kind]


def action(hexed: str) -> int:
    return int.from_bytes(bytes.fromhex(hexed), "little", signed=True)


def test_help_comes_from_the_option_table(gw):
    proc = gw("fuzz", "--help")
    assert proc.returncode == 0
    for word in ("--env", "--episodes", "--steps", "--seed", "--time",
                 "--threshold", "--replay", "--save-replay", "--no-record",
                 "--format"):
        assert word in proc.stdout


@pytest.mark.parametrize("args, why", [
    ((), "missing option --env"),
    (("--env", "Quiet-v0", "--time", "soon"), "--time"),
    (("--env", "Quiet-v0", "--steps", "0"), "--steps"),
    (("--env", "Nope-v0", "--no-record"), "Nope-v0"),
])
def test_usage_errors_exit_2(gw, args, why):
    proc = gw("fuzz", str(MANIFEST), *args)
    assert proc.returncode == 2
    assert why in proc.stderr


def test_a_quiet_env_passes_with_numbers(gw):
    rc, doc = fuzz(gw, "Quiet-v0", "--episodes", "5", "--no-record")
    assert rc == 0, doc["findings"]
    assert doc["verdict"] == "pass"
    s = doc["summary"]
    assert s["episodes"] == SEED_SWEEP + 5
    assert set(s["strategies"]) == {"seeds", "uniform", "boundary",
                                    "repeat", "alternate", "long"}
    # The long episode goes past max_episode_steps (200) up to --steps.
    assert s["strategies"]["long"]["steps"] >= 1000
    assert s["determinism_checks"] >= 6
    t = s["step_time_us"]
    assert 0 < t["count"] and t["p50"] <= t["p90"] <= t["p99"] <= t["max"]
    assert s["resources"]["measured"] and s["resources"]["peak_rss_kib"] > 0
    assert doc["observe"]["on_violation"] == "errno"


def test_connection_after_300_steps(gw, layers):
    rc, doc = fuzz(gw, "LateConnect-v0", "--episodes", "1", "--no-record")
    assert rc == 1
    hits = [f for f in doc["findings"] if f["step"] == CONNECT_STEP
            and ("socket" in f["name"] or "connect" in f["name"])]
    assert hits, doc["findings"]
    # The first uniform episode, right after the seed sweep, is the first
    # to reach the step.
    assert {f["episode"] for f in hits} == {SEED_SWEEP + 1}
    if "seccomp" in layers:
        v = [f for f in hits if f["kind"] == "violation"]
        assert v and v[0]["evidence"] == "sandbox"
    assert all(f["step"] >= CONNECT_STEP for f in doc["findings"]
               if f["kind"] in ("violation", "attempt"))


def test_reset_that_hangs_for_one_seed(gw):
    rc, doc = fuzz(gw, "SeedHang-v0", "--episodes", "1", "--no-record")
    assert rc == 1
    hang = of_kind(doc, "hang")
    assert len(hang) == 1 and hang[0]["name"] == "reset"
    assert hang[0]["step"] == 0 and hang[0]["episode"] == HANG_SEED + 1
    assert hang[0]["replay"]["seed"] == HANG_SEED
    # The run went on in a new worker after the hang.
    assert doc["summary"]["restarts"] == 1
    assert doc["summary"]["episodes"] == SEED_SWEEP + 1


def test_memory_that_leaks_every_step(gw):
    rc, doc = fuzz(gw, "Leak-v0", "--episodes", "3", "--no-record")
    assert rc == 1
    leak = of_kind(doc, "memory-growth")
    assert len(leak) == 1 and leak[0]["evidence"] == "host"
    assert leak[0]["step"] > 0 and leak[0]["episode"] > 0
    assert not of_kind(doc, "nondeterminism")


def test_nondeterminism_under_a_fixed_seed(gw):
    rc, doc = fuzz(gw, "Nondet-v0", "--episodes", "2", "--no-record")
    assert rc == 1
    nd = of_kind(doc, "nondeterminism")
    assert len(nd) == 1
    # The reset is seeded; the first step already differs.
    assert nd[0]["step"] == 1 and nd[0]["episode"] == 1
    assert nd[0]["count"] >= 3


def first_passwd(doc: dict) -> dict:
    hits = [f for f in doc["findings"] if "/etc/passwd" in f["detail"]]
    assert hits, doc["findings"]
    return hits[0]


def test_reads_passwd_when_one_action_arrives(gw):
    rc, doc = fuzz(gw, "Passwd-v0", "--episodes", "1", "--no-record")
    assert rc == 1
    f = first_passwd(doc)
    assert f["kind"] in ("attempt", "violation") and f["step"] >= 1
    acts = [action(a) for a in f["replay"]["actions"]]
    assert len(acts) == f["step"]
    assert acts[-1] == PASSWD_ACTION
    assert PASSWD_ACTION not in acts[:-1]


def test_replay_reproduces_the_finding(gw, tmp_path):
    saved = tmp_path / "all.json"
    rc, doc = fuzz(gw, "Passwd-v0", "--episodes", "1", "--no-record",
                   "--save-replay", str(saved))
    f = first_passwd(doc)
    replay = json.loads(saved.read_text())
    assert replay["kind"] == "fuzz-replay" and replay["env"] == "Passwd-v0"
    ep = [e for e in replay["episodes"] if e["episode"] == f["episode"]]
    assert len(ep) == 1
    replay["episodes"] = ep
    one = tmp_path / "one.json"
    one.write_text(json.dumps(replay))
    rc, again = fuzz(gw, "Passwd-v0", "--replay", str(one), "--no-record")
    assert rc == 1
    g = first_passwd(again)
    assert (g["episode"], g["step"]) == (1, f["step"])
    assert again["summary"]["strategies"] == {
        "replay": {"episodes": 1, "steps": 2 * len(ep[0]["actions"])}}


def test_replay_of_another_env_is_refused(gw, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({
        "version": 1, "kind": "fuzz-replay", "env": "Other-v0",
        "action_bytes": 8, "action_space": "Discrete(8)",
        "episodes": [{"seed": 0, "actions": []}]}))
    proc = gw("fuzz", str(MANIFEST), "--env", "Quiet-v0", "--replay",
              str(path), "--no-record")
    assert proc.returncode == 2 and "Other-v0" in proc.stderr


def test_writes_into_its_source_tree(gw, layers):
    DROPPED.unlink(missing_ok=True)
    try:
        rc, doc = fuzz(gw, "WriteTree-v0", "--episodes", "1", "--no-record")
        wrote = DROPPED.exists()
    finally:
        DROPPED.unlink(missing_ok=True)
    assert rc == 1
    hits = [f for f in doc["findings"] if "dropped.txt" in f["detail"]]
    assert hits and hits[0]["step"] == WRITE_STEP
    assert hits[0]["episode"] == SEED_SWEEP + 1  # seed episodes take 2 steps
    if "mount" in layers:
        assert not wrote
    if wrote:
        assert of_kind(doc, "tree-modified")


def test_reset_options_from_the_manifest(gw):
    rc, doc = fuzz(gw, "Options-v0", "--episodes", "0", "--no-record")
    assert rc == 1
    exc = of_kind(doc, "exception")
    assert len(exc) == 1 and exc[0]["name"] == "ValueError"
    assert exc[0]["step"] == 0
    assert exc[0]["replay"]["options"] == {"level": 3}
    assert "level 3 is not implemented" in exc[0]["detail"]
    assert doc["summary"]["strategies"]["options"]["episodes"] >= 3


def test_nan_observation_is_a_fault_of_its_class(gw):
    rc, doc = fuzz(gw, "Nan-v0", "--episodes", "1", "--no-record")
    assert rc == 1
    faults = of_kind(doc, "fault")
    assert [f["name"] for f in faults] == ["nonfinite"]
    assert faults[0]["step"] == NAN_STEP
    assert faults[0]["episode"] == SEED_SWEEP + 1


def test_crash_by_signal_and_the_run_goes_on(gw):
    rc, doc = fuzz(gw, "Segv-v0", "--episodes", "2", "--no-record")
    assert rc == 1
    crash = of_kind(doc, "crash")
    assert len(crash) == 1 and crash[0]["step"] == SEGV_STEP
    assert crash[0]["severity"] == "high" and crash[0]["count"] == 2
    # Each episode crashed; the second ran in a new worker.
    assert doc["summary"]["restarts"] == 1
    assert doc["summary"]["episodes"] == SEED_SWEEP + 2


def test_output_flood_is_counted(gw):
    rc, doc = fuzz(gw, "Flood-v0", "--episodes", "1", "--no-record",
                   "--threshold", "low")
    assert rc == 1
    out = doc["summary"]["output"]
    # Lines are counted shown or not (20 a step); the monitor tells how
    # many it did not show when a flood ebbs, so the last few may be
    # missing.
    assert out["lines"] + out["not_shown"] > 10 * doc["summary"]["steps"]
    assert out["not_shown"] > 0
    assert [f["severity"] for f in of_kind(doc, "output-flood")] == ["low"]


def test_long_episodes_pass_the_manifest_limit(gw):
    # max_episode_steps is 100; the env truncates itself at 150.
    rc, doc = fuzz(gw, "SelfLimit-v0", "--episodes", "5", "--no-record")
    assert rc == 0
    s = doc["summary"]
    assert s["strategies"]["uniform"]["steps"] == 2 * 100
    # The long episode and its second play step past the env's own
    # limit, to --steps (500).
    assert s["strategies"]["long"]["steps"] == 2 * 500
    assert s["self_truncations"] == 1


def test_threshold_decides_the_exit_status(gw):
    rc, _ = fuzz(gw, "Nondet-v0", "--episodes", "0", "--no-record",
                 "--threshold", "high")
    assert rc == 0
    rc, _ = fuzz(gw, "Nondet-v0", "--episodes", "0", "--no-record",
                 "--threshold", "medium")
    assert rc == 1


def test_time_budget_stops_the_run(gw):
    rc, doc = fuzz(gw, "Quiet-v0", "--time", "1ms", "--no-record")
    assert "--time" in (doc["stopped"] or "")
    assert doc["summary"]["episodes"] < SEED_SWEEP


def test_findings_appear_in_the_record(gw, tmp_path):
    text = MANIFEST.read_text()
    text = text.replace('vetting = "off"', 'vetting = "off"\nregistry = '
                        f'{{ path = "{tmp_path}/registry.db" }}', 1)
    text = text.replace('source = "envs"', f'source = "{HERE}/envs"')
    text = text.replace('source = "envs_write"',
                        f'source = "{HERE}/envs_write"')
    text = text.replace('"../../examples/_compat"',
                        f'"{ROOT}/examples/_compat"')
    manifest = tmp_path / "gymwarden.toml"
    manifest.write_text(text)

    rc, doc = fuzz(gw, "Passwd-v0", "--episodes", "0", manifest=manifest)
    assert rc == 1
    show = gw("records", "show", "1", "--registry",
              str(tmp_path / "registry.db"))
    assert show.returncode == 0, show.stderr
    assert "gymwarden-fuzz" in show.stdout
    assert "fuzz verdict fail" in show.stdout
    assert "/etc/passwd" in show.stdout
    # A second run is attached to the same record.
    fuzz(gw, "Passwd-v0", "--episodes", "0", manifest=manifest)
    db = sqlite3.connect(tmp_path / "registry.db")
    kinds = [k for (k,) in db.execute("SELECT kind FROM attachments")]
    assert kinds == ["fuzz", "fuzz"]
    assert db.execute("SELECT count(*) FROM records").fetchone()[0] == 1


# The hostile battery: each environment tries one way out; the report
# must name what it tried. Run only inside a real sandbox.
HOSTILE_TRIES = [
    ("ReadShadow-v0", ("shadow",)),
    ("TcpLoopback-v0", ("socket", "connect")),
    ("ExecShell-v0", ("exec", "Popen", "clone", "fork", "/bin/sh")),
    ("Keyctl-v0", ("keyctl",)),
    ("NeverReturns-v0", ("hang",)),
]


@pytest.mark.parametrize("env, words", HOSTILE_TRIES)
def test_hostile_battery_reports_name_what_was_tried(gw, layers, env, words):
    if not HOSTILE.exists():
        pytest.skip("tests/hostile/sandbox is not there")
    if not {"seccomp", "mount"} <= set(layers):
        pytest.skip(f"no full sandbox on this host (layers {layers})")
    rc, doc = fuzz(gw, env, "--episodes", "1", "--steps", "20",
                   "--no-record", manifest=HOSTILE)
    assert rc == 1
    said = " ".join(f"{f['kind']} {f['name']} {f['detail']}"
                    for f in doc["findings"])
    assert any(w in said for w in words), doc["findings"]
    assert any(f["kind"] in ("violation", "attempt", "limit", "hang",
                             "crash") for f in doc["findings"])
