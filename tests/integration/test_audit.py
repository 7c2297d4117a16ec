"""Audit logs and recordings through the real command: `run --audit` and
`run --record` on the test environments, then `audit verify`, `audit
show` and `replay`; one byte changed with Python is named by its record,
in plaintext and encrypted files; the file and key rules."""

from __future__ import annotations

import json
import os
import pathlib
import stat

import pytest

from conftest import BUILD, ROOT

ENVS = pathlib.Path(__file__).resolve().parent / "envs" / "gymwarden.toml"
EXAMPLE = ROOT / "examples" / "gymwarden.toml"
JAIL = BUILD / "src" / "jail" / "gymwarden-jail"
WORKER = BUILD / "python" / "gymwarden" / "worker.py"
MAGIC = b"GWAUDS01"
STREAM_HEADER = 24

pytestmark = pytest.mark.skipif(
    not (JAIL.exists() and WORKER.exists()),
    reason="the launcher or the worker is not built",
)


@pytest.fixture
def run(gw):
    env = {"GYMWARDEN_JAIL": str(JAIL), "GYMWARDEN_WORKER": str(WORKER)}

    def go(*args: str, manifest: pathlib.Path = ENVS, **kw):
        return gw("run", str(manifest), *args, env=env, **kw)

    return go


@pytest.fixture
def key(gw, tmp_path) -> pathlib.Path:
    path = tmp_path / "keys" / "audit.key"
    proc = gw("audit", "keygen", str(path))
    assert proc.returncode == 0, proc.stderr
    return path


def lines(path: pathlib.Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def flip(path: pathlib.Path, offset: int, mask: int = 0x01) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= mask
    path.write_bytes(bytes(data))


def frames(path: pathlib.Path) -> list[tuple[int, int]]:
    """(start, end) of each record of an encrypted file."""
    data = path.read_bytes()
    assert data[:8] == MAGIC
    pos, out = len(MAGIC) + STREAM_HEADER, []
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "little")
        out.append((pos, pos + 4 + n))
        pos += 4 + n
    assert pos == len(data)
    return out


def verify_json(gw, path: pathlib.Path, *args: str) -> tuple[int, dict]:
    proc = gw("audit", "verify", str(path), "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1 and doc["kind"] == "audit-verify"
    return proc.returncode, doc


@pytest.fixture
def nan_run(run, tmp_path):
    """Nan-v0 for two episodes, with an audit log and a recording."""
    audit, record = tmp_path / "logs" / "run.jsonl", tmp_path / "logs" / "rec.jsonl"
    proc = run("--env", "Nan-v0", "--episodes", "2", "--format", "json",
               "--audit", str(audit), "--record", str(record))
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout), audit, record


def test_commands_are_listed(gw):
    out = gw("--help").stdout
    assert "audit" in out and "replay" in out
    assert "--record" in gw("run", "--help").stdout


def test_a_run_writes_an_intact_audit_log(gw, nan_run):
    report, audit, _ = nan_run
    recs = lines(audit)
    assert [r["seq"] for r in recs] == list(range(len(recs)))
    assert recs[0]["kind"] == "open" and recs[0]["purpose"] == "audit"
    assert recs[-1]["kind"] == "close"
    faults = [r for r in recs if r["kind"] == "fault"]
    assert [(f["episode"], f["step"], f["field"]) for f in faults] == [
        (1, 3, "observation[1]"), (2, 3, "observation[1]")]
    assert faults[0]["fault"] == "nonfinite" and faults[0]["policy"] == "reject"
    assert [r["episode"] for r in recs if r["kind"] == "episode"] == [1, 2]
    end = next(r for r in recs if r["kind"] == "run.end")
    assert end["status"] == 1 and end["violation_count"] == 2
    assert len(end["violations"]) == len(report["violations"])

    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    assert stat.S_IMODE(audit.parent.stat().st_mode) == 0o700
    code, doc = verify_json(gw, audit)
    assert code == 0 and doc["intact"] and doc["break"] is None
    assert doc["summary"]["records"] == len(recs)
    assert doc["summary"]["closed"] and not doc["summary"]["encrypted"]
    proc = gw("audit", "verify", str(audit))
    assert proc.returncode == 0 and "intact" in proc.stdout


def test_show_prints_every_record(gw, nan_run):
    _, audit, _ = nan_run
    proc = gw("audit", "show", str(audit))
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.splitlines()
    assert len(rows) == len(lines(audit))
    assert "fault" in rows[2] and '"field":"observation[1]"' in rows[2]
    doc = json.loads(gw("audit", "show", str(audit), "-f", "json").stdout)
    assert doc["kind"] == "audit-show" and doc["intact"]
    assert doc["records"] == lines(audit)


def test_replay_gives_back_every_step(gw, run, tmp_path):
    record = tmp_path / "rec" / "good.jsonl"
    proc = run("--env", "Good-v0", "--episodes", "2", "--format", "json",
               "--record", str(record))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)

    proc = gw("replay", str(record), "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(x) for x in proc.stdout.splitlines()]
    assert events[0]["type"] == "env" and events[0]["env"] == "Good-v0"
    assert events[0]["action_space"] == "Discrete(2)"
    resets = [e for e in events if e["type"] == "reset"]
    steps = [e for e in events if e["type"] == "step"]
    assert [r["seed"] for r in resets] == [0, 1]
    assert len(steps) == report["steps"]
    assert sum(s["reward"] for s in steps) == pytest.approx(
        report["mean_return"] * 2)
    for s in steps:
        assert s["action"] in (0, 1)
        assert len(s["obs"]) == 3 and all(isinstance(v, float) for v in s["obs"])
    assert steps[-1]["terminated"] or steps[-1]["truncated"]

    doc = json.loads(gw("replay", str(record), "-f", "json").stdout)
    assert doc["kind"] == "replay" and doc["intact"]
    assert [len(e["steps"]) for e in doc["episodes"]] == [
        e["steps"] for e in report["episodes"]]

    text = gw("replay", str(record), "--episode", "2").stdout
    assert "episode 2 reset seed=1" in text and "episode 1 reset" not in text
    assert "recording intact" in text


def test_replay_refuses_an_audit_log(gw, nan_run):
    _, audit, _ = nan_run
    proc = gw("replay", str(audit))
    assert proc.returncode == 2
    assert "not a recording" in proc.stderr


@pytest.mark.parametrize("which", ["audit", "record"])
def test_one_changed_byte_is_named_by_its_record(gw, nan_run, which):
    _, audit, record = nan_run
    path = audit if which == "audit" else record
    original = path.read_bytes()
    rows = original.split(b"\n")[:-1]
    for k, row in enumerate(rows, start=1):
        start = sum(len(r) + 1 for r in rows[:k - 1])
        for offset in (start, start + len(row) // 2, start + len(row)):
            flip(path, offset)
            code, doc = verify_json(gw, path)
            assert code == 1, (k, offset)
            assert doc["break"]["line"] == k, (k, offset, doc["break"])
            assert doc["break"]["seq"] == k - 1
            path.write_bytes(original)
    assert verify_json(gw, path)[0] == 0


def test_text_verdict_names_record_and_cause(gw, nan_run):
    _, audit, _ = nan_run
    third = audit.read_bytes().split(b"\n")[2]
    at = audit.read_bytes().index(b'"field":"observation[1]"')
    assert at > 0 and third in audit.read_bytes()
    flip(audit, at + 10)
    proc = gw("audit", "verify", str(audit))
    assert proc.returncode == 1
    assert "broken at record 3 (seq 2" in proc.stdout
    assert "hash_mismatch" in proc.stdout
    # The cause is spelled out, not left empty.
    assert "the record's bytes give" in proc.stdout
    assert verify_json(gw, audit)[1]["break"]["detail"]


def test_replay_names_a_changed_record(gw, nan_run):
    _, _, record = nan_run
    data = record.read_bytes()
    at = data.index(b'"kind":"step"') + 20
    flip(record, at)
    proc = gw("replay", str(record), "-f", "jsonl")
    assert proc.returncode == 1
    assert "broken at record 4 (seq 3" in proc.stderr
    # What came before the broken record was printed.
    assert [json.loads(x)["type"] for x in proc.stdout.splitlines()] == [
        "env", "reset"]


def test_truncation_and_reordering(gw, nan_run):
    _, audit, _ = nan_run
    data = audit.read_bytes()
    rows = data.split(b"\n")[:-1]

    audit.write_bytes(data[:-10])
    assert verify_json(gw, audit)[1]["break"]["fault"] == "truncated"
    cut = b"".join(r + b"\n" for r in rows[:-1])
    audit.write_bytes(cut)
    code, doc = verify_json(gw, audit)
    assert code == 1 and doc["break"]["fault"] == "not_closed"
    assert verify_json(gw, audit, "--allow-open")[0] == 0

    swapped = rows[:2] + [rows[3], rows[2]] + rows[4:]
    audit.write_bytes(b"".join(r + b"\n" for r in swapped))
    doc = verify_json(gw, audit)[1]
    assert doc["break"]["line"] == 3 and doc["break"]["fault"] == "seq_gap"


def test_encrypted_run_verifies_only_with_its_key(gw, run, tmp_path, key):
    audit, record = tmp_path / "logs" / "run.bin", tmp_path / "logs" / "rec.bin"
    proc = run("--env", "Nan-v0", "--episodes", "1",
               "--audit", str(audit), "--audit-key", str(key),
               "--record", str(record), "--record-key", str(key))
    assert proc.returncode == 1, proc.stderr
    for path in (audit, record):
        data = path.read_bytes()
        assert data.startswith(MAGIC)
        assert b"observation" not in data and b"Nan-v0" not in data

    proc = gw("audit", "verify", str(audit))
    assert proc.returncode == 2 and "encrypted" in proc.stderr
    code, doc = verify_json(gw, audit, "--key", str(key))
    assert code == 0 and doc["summary"]["encrypted"]

    other = tmp_path / "keys" / "other.key"
    assert gw("audit", "keygen", str(other)).returncode == 0
    code, doc = verify_json(gw, audit, "--key", str(other))
    assert code == 1 and doc["break"]["line"] == 1
    assert doc["break"]["fault"] == "decrypt"

    proc = gw("replay", str(record), "--key", str(key), "-f", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(x)["type"] for x in proc.stdout.splitlines()][:2] == [
        "env", "reset"]
    show = gw("audit", "show", str(audit), "--key", str(key))
    assert show.returncode == 0 and "nonfinite" in show.stdout


def test_one_changed_byte_in_an_encrypted_log_is_named(gw, run, tmp_path, key):
    audit = tmp_path / "logs" / "run.bin"
    proc = run("--env", "Nan-v0", "--episodes", "1",
               "--audit", str(audit), "--audit-key", str(key))
    assert proc.returncode == 1, proc.stderr
    original = audit.read_bytes()
    spans = frames(audit)
    for k, (start, end) in enumerate(spans, start=1):
        for offset in (start, start + 5, (start + end) // 2, end - 1):
            flip(audit, offset)
            code, doc = verify_json(gw, audit, "--key", str(key))
            assert code == 1 and doc["break"]["line"] == k, (k, offset)
            audit.write_bytes(original)

    audit.write_bytes(original[:spans[-1][0]])
    doc = verify_json(gw, audit, "--key", str(key))[1]
    assert doc["break"]["fault"] == "not_closed"
    audit.write_bytes(original[:spans[-1][0] + 7])
    doc = verify_json(gw, audit, "--key", str(key))[1]
    assert doc["break"]["fault"] == "truncated"
    a, b = spans[1], spans[2]
    audit.write_bytes(original[:a[0]] + original[b[0]:b[1]]
                      + original[a[0]:a[1]] + original[b[1]:])
    doc = verify_json(gw, audit, "--key", str(key))[1]
    assert doc["break"]["line"] == 2 and doc["break"]["fault"] == "decrypt"


def test_a_shared_folder_is_refused(run, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    proc = run("--env", "Good-v0", "--episodes", "1",
               "--audit", str(shared / "run.jsonl"))
    assert proc.returncode == 2
    assert "open to group or others (mode 0755)" in proc.stderr
    assert not (shared / "run.jsonl").exists()


def test_an_existing_file_is_never_overwritten(run, tmp_path):
    (tmp_path / "logs").mkdir(mode=0o700)
    log = tmp_path / "logs" / "run.jsonl"
    log.write_text("keep me\n")
    proc = run("--env", "Good-v0", "--episodes", "1", "--audit", str(log))
    assert proc.returncode == 2 and "exists" in proc.stderr
    assert log.read_text() == "keep me\n"


def test_a_readable_key_file_is_refused(gw, run, tmp_path, key):
    key.chmod(0o644)
    proc = run("--env", "Good-v0", "--episodes", "1",
               "--record", str(tmp_path / "logs" / "r.bin"),
               "--record-key", str(key))
    assert proc.returncode == 2
    assert "key file" in proc.stderr and "0644" in proc.stderr
    proc = gw("audit", "verify", str(key), "--key", str(key))
    assert proc.returncode == 2 and "0644" in proc.stderr


def test_the_bundled_example_records(gw, approved_examples, tmp_path):
    env = {"GYMWARDEN_JAIL": str(JAIL), "GYMWARDEN_WORKER": str(WORKER)}
    record = tmp_path / "logs" / "grid.jsonl"
    proc = gw("run", str(EXAMPLE), "--env", "GridWorld-v0", "--episodes", "1",
              "--record", str(record), "--audit", str(tmp_path / "logs" / "a"),
              env=env)
    assert proc.returncode == 0, proc.stderr
    assert gw("audit", "verify", str(record)).returncode == 0
    proc = gw("replay", str(record))
    assert proc.returncode == 0 and "GridWorld-v0" in proc.stdout


def test_a_recording_from_python_make_replays(gw, tmp_path, key):
    """make(record=...) (python/gymwarden) writes the same container."""
    import subprocess
    import sys

    record = tmp_path / "logs" / "py.bin"
    script = (
        "import gymwarden, sys\n"
        f"env = gymwarden.make('Good-v0', manifest={str(ENVS)!r},\n"
        f"                     record={str(record)!r}, record_key={str(key)!r})\n"
        "env.reset(seed=4)\n"
        "for _ in range(3):\n"
        "    env.step(1)\n"
        "env.close()\n"
    )
    env = dict(os.environ, PYTHONPATH=str(BUILD / "python"),
               GYMWARDEN_JAIL=str(JAIL), GYMWARDEN_WORKER=str(WORKER))
    proc = subprocess.run([sys.executable, "-c", script], env=env,
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0 and "record" in proc.stderr and "unexpected" in proc.stderr:
        pytest.skip("this build's make() has no record option")
    assert proc.returncode == 0, proc.stderr
    proc = gw("replay", str(record), "--key", str(key), "-f", "jsonl")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [e["type"] for e in events] == ["env", "reset"] + ["step"] * 3
    assert events[1]["seed"] == 4
    assert [e["action"] for e in events[2:]] == [1, 1, 1]
