"""Shared fixtures for the integration tests: they run the real programs
from the build directory named by GYMWARDEN_BUILD (default ./build)."""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("GYMWARDEN_BUILD", ROOT / "build")).resolve()
SHARED_DATA = pathlib.Path(
    os.environ.get("GYMWARDEN_SHARED_DATA", ROOT.parent / "shared" / "data")
)


@pytest.fixture(scope="session")
def build_dir() -> pathlib.Path:
    if not (BUILD / "src" / "cli" / "gymwarden").exists():
        pytest.fail(f"no build at {BUILD}: run meson/ninja first")
    return BUILD


@pytest.fixture(scope="session")
def gw(build_dir: pathlib.Path):
    """Run `gymwarden ARGS...` and return the CompletedProcess."""
    exe = build_dir / "src" / "cli" / "gymwarden"

    def run(*args: str, **kw) -> subprocess.CompletedProcess:
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("timeout", 120)
        env = dict(os.environ, NO_COLOR="1")
        env.update(kw.pop("env", {}))
        return subprocess.run([str(exe), *args], env=env, **kw)

    return run


@pytest.fixture(scope="session")
def approved_examples(build_dir: pathlib.Path) -> None:
    """The bundled examples, vetted and approved (see tests/approve_examples)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from approve_examples import approve_all

    approve_all(build_dir / "src" / "cli" / "gymwarden")


@pytest.fixture(scope="session")
def shared_data() -> pathlib.Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA
