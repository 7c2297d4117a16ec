"""Seeds: None or a non-negative int that fits 64 bits; bools refused."""

from __future__ import annotations

import numpy as np
import pytest

import gymwarden
from conftest import TEST_MANIFEST
from gymwarden.errors import ActionError


@pytest.fixture(scope="module")
def old():
    env = gymwarden.make("OldApi-v0", manifest=TEST_MANIFEST)
    yield env
    env.close()


@pytest.mark.parametrize("seed", [-1, 2**64, True, False, 1.0, "3", [1], np.float64(2)])
def test_bad_seeds_are_action_errors(old, seed):
    with pytest.raises(ActionError) as caught:
        old.reset(seed=seed)
    e = caught.value
    assert (e.env_id, e.field, e.step) == ("OldApi-v0", "seed", 0)


@pytest.mark.parametrize("seed", [0, 7, 2**64 - 1, np.uint64(2**64 - 1), np.int8(3)])
def test_good_seeds_reach_the_env(old, seed):
    obs, info = old.reset(seed=seed)
    # OldApiEnv's first observation is seed % 5 (the old API's env.seed()).
    assert obs == int(seed) % 5 and info == {}


def test_the_seed_check_is_in_c_too(old):
    with pytest.raises(ActionError):
        old._native.reset(True, None)
    with pytest.raises(ActionError):
        old._native.reset(-3, None)


def test_old_api_steps_map_done_to_terminated(old):
    old.reset(seed=1)
    assert old.step(1) == (1, 1.0, False, False, {"t": 1})
    old.step(0)
    obs, reward, terminated, truncated, info = old.step(1)
    assert (obs, terminated, truncated, info) == (3, True, False, {"t": 3})
