"""The strict rules for actions, checked before anything reaches the worker.

Discrete: an int or a numpy integer scalar; bool, float (even 1.0), arrays
refused; -1 and n are range errors. Box: array-like of exactly the pinned
shape, converted to the dtype only when no value changes; nan and values out
of bounds refused with the element's field path. Composites recursively.
"""

from __future__ import annotations

import numpy as np
import pytest

import gymwarden
from conftest import TEST_MANIFEST, portable_example
from gymwarden.errors import ActionError


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    manifest = portable_example("GridWorld-v0", tmp_path_factory.mktemp("grid"))
    env = gymwarden.make("GridWorld-v0", manifest=manifest)
    env.reset(seed=0)
    yield env
    env.close()


@pytest.fixture(scope="module")
def drift(tmp_path_factory):
    manifest = portable_example("Drift-v0", tmp_path_factory.mktemp("drift"))
    env = gymwarden.make("Drift-v0", manifest=manifest)
    env.reset(seed=0)
    yield env
    env.close()


@pytest.fixture(scope="module")
def echo():
    env = gymwarden.make("Echo-v0", manifest=TEST_MANIFEST)
    env.reset(seed=0)
    yield env
    env.close()


def refused(env, action, field=None, words=()):
    with pytest.raises(ActionError) as caught:
        env.step(action)
    e = caught.value
    assert e.env_id == env.env_id
    if field is not None:
        assert e.field == field, str(e)
    for w in words:
        assert w in str(e), str(e)
    return e


# --- Discrete -------------------------------------------------------------


@pytest.mark.parametrize("action", [0, 3, np.int64(2), np.uint8(1), np.int32(3)])
def test_discrete_takes_ints_and_numpy_integers(grid, action):
    obs, *_ = grid.step(action)
    assert obs.shape == (2,)


@pytest.mark.parametrize(
    "action, words",
    [
        (True, ["bool"]),
        (np.bool_(True), ["bool"]),
        (1.0, ["float"]),
        (np.float64(2.0), ["float"]),
        (np.array(1), ["ndarray"]),
        (np.array([1]), ["ndarray"]),
        ([1], ["list"]),
        ("1", ["str"]),
        (None, ["NoneType"]),
        (2**70, ["int64"]),
    ],
)
def test_discrete_refuses_what_is_not_an_int(grid, action, words):
    refused(grid, action, "action", words)


@pytest.mark.parametrize("action", [-1, 4, 2**62])
def test_discrete_out_of_range_is_a_range_error(grid, action):
    e = refused(grid, action, "action")
    assert str(action) in str(e)


def test_a_refused_action_never_reaches_the_worker(grid):
    obs0, *_ = grid.step(0)
    refused(grid, 7)
    obs1, *_ = grid.step(2)
    # Had 7 arrived, the env would have raised; the walk simply goes on.
    assert obs1[0] == max(obs0[0] - 1, 0)


# --- Box --------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        np.array([0.5, -0.25], dtype=np.float32),
        np.array([0.5, -0.25]),           # float64, exact in float32
        [0.5, 1.0],                        # a list of exact floats
        (0, 1),                            # ints convert exactly
        np.array([1, -1], dtype=np.int8),
        np.array([[0.5], [0.5]], dtype=np.float32)[:, 0],  # not contiguous
    ],
)
def test_box_takes_exact_array_likes(drift, action):
    obs, reward, *_ = drift.step(action)
    assert obs.dtype == np.float64 and obs.shape == (4,)


@pytest.mark.parametrize(
    "action, field, words",
    [
        (np.zeros(3, dtype=np.float32), "action", ["(3,)", "(2,)"]),
        (np.zeros((2, 1), dtype=np.float32), "action", ["(2, 1)"]),
        (0.5, "action", ["()"]),
        ([0.1, 0.2], "action", ["float64", "float32"]),  # not exact in float32
        (np.array([True, False]), "action", ["bool"]),
        (np.array([1 + 2j, 0]), "action", []),
        ("ab", "action", ["str"]),
        ([[0.1], 0.2], "action", []),
        (np.array([np.nan, 0.0], dtype=np.float32), "action[0]", ["nan"]),
        (np.array([0.0, 2.0], dtype=np.float32), "action[1]", []),
        (np.array([-np.inf, 0.0], dtype=np.float32), "action[0]", []),
        (np.array([0.0, 1e300]), "action", []),  # inf in float32: not exact
    ],
)
def test_box_refusals_name_the_field(drift, action, field, words):
    refused(drift, action, field, words)


def test_box_bounds_are_inclusive(drift):
    drift.step(np.array([1.0, -1.0], dtype=np.float32))


# --- composite ----------------------------------------------------------------


def echo_action(**over):
    action = {
        "a": -1,
        "b": np.array([0.5, -0.5], dtype=np.float32),
        "c": (np.array([1, 0, 1], dtype=np.int8), "xyz"),
        "d": np.array([1, 2]),
    }
    action.update(over)
    return action


def test_composite_actions_arrive_as_python_objects(echo):
    obs, _, _, _, info = echo.step(echo_action())
    assert info["types"] == {
        "a": "int", "b": "float32", "c0": "int8", "c1": "str", "d": "int64",
        "outer": "dict", "tuple": "tuple",
    }
    assert obs["a"] == -1 and isinstance(obs["a"], int)
    assert obs["b"].tolist() == [0.5, -0.5]
    assert obs["c"][0].dtype == np.int8 and obs["c"][0].tolist() == [1, 0, 1]
    assert obs["c"][1] == "xyz"
    assert obs["d"].tolist() == [1, 2]
    assert list(obs) == list(echo.observation_space.spaces)


def test_composite_accepts_lists_for_arrays_and_tuples(echo):
    obs, *_ = echo.step(echo_action(c=[[0, 1, 1], "x"], d=[0, 0]))
    assert obs["c"][0].tolist() == [0, 1, 1] and obs["d"].tolist() == [0, 0]


@pytest.mark.parametrize(
    "over, field",
    [
        ({"a": 2}, "action.a"),
        ({"a": 1.0}, "action.a"),
        ({"b": np.zeros(3, dtype=np.float32)}, "action.b"),
        ({"c": (np.array([1, 0, 1]),)}, "action.c"),
        ({"c": (np.array([1, 2, 1]), "x")}, "action.c[0][1]"),
        ({"c": (np.array([1, 0, 1]), "abc")}, "action.c[1]"),
        ({"c": (np.array([1, 0, 1]), "")}, "action.c[1]"),
        ({"c": (np.array([1, 0, 1]), 7)}, "action.c[1]"),
        ({"d": np.array([2, 0])}, "action.d[0]"),
        ({"d": np.array([1.0, 0.0])}, "action.d"),
        ({"d": np.array([True, False])}, "action.d"),
    ],
)
def test_composite_refusals_name_the_field(echo, over, field):
    refused(echo, echo_action(**over), field)


def test_dict_actions_need_exactly_the_keys(echo):
    action = echo_action()
    del action["d"]
    refused(echo, action, "action")
    refused(echo, {**echo_action(), "e": 1}, "action")
    refused(echo, [1, 2, 3, 4], "action")
