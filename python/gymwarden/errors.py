"""Every error gymwarden raises is a GymwardenError.

Errors that concern one environment carry its id, the step at which the
fault was seen (None before the first step, 0 for reset) and the field
path ("observation[3]", "info.player.email") where one applies. Errors
that come from the worker never re-raise the worker's own exception
type: its text arrives as a string and becomes one of these classes.
"""

from __future__ import annotations


class GymwardenError(Exception):
    """Base of every gymwarden error."""

    def __init__(
        self,
        message: str,
        *,
        env_id: str | None = None,
        step: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.env_id = env_id
        self.step = step
        self.field = field


class ManifestError(GymwardenError):
    """The manifest cannot be found, read, or is not valid."""


class NotApproved(GymwardenError):
    """The environment's source tree has no approved vetting record."""


class SpecMismatch(GymwardenError):
    """The spaces the environment declares differ from the pinned ones."""


class ActionError(GymwardenError, ValueError):
    """An action, seed or option was refused before reaching the worker."""


class ObservationError(GymwardenError):
    """An observation broke the pinned observation space."""


class RewardError(GymwardenError):
    """A reward was not a finite real number, or left its declared range."""


class InfoError(GymwardenError):
    """An info dict was not a map of valid data with string keys."""


class FlagError(GymwardenError):
    """terminated or truncated was not a bool."""


class EnvCrashed(GymwardenError):
    """The worker died, raised, or broke the protocol."""

    def __init__(self, message: str, *, stderr_tail: str = "", **kw) -> None:
        super().__init__(message, **kw)
        self.stderr_tail = stderr_tail


class EnvTimeout(GymwardenError):
    """The worker did not answer before its deadline and was killed."""


class SandboxViolation(GymwardenError):
    """The environment tried something the sandbox forbids, or the sandbox
    could not be built as the manifest requires.

    ``syscall`` names the forbidden system call when one ended the worker;
    a refused ``sandbox.require`` has that as its ``field`` and no syscall.
    """

    @property
    def syscall(self) -> str | None:
        return None if self.field == "sandbox.require" else self.field


class ResourceLimitExceeded(EnvCrashed):
    """A resource limit of the sandbox ended the worker.

    ``limit`` is "memory", "processes", "cpu-time", "file-size" or
    "lifetime".
    """

    @property
    def limit(self) -> str | None:
        return self.field


__all__ = [
    "GymwardenError",
    "ManifestError",
    "NotApproved",
    "SpecMismatch",
    "ActionError",
    "ObservationError",
    "RewardError",
    "InfoError",
    "FlagError",
    "EnvCrashed",
    "EnvTimeout",
    "SandboxViolation",
    "ResourceLimitExceeded",
]
