"""The command's shared behaviour: help, version, exit codes, colour."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess

import pytest

COMMANDS = ["approve", "deps", "doctor", "inventory", "manifest", "records",
            "revoke", "run", "version"]


def test_main_help_lists_every_command(gw):
    r = gw("--help")
    assert r.returncode == 0
    for name in COMMANDS:
        assert re.search(rf"^  {name}\s+\S", r.stdout, re.M), name


def test_no_command_is_a_usage_error(gw):
    r = gw()
    assert r.returncode == 2
    assert "Usage: gymwarden COMMAND" in r.stderr


def test_version_flag_matches_version_command(gw):
    a = gw("--version")
    b = gw("version", "--format", "json")
    assert a.returncode == 0 and b.returncode == 0
    assert re.fullmatch(r"gymwarden \d+\.\d+\.\d+\n", a.stdout)
    import json

    doc = json.loads(b.stdout)
    assert doc["version"] == 1 and doc["kind"] == "version"
    assert a.stdout.split()[1] == doc["gymwarden"]


def test_unknown_command_exits_2(gw):
    r = gw("frobnicate")
    assert r.returncode == 2
    assert "unknown command 'frobnicate'" in r.stderr


@pytest.mark.parametrize("cmd", COMMANDS)
def test_command_help_shows_its_options(gw, cmd):
    r = gw(cmd, "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"Usage: gymwarden {cmd}")
    assert "-h, --help" in r.stdout
    assert "Exit status:" in r.stdout


@pytest.mark.parametrize("cmd", COMMANDS)
def test_unknown_option_is_usage_error_with_hint(gw, cmd):
    r = gw(cmd, "--no-such-option")
    assert r.returncode == 2
    assert "unknown option '--no-such-option'" in r.stderr
    assert f"gymwarden {cmd} --help" in r.stderr


def test_bad_choice_names_the_allowed_words(gw):
    r = gw("version", "--format", "xml")
    assert r.returncode == 2
    assert "'xml' is not one of: text json" in r.stderr


def test_option_value_forms_are_equivalent(gw):
    a = gw("version", "--format=json")
    b = gw("version", "-f", "json")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout


def test_missing_option_argument_is_reported(gw):
    r = gw("version", "--format")
    assert r.returncode == 2
    assert "option --format needs FORMAT" in r.stderr


def _run_on_tty(exe: str, args: list[str], env: dict[str, str]) -> bytes:
    master, slave = pty.openpty()
    p = subprocess.Popen([exe, *args], stdin=slave, stdout=slave,
                         stderr=slave, env=env, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            p.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=30)
    os.close(master)
    return out


def test_colour_only_on_a_terminal_and_never_with_no_color(build_dir):
    exe = str(build_dir / "src" / "cli" / "gymwarden")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    on_tty = _run_on_tty(exe, ["doctor"], env)
    assert b"\033[" in on_tty
    no_color = _run_on_tty(exe, ["doctor"], dict(env, NO_COLOR="1"))
    assert b"\033[" not in no_color
    piped = subprocess.run([exe, "doctor"], capture_output=True, env=env)
    assert b"\033[" not in piped.stdout + piped.stderr
