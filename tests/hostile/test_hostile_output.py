"""The hostile-output battery: every way an environment can lie to the
trainer through its return values, its output, its timing or its exit.

Each environment in envs/hostile_envs behaves like CalmEnv (below) until
its third step and then breaks one rule, once. Each test checks the
gymwarden error that results (class, step and field path) or the action
the manifest's policy asks for. After every test a fixture checks that
the trainer survived: a fresh well-behaved environment works, no child
process is left behind (not even a zombie), and no environment module
was imported into the trainer.

Field paths are written as in gymwarden.errors: "observation[1]" for an
element of a Box, "info.player" for a key of info, "reward",
"terminated", "truncated".
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import resource
import sys
import time
from typing import Iterator

import numpy as np
import pytest

import gymwarden
from gymwarden.errors import (
    EnvCrashed,
    EnvTimeout,
    FlagError,
    GymwardenError,
    InfoError,
    ObservationError,
    RewardError,
    SpecMismatch,
)

pytestmark = pytest.mark.skipif(
    not hasattr(gymwarden, "make"), reason="gymwarden.make is not built yet"
)

MANIFEST = pathlib.Path(__file__).resolve().parent / "gymwarden.toml"
# As pinned in the manifest for every environment that hangs.
STEP_TIMEOUT_S = 0.3
RESET_TIMEOUT_S = 1.0
# What killing and reaping a worker may add on a loaded two-core machine.
SLACK_S = 1.5
BAD_STEP = 3
EPISODE = 20
# The scribbler rewrites shared memory for 0.4 s, starting 0.05 s after
# it has answered.
SCRIBBLE_WINDOW_S = 0.7
# The raw bytes an environment writes or raises that must never reach a
# terminal unescaped.
RAW_CONTROLS = ("\x1b", "\u202e", "\x00")


def calm_obs(k: int, action: int) -> np.ndarray:
    """CalmEnv's observation after step k (1-based) with action."""
    return np.array([k % 8, -0.5 * (k % 5), action], dtype=np.float32)


@contextlib.contextmanager
def opened(env_id: str, **kwargs: object) -> Iterator[object]:
    env = gymwarden.make(env_id, manifest=str(MANIFEST), **kwargs)
    try:
        yield env
    finally:
        env.close()


def assert_calm_step(env: object, k: int, action: int = 1) -> None:
    obs, reward, terminated, truncated, info = env.step(action)
    assert isinstance(obs, np.ndarray)
    assert obs.dtype == np.float32 and obs.shape == (3,)
    assert np.array_equal(obs, calm_obs(k, action))
    assert reward == 1.0 + 0.5 * action
    assert terminated is (k >= EPISODE)
    assert truncated is False
    assert info == {"t": k}


def start(env: object, steps: int = BAD_STEP - 1) -> None:
    """Reset and take the good steps before the bad one."""
    obs, info = env.reset(seed=0)
    assert np.array_equal(obs, np.zeros(3, dtype=np.float32))
    assert info == {"t": 0}
    for k in range(1, steps + 1):
        assert_calm_step(env, k)


def children() -> list[tuple[int, str, str]]:
    """(pid, state, name) of every child of this process, zombies too."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The name may hold spaces and parentheses: split after the last ")".
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == me:
            found.append((int(entry), state, name))
    return found


def assert_no_children(grace_s: float = 2.0) -> None:
    deadline = time.monotonic() + grace_s
    while children() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert children() == [], "worker processes left behind"


@pytest.fixture(autouse=True)
def trainer_stays_alive() -> Iterator[None]:
    yield
    assert_no_children()
    with opened("Calm-v0") as env:
        start(env, steps=1)
    assert_no_children()
    leaked = [m for m in ("hostile_envs", "gwexample_compat") if m in sys.modules]
    assert leaked == [], "environment code was imported into the trainer"


def shared_region(pid: int) -> bytes | None:
    """The worker's memfd region as it is now, or None when this process
    may not read it (it needs ptrace access to the worker)."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            line = next(x for x in f if "memfd:gymwarden" in x)
        lo, hi = (int(a, 16) for a in line.split()[0].split("-"))
        with open(f"/proc/{pid}/mem", "rb") as mem:
            mem.seek(lo)
            return mem.read(hi - lo)
    except (OSError, StopIteration, ValueError):
        return None


def expect_fault(env: object, error: type, field: str | None) -> GymwardenError:
    """Take the bad step; it must raise error with the step and field."""
    with pytest.raises(error) as caught:
        env.step(1)
    e = caught.value
    assert e.step == BAD_STEP
    if field is not None:
        assert e.field == field
    return e


def fault_count(env: object, fault: str) -> int:
    """How often the monitor has seen fault (a name from [env.checks])."""
    return env.fault_counts()[fault]


# --- the control ---------------------------------------------------------


def test_calm_env_passes_through_unchanged():
    with opened("Calm-v0") as env:
        assert env.action_space.n == 2
        assert env.observation_space.shape == (3,)
        start(env, steps=0)
        for k in range(1, EPISODE + 1):
            assert_calm_step(env, k, action=k % 2)


# --- observations --------------------------------------------------------


def test_nan_observation_is_rejected_with_step_and_field():
    with opened("NanObs-v0") as env:
        start(env)
        e = expect_fault(env, ObservationError, "observation[1]")
        assert e.env_id == "NanObs-v0"
        assert "nan" in str(e).lower()


def test_nan_observation_under_terminate_policy_ends_the_worker():
    with opened("NanObsTerminate-v0") as env:
        start(env)
        expect_fault(env, ObservationError, "observation[1]")
        with pytest.raises(GymwardenError):
            env.step(1)


def test_wrong_shape_is_rejected():
    with opened("WrongShape-v0") as env:
        start(env)
        e = expect_fault(env, ObservationError, "observation")
        assert "(4,)" in str(e) and "(3,)" in str(e)


def test_a_shape_too_large_to_send_is_a_shape_fault():
    with opened("HugeShape-v0") as env:
        start(env)
        e = expect_fault(env, ObservationError, "observation")
        assert "(2048, 2048)" in str(e) and "(3,)" in str(e)
        assert "too large" in str(e)


def test_lossless_dtype_drift_is_cast_and_counted():
    with opened("DtypeLossless-v0") as env:
        start(env)
        before = fault_count(env, "dtype_drift")
        obs, reward, terminated, truncated, info = env.step(1)
        assert obs.dtype == np.float32
        assert np.array_equal(obs, calm_obs(BAD_STEP, 1))
        assert (reward, terminated, truncated) == (1.5, False, False)
        assert fault_count(env, "dtype_drift") == before + 1
        assert_calm_step(env, BAD_STEP + 1)


def test_lossy_dtype_drift_is_rejected_even_inside_infinite_bounds():
    with opened("DtypeLossy-v0") as env:
        start(env)
        expect_fault(env, ObservationError, "observation[0]")


def test_lossless_dtype_drift_is_rejected_when_the_policy_says_so():
    with opened("DtypeLosslessReject-v0") as env:
        start(env)
        e = expect_fault(env, ObservationError, None)
        assert e.field.startswith("observation")


def test_an_object_that_is_not_an_array_is_rejected():
    with opened("NotArray-v0") as env:
        start(env)
        e = expect_fault(env, ObservationError, "observation")
        assert "Opaque" in str(e)


def test_out_of_bounds_is_rejected():
    with opened("OutOfBounds-v0") as env:
        start(env)
        expect_fault(env, ObservationError, "observation[2]")


def test_out_of_bounds_is_clipped_under_clip_policy():
    with opened("OutOfBoundsClip-v0") as env:
        start(env)
        obs, *_ = env.step(1)
        want = calm_obs(BAD_STEP, 1)
        want[2] = 10.0
        assert np.array_equal(obs, want)
        assert_calm_step(env, BAD_STEP + 1)


# --- info ----------------------------------------------------------------


def test_a_gigabyte_of_info_is_refused_without_copying_it():
    rss_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with opened("HugeInfo-v0") as env:
        start(env)
        expect_fault(env, InfoError, "info.blob")
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before_kib
    assert grown_kib < 256 * 1024, "the trainer took in the blob"


def test_info_nested_ten_thousand_deep_is_refused():
    with opened("DeepInfo-v0") as env:
        start(env)
        e = expect_fault(env, InfoError, None)
        assert e.field.startswith("info.deep")


def test_an_object_that_would_run_code_when_pickled_never_does(tmp_path):
    with opened("PickleBomb-v0", marker_dir=str(tmp_path)) as env:
        start(env)
        e = expect_fault(env, InfoError, "info.payload")
        assert "Tripwire" in str(e)
    time.sleep(0.1)
    assert sorted(os.listdir(tmp_path)) == []


@pytest.mark.parametrize("env_id", ["SurrogateKey-v0", "BytesKey-v0", "IntKey-v0"])
def test_info_keys_that_are_not_utf8_strings_are_refused(env_id):
    with opened(env_id) as env:
        start(env)
        expect_fault(env, InfoError, "info.player")


# --- rewards and flags ---------------------------------------------------


@pytest.mark.parametrize("env_id", ["RewardTuple-v0", "RewardString-v0"])
def test_a_reward_that_is_not_a_number_is_refused(env_id):
    with opened(env_id) as env:
        start(env)
        expect_fault(env, RewardError, "reward")


@pytest.mark.parametrize(
    "env_id, flag",
    [("FlagTerminated-v0", "terminated"), ("FlagTruncated-v0", "truncated")],
)
def test_a_flag_that_is_a_string_is_refused(env_id, flag):
    with opened(env_id) as env:
        start(env)
        expect_fault(env, FlagError, flag)


# --- the worker process --------------------------------------------------


def test_megabytes_of_output_leave_the_protocol_alone(capfd):
    with opened("Chatty-v0") as env:
        start(env, steps=6)
    out, err = capfd.readouterr()
    for text in (out, err):
        assert len(text) < 1 << 20, "the worker's output reached the trainer unbounded"
        for ch in RAW_CONTROLS:
            assert ch not in text, "the worker's output reached the trainer unescaped"


@pytest.mark.parametrize("env_id", ["HangStep-v0", "SpinStep-v0"])
def test_a_step_that_never_returns_times_out(env_id):
    with opened(env_id) as env:
        start(env)
        began = time.monotonic()
        expect_fault(env, EnvTimeout, None)
        waited = time.monotonic() - began
    assert STEP_TIMEOUT_S * 0.9 <= waited < STEP_TIMEOUT_S + SLACK_S


def test_a_reset_that_never_returns_times_out():
    with opened("HangReset-v0") as env:
        start(env)
        began = time.monotonic()
        with pytest.raises(EnvTimeout) as caught:
            env.reset(seed=1)
        waited = time.monotonic() - began
    assert caught.value.step == 0
    assert RESET_TIMEOUT_S * 0.9 <= waited < RESET_TIMEOUT_S + SLACK_S


def test_exit_halfway_through_a_frame_is_a_crash():
    with opened("TornFrame-v0") as env:
        start(env)
        e = expect_fault(env, EnvCrashed, None)
    # Which the monitor sees first is a race: the worker's exit status 3,
    # or the torn frame (a protocol fault, after which it kills the worker).
    text = str(e).lower()
    assert re.search(r"(exit|status|code)\D{0,24}\b3\b", text) or re.search(
        r"protocol|frame|truncat|short", text
    )


def test_exit_mid_episode_is_a_crash_with_the_status():
    with opened("Exit-v0") as env:
        start(env)
        e = expect_fault(env, EnvCrashed, None)
    assert re.search(r"(exit|status|code)\D{0,24}\b7\b", str(e).lower())


def test_a_segfault_is_a_crash_with_the_signal():
    with opened("Segfault-v0") as env:
        start(env)
        e = expect_fault(env, EnvCrashed, None)
    assert re.search(r"sigsegv|signal\D{0,8}11\b", str(e).lower())


def test_an_exception_in_step_arrives_as_escaped_text():
    with opened("Raise-v0") as env:
        start(env)
        e = expect_fault(env, EnvCrashed, None)
    text = str(e)
    assert "RuntimeError" in text and "env exploded" in text
    assert "_detonate" in text, "the traceback is missing"
    for ch in RAW_CONTROLS:
        assert ch not in text and ch not in e.stderr_tail


# --- shared memory -------------------------------------------------------


def test_rewriting_shared_memory_after_answering_changes_nothing_seen():
    want = calm_obs(BAD_STEP, 1)
    with opened("Scribbler-v0") as env:
        start(env)
        obs, reward, terminated, truncated, info = env.step(1)
        assert np.array_equal(obs, want)
        time.sleep(SCRIBBLE_WINDOW_S)
        region = shared_region(env.worker_pid)
        if region is not None:
            assert len(set(region)) == 1, "the scribbler did not run"
        assert np.array_equal(obs, want), "the trainer's observation changed"
        assert (reward, terminated, truncated, info) == (1.5, False, False, {"t": 3})
        # The next step meets a scribbled region: it may fail, but only as
        # a gymwarden error, and anything it returns must be valid.
        try:
            nxt, *_ = env.step(1)
        except GymwardenError:
            pass
        else:
            assert nxt.shape == (3,) and nxt.dtype == np.float32
            assert np.all(np.abs(nxt) <= 10.0)
    assert np.array_equal(obs, want)


# --- declared spaces -----------------------------------------------------


@pytest.mark.parametrize(
    "env_id, words",
    [
        ("MismatchObs-v0", ["observation_space", "(3,)", "(4,)"]),
        ("MismatchAction-v0", ["action_space", "2", "3"]),
    ],
)
def test_declared_spaces_that_differ_from_the_pinned_ones_are_refused(env_id, words):
    with pytest.raises(SpecMismatch) as caught:
        with opened(env_id) as env:
            env.reset(seed=0)
    e = caught.value
    assert e.env_id == env_id
    for word in words:
        assert word in str(e)
