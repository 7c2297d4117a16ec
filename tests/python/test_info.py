"""info crosses as bounded MessagePack and arrives as plain Python data:
numpy arrays as new arrays, bytes as bytes, tuples as lists."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import gymwarden
from conftest import TEST_MANIFEST


@pytest.fixture(scope="module")
def info_env():
    env = gymwarden.make("Info-v0", manifest=TEST_MANIFEST)
    yield env
    env.close()


def test_info_values_arrive_as_python_data(info_env):
    obs, info = info_env.reset(seed=0, options={"level": 2})
    assert info == {"options": {"level": 2}}
    obs, reward, terminated, truncated, info = info_env.step(0)
    assert reward == 1.0 and type(reward) is float  # an int reward, as float
    assert info["t"] == 1 and info["none"] is None and info["flag"] is True
    assert info["big"] == 2**64 - 1 and info["neg"] == -(2**63)
    assert info["ratio"] == 0.25 and info["name"] == "caf\u00e9"
    assert info["raw"] == b"\x00\x01"
    assert info["items"] == [1, "two", [3.0]] and info["nested"] == {"k": [1, 2]}
    assert info["scalar"] == 1.5 and type(info["scalar"]) is float
    grid = info["grid"]
    assert isinstance(grid, np.ndarray) and grid.dtype == np.int16
    assert grid.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert grid.base is None and grid.flags.writeable


def test_the_env_output_reaches_the_log_not_the_terminal(capfd, caplog):
    caplog.set_level(logging.INFO, logger="gymwarden")
    with gymwarden.make("Info-v0", manifest=TEST_MANIFEST) as env:
        env.reset(seed=0)
        for _ in range(3):
            env.step(1)
    # The monitor drains the worker's pipes when it waits and when it closes.
    out, err = capfd.readouterr()
    assert "frame-looking text" not in out + err
    logged = [r.getMessage() for r in caplog.records if r.name == "gymwarden"]
    assert any("frame-looking text" in m for m in logged)
    assert all("\x00" not in m and "\x01" not in m for m in logged)


def test_options_are_checked_against_the_manifest(info_env):
    with pytest.raises(gymwarden.ActionError):
        info_env.reset(options={"level": 10})
    with pytest.raises(gymwarden.ActionError):
        info_env.reset(options={"other": 1})


def test_a_kwarg_allowed_by_the_manifest_reaches_the_env():
    with gymwarden.make("Info-v0", manifest=TEST_MANIFEST, noisy=False) as env:
        env.reset()
        env.step(0)
    with pytest.raises(gymwarden.ActionError):
        gymwarden.make("Info-v0", manifest=TEST_MANIFEST, noisy="yes")
