"""Vet and approve the bundled examples, as the quick start does, so tests
that run examples/gymwarden.toml (which says vetting = "required") get
past the approval check. Records go to the manifest's registry,
examples/.gymwarden/registry.db (ignored by git)."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "examples" / "gymwarden.toml"
STORED = re.compile(r"record (\d+) stored for")


def example_ids() -> list[str]:
    with open(MANIFEST, "rb") as f:
        return [e["id"] for e in tomllib.load(f)["env"]]


def approve_all(gymwarden: pathlib.Path) -> None:
    """vet + approve every example env; raises if either step fails."""
    env = dict(os.environ, NO_COLOR="1")
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
