"""Errors: one hierarchy, each carrying env_id, step and field, raised as
the class the monitor's error kind names."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import gymwarden
from conftest import HERE
from gymwarden import errors
from gymwarden.errors import (
    ActionError,
    EnvCrashed,
    GymwardenError,
    InfoError,
    ObservationError,
)

HOSTILE = HERE.parent / "hostile" / "gymwarden.toml"


@pytest.mark.parametrize("name", errors.__all__)
def test_every_class_is_a_gymwarden_error(name):
    cls = getattr(errors, name)
    assert issubclass(cls, GymwardenError)
    e = cls("x", env_id="E-v0", step=2, field="observation[1]")
    assert (e.env_id, e.step, e.field) == ("E-v0", 2, "observation[1]")


def test_the_package_exports_the_classes():
    for name in errors.__all__:
        assert getattr(gymwarden, name) is getattr(errors, name)
    assert issubclass(ActionError, ValueError)


def run_to_bad_step(env_id, **kwargs):
    env = gymwarden.make(env_id, manifest=HOSTILE, **kwargs)
    env.reset(seed=0)
    env.step(1)
    env.step(1)
    return env


def test_an_observation_fault_carries_env_step_and_field():
    with run_to_bad_step("NanObs-v0") as env:
        with pytest.raises(ObservationError) as caught:
            env.step(1)
    e = caught.value
    assert (e.env_id, e.step, e.field) == ("NanObs-v0", 3, "observation[1]")


def test_an_info_fault_names_the_key():
    with run_to_bad_step("HugeInfo-v0") as env:
        with pytest.raises(InfoError) as caught:
            env.step(1)
    assert caught.value.field == "info.blob"


def test_an_exception_in_the_env_is_a_crash_with_its_text():
    with run_to_bad_step("Raise-v0") as env:
        with pytest.raises(EnvCrashed) as caught:
            env.step(1)
    e = caught.value
    assert e.step == 3 and "RuntimeError" in str(e)
    assert isinstance(e.stderr_tail, str)


def test_faults_are_logged_as_warnings(caplog):
    caplog.set_level(logging.INFO, logger="gymwarden")
    with run_to_bad_step("DtypeLossless-v0") as env:
        obs, *_ = env.step(1)
        assert obs.dtype == np.float32
        assert env.fault_counts()["dtype_drift"] == 1
    faults = [r for r in caplog.records
              if r.name == "gymwarden" and "dtype_drift" in r.getMessage()]
    assert faults and all(r.levelno == logging.WARNING for r in faults)
    assert "DtypeLossless-v0" in faults[0].getMessage()
