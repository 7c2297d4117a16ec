"""Fixtures for the tests of `gymwarden fuzz`: the real command from the
build named by GYMWARDEN_BUILD (default ./build), with its own launcher
and worker (GYMWARDEN_JAIL and GYMWARDEN_WORKER override them)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
BUILD = pathlib.Path(os.environ.get("GYMWARDEN_BUILD", ROOT / "build")).resolve()
EXE = BUILD / "src" / "cli" / "gymwarden"
JAIL = pathlib.Path(os.environ.get("GYMWARDEN_JAIL",
                                   BUILD / "src" / "jail" / "gymwarden-jail"))
WORKER = BUILD / "python" / "gymwarden" / "worker.py"
MANIFEST = HERE / "gymwarden.toml"


def run_gw(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1", GYMWARDEN_JAIL=str(JAIL),
               GYMWARDEN_WORKER=str(WORKER))
    return subprocess.run([str(EXE), *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="session")
def gw():
    if not EXE.exists():
        pytest.fail(f"no build at {BUILD}: run meson/ninja first")
    if not (JAIL.exists() and WORKER.exists()):
        pytest.skip("the launcher or the worker is not built")
    return run_gw


@pytest.fixture(scope="session")
def layers(gw) -> list[str]:
    """The sandbox layers this host enforces, as a fuzz run reports them."""
    proc = gw("fuzz", str(MANIFEST), "--env", "Quiet-v0", "--episodes", "0",
              "--steps", "1", "--no-record", "--format", "json")
    if proc.returncode == 2:
        pytest.fail(f"fuzz of the control failed: {proc.stderr}")
    return json.loads(proc.stdout)["layers"]
