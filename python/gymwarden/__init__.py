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


def make(id: str, manifest: str | os.PathLike[str] | None = None, *,
         record: str | os.PathLike[str] | None = None,
         record_key: str | os.PathLike[str] | None = None,
         audit: str | os.PathLike[str] | None = None,
         audit_key: str | os.PathLike[str] | None = None,
         **kwargs: Any) -> GuardedEnv:
    """Open environment ``id`` of the manifest in a sandboxed worker.

    The manifest is the ``manifest`` argument, else ``$GYMWARDEN_MANIFEST``,
    else ``./gymwarden.toml``, else ``[tool.gymwarden]`` in ``./pyproject.toml``.
    ``kwargs`` are constructor arguments, checked against the manifest's
    ``allowed_kwargs``.

    ``record`` stores every reset and step (actions, observations,
    rewards, flags and the sanitized info) in a new file, encrypted with
    the key file ``record_key`` when given; ``audit`` writes a
    hash-chained audit log of the env's faults and privacy spends,
    encrypted with ``audit_key`` when given (docs/audit.md). Neither file
    may exist yet. Key files hold 32 bytes or 64 hex digits, mode 0600;
    they are read here, in the trainer, and never reach the worker.
    """
    from gymwarden.env import open_env

    path = find_manifest(manifest, env_id=id)
    trail = {"record": record, "record_key": record_key, "audit": audit,
             "audit_key": audit_key}
    return open_env(path, id, kwargs,
                    **{k: os.fspath(v) for k, v in trail.items() if v is not None})


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
