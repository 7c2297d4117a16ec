"""Vet and approve the bundled examples, as the quick start does, so tests
that run examples/gymwarden.toml (which says vetting = "required") get
past the approval check. Records go to the manifest's registry,
examples/.gymwarden/registry.db (ignored by git). The sanitize key of
Customers-v0 is made here too, beside it, when it is missing."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "examples" / "gymwarden.toml"
STORED = re.compile(r"record (\d+) stored for")
SANITIZE_KEY = ROOT / "examples" / ".gymwarden" / "keys" / "sanitize.key"


def make_example_key(path: pathlib.Path = SANITIZE_KEY) -> pathlib.Path:
    """32 random bytes, mode 0600 in a 0700 folder, unless already there."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
    return path


def example_ids() -> list[str]:
    with open(MANIFEST, "rb") as f:
        return [e["id"] for e in tomllib.load(f)["env"]]


def approve_all(gymwarden: pathlib.Path) -> None:
    """vet + approve every example env; raises if either step fails."""
    env = dict(os.environ, NO_COLOR="1")
    make_example_key()
    for env_id in example_ids():
        vet = subprocess.run([str(gymwarden), "vet", str(MANIFEST), "--env",
                              env_id, "--format", "json"],
                             capture_output=True, text=True, env=env)
        found = STORED.search(vet.stderr)
        if vet.returncode != 0 or not found:
            raise RuntimeError(f"vet {env_id}: {vet.stderr}")
        ok = subprocess.run([str(gymwarden), "approve", found.group(1),
                             "--by", "tests", "--manifest", str(MANIFEST)],
                            capture_output=True, text=True, env=env)
        if ok.returncode != 0:
            raise RuntimeError(f"approve {env_id}: {ok.stderr}")
