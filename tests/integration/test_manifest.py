"""`gymwarden manifest check|show` against the real binary: exit codes,
positions, hints, the JSON schema, the pyproject.toml form, escaping, and a
truncation sweep that must never end in a signal."""

from __future__ import annotations

import json
import pathlib

import pytest

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE / "manifests"
ROOT = HERE.parents[1]
EXAMPLE = ROOT / "examples" / "gymwarden.toml"


def lines_of(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.strip()]


def test_bundled_example_is_clean(gw):
    r = gw("manifest", "check", str(EXAMPLE))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok, 12 environments" in r.stdout
    assert "Box(0, 7, (2,), int64)" in r.stdout
    assert "Discrete(4)" in r.stdout
    assert "error" not in r.stdout and "warning" not in r.stdout


def test_bundled_example_json_describes_spaces(gw):
    r = gw("manifest", "check", "--format", "json", str(EXAMPLE))
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["version"] == 1
    assert doc["kind"] == "manifest-check"
    assert doc["ok"] is True
    assert doc["diagnostics"] == []
    assert len(doc["envs"]) == 12
    env = doc["envs"][0]
    assert env["id"] == "GridWorld-v0"
    assert env["source"] == str((ROOT / "examples" / "gridworld").resolve())
    assert env["action_space"] == {"type": "Discrete", "n": 4, "start": 0}
    assert env["observation_space"] == {
        "type": "Box",
        "dtype": "int64",
        "shape": [2],
        "low": 0,
        "high": 7,
    }


def test_good_fixture_with_every_table_is_clean(gw):
    r = gw("manifest", "check", str(FIXTURES / "good" / "gymwarden.toml"))
    assert r.returncode == 0, r.stdout
    assert "toys/Toy-v3" in r.stdout
    assert "Text(0, 16)" in r.stdout


def test_broken_manifest_reports_every_problem(gw):
    r = gw("manifest", "check", str(FIXTURES / "broken.toml"))
    assert r.returncode == 1
    out = r.stdout
    expect = [
        ("broken.toml:1:11: error: vetting:", "did you mean 'required'?"),
        ("broken.toml:6:1: error: env[0].entrypoint: unknown key",
         "did you mean 'entry_point'?"),
        ("broken.toml:7:21: error: env[0].max_episode_steps: expected an "
         "integer, got a string", None),
        ("broken.toml:11:5: error: env[0].action_space.n: must be >= 1", None),
        ("broken.toml:17:8: error: env[0].observation_space.high: bound 300 "
         "is outside the range of uint8", "uint8 holds 0..255"),
        ("broken.toml:21:1: error: env[0].sandbox.memroy: unknown key",
         "did you mean 'memory'?"),
        ("broken.toml:22:12: error: env[0].sandbox.cpu_time: \"60\" is not a "
         "duration", "ms, s, m or h"),
        ("broken.toml:25:9: error: env[0].checks.shape: policy \"clip\"",
         "shape allows: reject, terminate"),
        ("broken.toml:27:1: error: env[1].id: duplicate env id", "line 3"),
        ("broken.toml:31:25: warning: env[1].adopt_declared_spaces", None),
    ]
    lines = lines_of(out)
    for head, hint in expect:
        idx = next((i for i, line in enumerate(lines) if head in line), None)
        assert idx is not None, f"{head!r} not in:\n{out}"
        if hint:
            assert "hint:" in lines[idx + 1] and hint in lines[idx + 1], out
    assert "does not exist" in out
    assert lines[-1].endswith("13 errors, 2 warnings")


def test_broken_manifest_json_lists_diagnostics(gw):
    r = gw("manifest", "check", "-f", "json", str(FIXTURES / "broken.toml"))
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["kind"] == "manifest-check" and doc["ok"] is False
    assert doc["errors"] == 13 and doc["warnings"] == 2
    assert "envs" not in doc
    diags = doc["diagnostics"]
    assert len(diags) == 15
    for d in diags:
        assert set(d) == {"severity", "file", "line", "col", "field",
                          "message", "hint"}
        assert d["severity"] in ("error", "warning")
    first = diags[0]
    assert (first["line"], first["col"], first["field"]) == (1, 11, "vetting")
    assert first["hint"] == "did you mean 'required'?"
    lines = [d["line"] for d in diags]
    assert lines == sorted(lines)


def test_syntax_error_is_fatal_exit_2(gw):
    r = gw("manifest", "check", str(FIXTURES / "syntax.toml"))
    assert r.returncode == 2
    assert r.stdout == ""
    assert "syntax.toml:4:10:" in r.stderr
    assert r.stderr.startswith("gymwarden: manifest check: ")


def test_syntax_error_json_has_single_diagnostic(gw):
    r = gw("manifest", "check", "-f", "json", str(FIXTURES / "syntax.toml"))
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert doc["ok"] is False
    (d,) = doc["diagnostics"]
    assert (d["line"], d["col"]) == (4, 10)


def test_unreadable_file_exits_2(gw, tmp_path):
    r = gw("manifest", "check", str(tmp_path / "nope.toml"))
    assert r.returncode == 2
    assert "cannot open" in r.stderr


def test_warnings_pass_unless_strict(gw):
    path = str(FIXTURES / "warnings.toml")
    r = gw("manifest", "check", path)
    assert r.returncode == 0
    assert "2 warnings" in r.stdout and "(adopted)" in r.stdout
    assert gw("manifest", "check", "--strict", path).returncode == 1


def test_pyproject_tool_table_is_read(gw):
    r = gw("manifest", "check", str(FIXTURES / "pyproject" / "pyproject.toml"))
    assert r.returncode == 0, r.stdout
    assert "tool.gymwarden.vetting" in r.stdout
    assert "Toy-v0" in r.stdout


def test_pyproject_field_paths_carry_the_tool_prefix(gw, tmp_path):
    good = FIXTURES / "good" / "env"
    p = tmp_path / "pyproject.toml"
    p.write_text(
        "[project]\nname = 'x'\n\n[[tool.gymwarden.env]]\n"
        f"id = 'A-v0'\nsource = '{good}'\nentry_point = 'toyenv:E'\n"
        "action_space = { type = 'Discrete', n = 2 }\n"
        "observation_space = { type = 'Box', low = 0, high = 1, shap = [4] }\n"
    )
    r = gw("manifest", "check", str(p))
    assert r.returncode == 1
    assert (f"{p}:9:56: error: tool.gymwarden.env[0].observation_space.shap:"
            in r.stdout)
    assert "did you mean 'shape'?" in r.stdout


def test_pyproject_without_tool_table_says_so(gw):
    path = FIXTURES / "pyproject-without" / "pyproject.toml"
    r = gw("manifest", "check", str(path))
    assert r.returncode == 1
    assert "has no [tool.gymwarden] table" in r.stdout


def test_file_text_is_escaped_in_output(gw):
    r = gw("manifest", "check", str(FIXTURES / "escape.toml"))
    assert r.returncode == 1
    assert "\x1b" not in r.stdout
    assert 'unknown key "evil\\x1b[31mkey"' in r.stdout


def test_show_prints_normalised_manifest(gw):
    r = gw("manifest", "show", "-f", "json", str(EXAMPLE))
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and doc["kind"] == "manifest"
    env = doc["envs"][0]
    assert env["id"] == "GridWorld-v0"
    assert env["sandbox"]["memory"] == {"bytes": 512 << 20, "text": "512M"}
    assert env["sandbox"]["step_timeout"]["ns"] == 10**9
    assert env["sandbox"]["require"] == ["net", "seccomp"]
    assert env["checks"]["overshoot"] == "clip"
    assert env["checks"]["reward_range"] == [-1.0, 1.0]
    assert env["kwargs"] == {"size": 8}
    assert env["allowed_kwargs"]["size"] == {"type": "int", "min": 2,
                                             "max": 64}
    assert doc["registry"]["path"].endswith("examples/.gymwarden/registry.db")

    text = gw("manifest", "show", str(EXAMPLE))
    assert text.returncode == 0
    assert "memory 512M" in text.stdout


def test_show_of_broken_manifest_reports_problems(gw):
    r = gw("manifest", "show", str(FIXTURES / "broken.toml"))
    assert r.returncode == 1
    assert "13 errors" in r.stdout


@pytest.mark.parametrize("args", [["manifest"], ["manifest", "check"],
                                  ["manifest", "lint", "x.toml"]])
def test_usage_errors_exit_2(gw, args):
    assert gw(*args).returncode == 2


def test_truncation_sweep_never_crashes(gw, tmp_path):
    data = EXAMPLE.read_bytes()
    target = tmp_path / "gymwarden.toml"
    seen = set()
    # Every prefix of the first environment, then a stride through the
    # rest: each cut of the bundled manifest is a process start.
    first = data.index(b"\n[[env]]", data.index(b"[[env]]") + 1)
    cuts = list(range(first + 1)) + list(range(first, len(data) + 1, 7))
    for n in cuts:
        target.write_bytes(data[:n])
        r = gw("manifest", "check", "-f", "json", str(target))
        assert r.returncode in (0, 1, 2), (n, r.returncode, r.stderr)
        if r.returncode != 2:
            json.loads(r.stdout)
        seen.add(r.returncode)
    assert seen >= {1, 2}
