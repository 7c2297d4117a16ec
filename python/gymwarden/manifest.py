"""Finding the manifest that ``make`` uses.

In order: the ``manifest`` argument, the ``GYMWARDEN_MANIFEST`` variable,
``./gymwarden.toml``, then ``./pyproject.toml`` when it has a
``[tool.gymwarden]`` table. The first that is given wins, and a path that is
given but does not exist is an error rather than a reason to look further.
The file itself is read by the C loader; here only the choice is made.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from gymwarden.errors import ManifestError

ENV_VAR = "GYMWARDEN_MANIFEST"

__all__ = ["find_manifest", "ENV_VAR"]


def _has_gymwarden_table(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            doc = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        return False
    tool = doc.get("tool")
    return isinstance(tool, dict) and isinstance(tool.get("gymwarden"), dict)


def _given(path: str | os.PathLike[str], where: str, env_id: str | None) -> str:
    p = Path(path)
    if not p.is_file():
        raise ManifestError(f"manifest {str(p)!r} (from {where}) does not exist",
                            env_id=env_id)
    return str(p.resolve())


def find_manifest(manifest: str | os.PathLike[str] | None = None,
                  env_id: str | None = None, cwd: str | None = None) -> str:
    """The absolute path of the manifest to use, or ManifestError naming every
    place that was looked at."""
    if manifest is not None:
        return _given(manifest, "the manifest argument", env_id)
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return _given(from_env, f"${ENV_VAR}", env_id)

    here = Path(cwd) if cwd else Path.cwd()
    toml = here / "gymwarden.toml"
    if toml.is_file():
        return str(toml.resolve())
    pyproject = here / "pyproject.toml"
    if pyproject.is_file() and _has_gymwarden_table(pyproject):
        return str(pyproject.resolve())

    looked = [
        "the manifest argument (not given)",
        f"${ENV_VAR} (not set)",
        f"{toml} (not found)",
        f"{pyproject} " + ("(no [tool.gymwarden] table)" if pyproject.is_file()
                           else "(not found)"),
    ]
    raise ManifestError("no gymwarden manifest found; looked at " + ", ".join(looked),
                        env_id=env_id)
