"""The Python tests import gymwarden from the build tree
(PYTHONPATH=<build>/python, set by scripts/test.sh; GYMWARDEN_BUILD names
the build folder)."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXAMPLES = ROOT / "examples"
TEST_MANIFEST = HERE / "gymwarden.toml"


def pytest_configure(config):
    if importlib.util.find_spec("gymwarden") is None:
        raise pytest.UsageError(
            "gymwarden is not importable: set PYTHONPATH=build/python")


def env_block(text: str, env_id: str) -> str:
    """The [[env]] table of env_id in a manifest's text, sub-tables included."""
    for block in re.split(r"(?m)^(?=\[\[env\]\])", text):
        if re.search(rf'(?m)^id = "{re.escape(env_id)}"', block):
            return block
    raise KeyError(env_id)


EXAMPLE_MANIFESTS = ("gymwarden.toml", "gymwarden.more.toml")


def example_block(env_id: str) -> str:
    """env_id's [[env]] from whichever bundled manifest holds it."""
    for name in EXAMPLE_MANIFESTS:
        path = EXAMPLES / name
        if path.is_file():
            try:
                return env_block(path.read_text(), env_id)
            except KeyError:
                continue
    raise KeyError(env_id)


def portable_example(env_id: str, folder: Path,
                     max_steps: int | None = None) -> Path:
    """An example's [[env]] in a manifest of its own under folder: absolute
    paths, vetting off and no required sandbox layers, so that it runs on a
    host (or a launcher) that cannot enforce them yet."""
    block = example_block(env_id)
    block = re.sub(r'(?m)^source = "([^"]+)"',
                   lambda m: f'source = "{EXAMPLES / m.group(1)}"', block)
    block = re.sub(r'(?m)^dependency_paths = \["([^"]+)"\]',
                   lambda m: f'dependency_paths = ["{EXAMPLES / m.group(1)}"]',
                   block)
    block = re.sub(r"(?m)^require = .*$", "", block)
    if max_steps is not None:
        block = re.sub(r"(?m)^max_episode_steps = .*$",
                       f"max_episode_steps = {max_steps}", block)
    path = folder / f"{env_id}.toml"
    path.write_text('vetting = "off"\n\n' + block)
    return path


@pytest.fixture
def grid_manifest(tmp_path: Path) -> Path:
    return portable_example("GridWorld-v0", tmp_path)


def children() -> list[tuple[int, str]]:
    """(pid, state) of every child of this process, zombies included."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
        if int(ppid) == me:
            found.append((int(entry), state))
    return found


def wait_no_children(grace_s: float = 2.0) -> list[tuple[int, str]]:
    deadline = time.monotonic() + grace_s
    while children() and time.monotonic() < deadline:
        time.sleep(0.02)
    return children()


@pytest.fixture(scope="session")
def approved_examples() -> None:
    """The bundled examples, vetted and approved (see tests/approve_examples)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from approve_examples import approve_all

    build = Path(os.environ.get("GYMWARDEN_BUILD", ROOT / "build"))
    approve_all(build / "src" / "cli" / "gymwarden")

