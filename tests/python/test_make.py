"""make, reset, step and close on the quick start's GridWorld-v0."""

from __future__ import annotations

import numpy as np
import pytest

import gymwarden
from conftest import EXAMPLES, wait_no_children
from gymwarden.errors import (
    ActionError,
    GymwardenError,
    ManifestError,
    SandboxViolation,
    SpecMismatch,
)


def test_an_unapproved_tree_is_refused(tmp_path):
    import shutil

    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy,
                    ignore=shutil.ignore_patterns(".gymwarden", "__pycache__"))
    with pytest.raises(gymwarden.NotApproved) as e:
        gymwarden.make("GridWorld-v0", manifest=copy / "gymwarden.toml")
    assert e.value.env_id == "GridWorld-v0"
    assert "gymwarden vet" in str(e.value) and "sha256:" in str(e.value)


def test_the_quick_start_manifest_opens_once_approved(approved_examples):
    env = gymwarden.make("GridWorld-v0", manifest=EXAMPLES / "gymwarden.toml")
    with env:
        obs, info = env.reset(seed=0)
        assert obs.shape == (2,)


def test_make_reset_step_close(grid_manifest):
    env = gymwarden.make("GridWorld-v0", manifest=grid_manifest)
    try:
        assert env.action_space.n == 4
        assert env.observation_space.shape == (2,)
        assert env.observation_space.dtype == np.int64
        obs, info = env.reset(seed=0)
        assert isinstance(obs, np.ndarray) and obs.dtype == np.int64
        assert obs.tolist() == [0, 0] and info == {}
        obs, reward, terminated, truncated, info = env.step(0)
        assert obs.tolist() == [1, 0]
        assert reward == pytest.approx(-0.01) and type(reward) is float
        assert terminated is False and truncated is False and info == {}
    finally:
        env.close()
    assert wait_no_children() == []


def test_an_episode_reaches_the_goal(grid_manifest):
    with gymwarden.make("GridWorld-v0", manifest=grid_manifest) as env:
        env.reset(seed=0)
        for _ in range(7):
            env.step(0)
        for k in range(7):
            obs, reward, terminated, truncated, _ = env.step(1)
        assert obs.tolist() == [7, 7]
        assert terminated is True and reward == 1.0


def test_the_env_looks_like_a_gymnasium_env(grid_manifest):
    with gymwarden.make("GridWorld-v0", manifest=grid_manifest) as env:
        assert env.unwrapped is env
        assert env.render_mode is None
        assert isinstance(env.metadata, dict)
        assert env.spec.id == "GridWorld-v0"
        assert env.spec.max_episode_steps == 200
        assert env.env_id == "GridWorld-v0"
        assert all(isinstance(x, str) and x for x in gymwarden.layers(env))
        assert gymwarden.layers(env) == env.layers
        assert env.fault_counts()["shape"] == 0


def test_observations_are_new_arrays_the_caller_owns(grid_manifest):
    with gymwarden.make("GridWorld-v0", manifest=grid_manifest) as env:
        first, _ = env.reset(seed=0)
        assert first.base is None and first.flags.owndata and first.flags.writeable
        first[:] = 99
        obs, *_ = env.step(0)
        assert obs.tolist() == [1, 0]
        second, *_ = env.step(1)
        assert second is not obs
        obs[:] = -5
        third, *_ = env.step(2)
        assert second.tolist() == [1, 1] and third.tolist() == [0, 1]


def test_step_before_reset_is_refused(grid_manifest):
    with gymwarden.make("GridWorld-v0", manifest=grid_manifest) as env:
        with pytest.raises(GymwardenError) as caught:
            env.step(0)
        assert caught.value.env_id == "GridWorld-v0"
        assert not isinstance(caught.value, ActionError)
        env.reset()
        env.step(0)


def test_max_episode_steps_truncates(tmp_path):
    from conftest import portable_example

    manifest = portable_example("GridWorld-v0", tmp_path, max_steps=5)
    with gymwarden.make("GridWorld-v0", manifest=manifest) as env:
        env.reset(seed=0)
        flags = [env.step(2)[3] for _ in range(5)]
        assert flags == [False] * 4 + [True]
        with pytest.raises(GymwardenError):
            env.step(2)
        env.reset()
        assert env.step(2)[3] is False


def test_context_manager_closes_and_reaps(grid_manifest):
    with gymwarden.make("GridWorld-v0", manifest=grid_manifest) as env:
        pid = env.worker_pid
        assert pid > 0
        env.reset()
    assert env.closed and env.worker_pid == -1
    assert wait_no_children() == []
    env.close()  # twice is fine
    with pytest.raises(ValueError):
        env.reset()


def test_close_without_reset_and_garbage_collection_reap(grid_manifest):
    env = gymwarden.make("GridWorld-v0", manifest=grid_manifest)
    env.close()
    env = gymwarden.make("GridWorld-v0", manifest=grid_manifest)
    del env
    assert wait_no_children() == []


def test_reset_options_are_checked_and_passed(grid_manifest):
    with gymwarden.make("GridWorld-v0", manifest=grid_manifest) as env:
        a, _ = env.reset(seed=11, options={"difficulty": "hard"})
        b, _ = env.reset(seed=11, options={"difficulty": "hard"})
        assert np.array_equal(a, b)
        with pytest.raises(ActionError) as caught:
            env.reset(options={"difficulty": "brutal"})
        assert "difficulty" in caught.value.field
        with pytest.raises(ActionError):
            env.reset(options={"speed": 3})
        with pytest.raises(ActionError):
            env.reset(options={"difficulty": object()})


def test_kwargs_are_checked_against_the_manifest(grid_manifest):
    with pytest.raises(ActionError) as caught:
        gymwarden.make("GridWorld-v0", manifest=grid_manifest, colour="red")
    assert caught.value.env_id == "GridWorld-v0"
    with pytest.raises(ActionError):
        gymwarden.make("GridWorld-v0", manifest=grid_manifest, size=1000)
    # size=4 is allowed, but the grid it makes declares Box(0, 3): not the pin.
    with pytest.raises(SpecMismatch) as caught:
        gymwarden.make("GridWorld-v0", manifest=grid_manifest, size=4)
    assert caught.value.env_id == "GridWorld-v0"
    assert "observation_space" in str(caught.value)
    assert wait_no_children() == []


def test_an_unknown_id_is_a_manifest_error(grid_manifest):
    with pytest.raises(ManifestError) as caught:
        gymwarden.make("NoSuchEnv-v9", manifest=grid_manifest)
    assert caught.value.env_id == "NoSuchEnv-v9"
    assert "NoSuchEnv-v9" in str(caught.value)


def test_a_broken_manifest_is_a_manifest_error(tmp_path):
    bad = tmp_path / "gymwarden.toml"
    bad.write_text("[[env]]\nid = 'X-v0'\nentrypoint = 'a:b'\n")
    with pytest.raises(ManifestError) as caught:
        gymwarden.make("X-v0", manifest=bad)
    assert caught.value.env_id == "X-v0"
