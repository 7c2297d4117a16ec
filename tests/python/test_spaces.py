"""The light spaces used when Gymnasium is not installed, and spaces built
from the pinned descriptions."""

from __future__ import annotations

import numpy as np
import pytest

import gymwarden
from conftest import TEST_MANIFEST
from gymwarden import spaces as gs

DESCRIPTIONS = {
    "box": {"type": "Box", "dtype": "float32", "shape": [4],
            "low": [-4.8, "-inf", -0.5, "-inf"], "high": [4.8, "inf", 0.5, "inf"]},
    "ibox": {"type": "Box", "dtype": "int64", "shape": [2, 2], "low": 0, "high": 7},
    "ubox": {"type": "Box", "dtype": "uint64", "shape": [1], "low": 0,
             "high": "18446744073709551615"},
    "bbox": {"type": "Box", "dtype": "bool", "shape": [3], "low": False, "high": True},
    "discrete": {"type": "Discrete", "n": 13, "start": 1},
    "md": {"type": "MultiDiscrete", "shape": [3], "nvec": [2, 3, 4],
           "start": [0, 0, 5]},
    "mb": {"type": "MultiBinary", "shape": [5, 5]},
    "text": {"type": "Text", "min_length": 4, "max_length": 8,
             "charset": "_abcdefghijklmnopqrstuvwxyz"},
    "text_default": {"type": "Text", "min_length": 0, "max_length": 3, "charset": None},
    "tuple": {"type": "Tuple", "spaces": [{"type": "Discrete", "n": 2, "start": 0},
                                          {"type": "MultiBinary", "shape": [3]}]},
    "dict": {"type": "Dict", "spaces": {
        "z": {"type": "Discrete", "n": 2, "start": 0},
        "a": {"type": "Box", "dtype": "float64", "shape": [], "low": 0.0,
              "high": 1.0}}},
}


@pytest.mark.parametrize("name", sorted(DESCRIPTIONS))
def test_samples_are_members_and_seeded_streams_repeat(name):
    space = gs.from_description(DESCRIPTIONS[name], use_gymnasium=False)
    space.seed(42)
    first = [space.sample() for _ in range(20)]
    assert all(space.contains(x) and x in space for x in first)
    space.seed(42)
    again = [space.sample() for _ in range(20)]
    assert repr(first) == repr(again)
    space.seed(43)
    assert repr([space.sample() for _ in range(20)]) != repr(first)


def test_box_attributes():
    box = gs.from_description(DESCRIPTIONS["box"], use_gymnasium=False)
    assert box.shape == (4,) and box.dtype == np.float32
    assert box.low[1] == -np.inf and box.high[3] == np.inf
    assert box.low[2] == np.float32(-0.5)
    assert not box.contains(np.array([5.0, 0, 0, 0], dtype=np.float32))
    assert not box.contains(np.zeros(3, dtype=np.float32))
    assert not box.contains(np.zeros(4, dtype=np.float64))
    assert not box.contains(np.array([np.nan, 0, 0, 0], dtype=np.float32))
    ubox = gs.from_description(DESCRIPTIONS["ubox"], use_gymnasium=False)
    assert ubox.high[0] == np.uint64(2**64 - 1)


def test_discrete_attributes_and_membership():
    d = gs.from_description(DESCRIPTIONS["discrete"], use_gymnasium=False)
    assert (d.n, d.start, d.shape, d.dtype) == (13, 1, (), np.int64)
    assert 1 in d and 13 in d and np.int64(5) in d
    assert 0 not in d and 14 not in d and True not in d and 2.0 not in d


def test_multi_kinds():
    md = gs.from_description(DESCRIPTIONS["md"], use_gymnasium=False)
    assert md.nvec.tolist() == [2, 3, 4] and md.start.tolist() == [0, 0, 5]
    assert md.contains(np.array([1, 2, 8])) and not md.contains(np.array([1, 2, 9]))
    mb = gs.from_description(DESCRIPTIONS["mb"], use_gymnasium=False)
    assert mb.shape == (5, 5) and mb.n == (5, 5) and mb.dtype == np.int8
    assert not mb.contains(np.full((5, 5), 2))


def test_text_and_composites():
    text = gs.from_description(DESCRIPTIONS["text"], use_gymnasium=False)
    assert (text.min_length, text.max_length) == (4, 8)
    assert "abc_" in text and "ab" not in text and "ABCD" not in text
    default = gs.from_description(DESCRIPTIONS["text_default"], use_gymnasium=False)
    assert "aZ9" in default
    tup = gs.from_description(DESCRIPTIONS["tuple"], use_gymnasium=False)
    assert len(tup) == 2 and isinstance(tup[0], gs.Discrete)
    assert (1, np.array([0, 1, 1])) in tup and (1,) not in tup
    d = gs.from_description(DESCRIPTIONS["dict"], use_gymnasium=False)
    assert list(d.keys()) == ["z", "a"], "declared order is kept"
    assert {"z": 1, "a": np.float64(0.5)} in d and {"z": 1} not in d


def test_tuple_seeding_reaches_children():
    tup = gs.from_description(DESCRIPTIONS["tuple"], use_gymnasium=False)
    assert tup.seed(5) == [5, 6, 7]
    a = tup.sample()
    tup.seed(5)
    b = tup.sample()
    assert a[0] == b[0] and np.array_equal(a[1], b[1])


def test_light_spaces_can_be_made_by_hand():
    box = gs.Box(-1.0, 1.0, shape=(3,), seed=1)
    assert box.sample().dtype == np.float32
    assert gs.Discrete(3) == gs.Discrete(3) and gs.Discrete(3) != gs.Discrete(4)
    with pytest.raises(ValueError):
        gs.Box(1.0, 0.0, shape=(1,))


@pytest.mark.skipif(gs.have_gymnasium(), reason="Gymnasium is installed here")
def test_without_gymnasium_the_env_uses_light_spaces():
    with gymwarden.make("Echo-v0", manifest=TEST_MANIFEST) as env:
        assert isinstance(env.action_space, gs.Dict)
        env.reset(seed=0)
        env.action_space.seed(3)
        for _ in range(5):
            obs, *_ = env.step(env.action_space.sample())
            assert env.observation_space.contains(obs)


@pytest.mark.skipif(not gs.have_gymnasium(), reason="Gymnasium is not installed")
def test_with_gymnasium_the_env_is_a_gymnasium_env():
    import gymnasium
    from gymnasium.wrappers import TimeLimit

    with gymwarden.make("Echo-v0", manifest=TEST_MANIFEST) as env:
        assert isinstance(env, gymnasium.Env)
        assert isinstance(env.action_space, gymnasium.spaces.Dict)
        wrapped = TimeLimit(env, max_episode_steps=2)
        wrapped.reset(seed=0)
        env.action_space.seed(3)
        for _ in range(2):
            obs, _, _, truncated, _ = wrapped.step(env.action_space.sample())
            assert env.observation_space.contains(obs)
        assert truncated
