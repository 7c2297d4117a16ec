"""gymwarden: run reinforcement-learning environments you did not write
without trusting them."""

from __future__ import annotations

from gymwarden import _native
from gymwarden.errors import GymwardenError, ManifestError

__version__: str = _native.version()

__all__ = ["GymwardenError", "ManifestError", "__version__"]
