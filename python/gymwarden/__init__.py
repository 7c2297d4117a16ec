"""gymwarden: run reinforcement-learning environments you did not write
without trusting them.

``make(id)`` opens the environment that the manifest names in a sandboxed
worker and returns an object with Gymnasium's interface. Nothing of the
environment is imported into this process.
"""

from __future__ import annotations

import os
from typing import Any

from gymwarden import _native, spaces
from gymwarden.env import GuardedEnv, check_seed
from gymwarden.errors import (
    ActionError,
    EnvCrashed,
    EnvTimeout,
    FlagError,
    GymwardenError,
    InfoError,
    ManifestError,
    NotApproved,
    ObservationError,
    RewardError,
    SandboxViolation,
    ResourceLimitExceeded,
    SpecMismatch,
)
from gymwarden.manifest import find_manifest

__version__: str = _native.version()


def make(id: str, manifest: str | os.PathLike[str] | None = None,
         **kwargs: Any) -> GuardedEnv:
    """Open environment ``id`` of the manifest in a sandboxed worker.

    The manifest is the ``manifest`` argument, else ``$GYMWARDEN_MANIFEST``,
    else ``./gymwarden.toml``, else ``[tool.gymwarden]`` in ``./pyproject.toml``.
    ``kwargs`` are constructor arguments, checked against the manifest's
    ``allowed_kwargs``.
    """
    from gymwarden.env import open_env

    path = find_manifest(manifest, env_id=id)
    return open_env(path, id, kwargs)


def layers(env: GuardedEnv) -> tuple[str, ...]:
    """The sandbox layers enforced for env's worker, as the launcher reported."""
    return env.layers


__all__ = [
    "make", "layers", "GuardedEnv", "check_seed", "find_manifest", "spaces",
    "GymwardenError", "ManifestError", "NotApproved", "SpecMismatch",
    "ActionError", "ObservationError", "RewardError", "InfoError", "FlagError",
    "EnvCrashed", "EnvTimeout", "SandboxViolation", "ResourceLimitExceeded",
    "__version__",
]
