"""The package imports, its extension is the C library, its errors form
one hierarchy."""

from __future__ import annotations

import pathlib
import re
import subprocess
import os

import gymwarden
from gymwarden import errors


def test_version_comes_from_the_c_library():
    assert re.fullmatch(r"\d+\.\d+\.\d+", gymwarden.__version__)
    assert gymwarden.__version__ == gymwarden._native.version()


def test_extension_is_the_one_built_for_this_interpreter():
    path = pathlib.Path(gymwarden._native.__file__)
    assert path.suffix == ".so"
    assert "cpython-3" in path.name


def test_version_matches_the_command():
    build = pathlib.Path(os.environ.get("GYMWARDEN_BUILD", "build"))
    out = subprocess.run([str(build / "src" / "cli" / "gymwarden"),
                          "--version"], capture_output=True, text=True)
    assert out.stdout.split()[1] == gymwarden.__version__


def test_errors_carry_env_step_and_field():
    e = errors.ManifestError("bad", env_id="X-v0", step=3, field="kwargs.size")
    assert isinstance(e, gymwarden.GymwardenError)
    assert (e.env_id, e.step, e.field) == ("X-v0", 3, "kwargs.size")
    assert str(e) == "bad"
