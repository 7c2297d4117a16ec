"""The Python client's view of the sandbox: what a trainer gets from
gymwarden.make when the battery's environments try their techniques.
The CLI tests (test_sandbox.py) check the techniques fail; these check
the exception classes, their attributes and env.sandbox_events()."""

from __future__ import annotations

import os
import pathlib

import pytest

import gymwarden

MANIFEST = pathlib.Path(__file__).resolve().parent / "gymwarden.toml"
BUILD = pathlib.Path(os.environ.get("GYMWARDEN_BUILD", "build")).resolve()

pytestmark = pytest.mark.skipif(
    not (BUILD / "src" / "jail" / "gymwarden-jail").exists(),
    reason="the launcher is not built",
)


@pytest.fixture(autouse=True)
def launcher(monkeypatch):
    monkeypatch.setenv("GYMWARDEN_JAIL", str(BUILD / "src" / "jail" / "gymwarden-jail"))
    monkeypatch.setenv("GYMWARDEN_WORKER", str(BUILD / "python" / "gymwarden" / "worker.py"))


def play(env) -> None:
    env.reset(seed=0)
    for _ in range(5):
        env.step(env.action_space.sample())


def test_a_fatal_forbidden_call_is_a_sandbox_violation_naming_it():
    env = gymwarden.make("TcpKill-v0", manifest=MANIFEST)
    try:
        with pytest.raises(gymwarden.SandboxViolation) as caught:
            play(env)
        assert caught.value.syscall == "socket"
        assert "forbidden system call" in str(caught.value)
        events = env.sandbox_events()
        assert events and events[0]["kind"] == "sandbox"
        assert events[0]["syscall"] == "socket" and events[0]["action"] == "kill"
        assert "AF_INET" in events[0]["detail"]
        assert env.worker_pid == -1
    finally:
        env.close()


def test_a_refused_call_is_an_event_of_its_step_and_the_env_goes_on():
    env = gymwarden.make("TcpLoopback-v0", manifest=MANIFEST)
    try:
        # The env lets the PermissionError through, as the battery's
        # environments do: the refusal reached it as EPERM.
        with pytest.raises(gymwarden.EnvCrashed, match="PermissionError"):
            play(env)
        events = env.sandbox_events()
        assert {e["syscall"] for e in events} == {"socket"}
        assert {e["action"] for e in events} == {"errno"}
        assert all(e["step"] == 0 for e in events)
        assert env.worker_pid > 0
    finally:
        env.close()


def test_a_cpu_limit_is_a_resource_limit_with_its_name():
    env = gymwarden.make("CpuSpin-v0", manifest=MANIFEST)
    try:
        with pytest.raises(gymwarden.ResourceLimitExceeded) as caught:
            play(env)
        assert caught.value.limit == "cpu-time"
        assert isinstance(caught.value, gymwarden.EnvCrashed)
        assert [e["limit"] for e in env.sandbox_events() if e["kind"] == "limit"] == ["cpu-time"]
    finally:
        env.close()


def test_the_layers_are_told_in_python():
    env = gymwarden.make("Control-v0", manifest=MANIFEST)
    try:
        assert {"mount", "net", "seccomp", "landlock", "pid"} <= set(env.layers)
        assert not set(env.layers) & set(env.missing_layers)
        assert all(env.missing_layers.values())
        if os.geteuid() != 0:
            assert env.missing_layers.get("cgroup-limits") == "not-delegated"
    finally:
        env.close()
