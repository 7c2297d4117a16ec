"""The worker on its own, driven by a stand-in monitor (fake_monitor.py)
that speaks docs/protocol.md from the bytes: no launcher, no sandbox, no
libgymwarden monitor. What the worker sends is read and checked here."""

from __future__ import annotations

import struct

import msgpack
import numpy as np
import pytest

from conftest import EXAMPLES, HERE
from fake_monitor import CLOSE, FAIL, RESULT, SPEC, FakeMonitor, bin_tag

COMPAT = str(EXAMPLES / "_compat")
ENVS = str(HERE / "envs")
GRID_ACTION = {"type": "Discrete", "n": 4, "start": 0}
GRID_OBS = {"type": "Box", "dtype": "int64", "shape": [2], "low": 0, "high": 7}
PROBE_OBS = {"type": "Box", "dtype": "float32", "shape": [1], "low": 0.0, "high": 1.0}
ANGLE = 0.41887902047863906  # Balance-v0's bound: twice 12 degrees


def F32(x: float) -> float:
    """x as float32 holds it, widened back: how SPEC sends float32 bounds."""
    return float(np.float32(x))


def probe(**kw) -> FakeMonitor:
    return FakeMonitor(GRID_ACTION, PROBE_OBS, "pyside_envs.probe:ProbeEnv", ENVS,
                       [COMPAT], **kw)


def example(folder: str, entry: str, action, obs, **kw) -> FakeMonitor:
    return FakeMonitor(action, obs, entry, str(EXAMPLES / folder), [COMPAT], **kw)


@pytest.fixture
def grid():
    fm = FakeMonitor(GRID_ACTION, GRID_OBS, "gridworld.env:GridWorldEnv",
                     str(EXAMPLES / "gridworld"), kwargs={"size": 8})
    assert fm.spec()[0] == SPEC
    yield fm
    fm.close()


def test_spec_describes_the_declared_spaces(grid):
    # (the fixture took SPEC; a fresh one checks its content)
    fm = FakeMonitor(GRID_ACTION, GRID_OBS, "gridworld.env:GridWorldEnv",
                     str(EXAMPLES / "gridworld"), kwargs={"size": 5})
    try:
        kind, spec = fm.spec()
        assert kind == SPEC
        assert spec == {"action_space": {"type": "Discrete", "n": 4, "start": 0},
                        "observation_space": {"type": "Box", "dtype": "int64",
                                              "shape": [2], "low": 0, "high": 4},
                        "spec": None}
    finally:
        assert fm.close() == 0


@pytest.mark.parametrize(
    "folder, entry, want",
    [
        ("balance", "balance.env:BalanceEnv",
         {"type": "Box", "dtype": "float32", "shape": [4],
          "low": [-F32(4.8), "-inf", -F32(ANGLE), "-inf"],
          "high": [F32(4.8), "inf", F32(ANGLE), "inf"]}),
        ("lights", "lights.env:LightsEnv", {"type": "MultiBinary", "shape": [5, 5]}),
        ("hangman", "hangman.env:HangmanEnv",
         {"type": "Text", "min_length": 4, "max_length": 8,
          "charset": "_abcdefghijklmnopqrstuvwxyz"}),
    ],
)
def test_spec_forms_follow_the_manifest_reference(folder, entry, want):
    fm = example(folder, entry, GRID_ACTION, want)
    try:
        kind, spec = fm.spec()
        assert kind == SPEC
        assert spec["observation_space"] == want
    finally:
        fm.close()


def test_composite_spaces_are_described_and_walked():
    vault_obs = {"type": "Dict", "spaces": {
        "door_open": {"type": "Discrete", "n": 2, "start": 0},
        "energy": {"type": "Box", "dtype": "float32", "shape": [1], "low": 0.0,
                   "high": 1.0},
        "keys": {"type": "MultiBinary", "shape": [3]},
        "position": {"type": "Box", "dtype": "int64", "shape": [2], "low": 0,
                     "high": 5}}}
    fm = example("vault", "vault.env:VaultEnv", {"type": "Discrete", "n": 5}, vault_obs)
    try:
        kind, spec = fm.spec()
        assert spec["observation_space"] == vault_obs
        kind, res = fm.reset(seed=0)
        assert kind == RESULT and res.reward_tag == 4
        assert [(leaf.kind, leaf.shape) for leaf in res.leaves] == [
            (0, ()), (0, (1,)), (0, (3,)), (0, (2,))]
        assert res.leaves[1].dtype == "float32" and res.leaves[3].dtype == "int64"
    finally:
        fm.close()


def test_reset_step_and_close(grid):
    kind, res = grid.reset(seed=1)
    assert kind == RESULT and res.info == {} and res.reward_tag == 4
    leaf = res.leaves[0]
    assert (leaf.kind, leaf.dtype, leaf.shape) == (0, "int64", (2,))
    kind, res = grid.step(struct.pack("<q", 0))
    assert kind == RESULT
    assert (res.reward_tag, res.terminated_tag, res.truncated_tag) == (0, 0, 0)
    assert res.reward == pytest.approx(-0.01)
    assert np.frombuffer(res.leaves[0].data, np.int64).tolist() == [1, 0]
    kind, body = grid.request(CLOSE)
    assert (kind, body) == (RESULT, b"")
    assert grid.proc.wait(10) == 0


def test_an_exception_in_step_is_a_fail_with_its_text(grid):
    grid.reset()
    kind, (phase, text) = grid.step(struct.pack("<q", 9))
    assert kind == FAIL and phase == 2
    first = text.splitlines()[0]
    assert first == "ValueError: invalid action 9"
    assert "Traceback" in text and "gridworld/env.py" in text
    assert "worker.py" not in text
    # A failed step leaves the env to be reset; then it goes on serving.
    assert grid.reset()[0] == RESULT
    assert grid.step(struct.pack("<q", 0))[0] == RESULT


def test_a_constructor_that_raises_is_a_fail_on_the_socket():
    fm = probe(kwargs={"fail": True})
    try:
        kind, payload = fm.spec()
        assert kind == FAIL and payload[0] == 0
        assert b"constructor refused on purpose" in payload
    finally:
        assert fm.close() != 0


def test_a_bad_entry_point_is_a_fail_too():
    fm = FakeMonitor(GRID_ACTION, PROBE_OBS, "pyside_envs.nowhere:Env", ENVS, [COMPAT])
    try:
        kind, payload = fm.spec()
        assert kind == FAIL and b"ModuleNotFoundError" in payload
    finally:
        fm.close()


def test_sys_path_holds_only_the_stdlib_source_and_dependencies():
    fm = probe()
    try:
        fm.spec()
        kind, res = fm.reset()
        info = res.info
        extra = [p for p in info["path"] if not p.startswith("/usr/lib/python3.11")
                 and not p.startswith("/usr/lib/python311")]
        assert extra == [ENVS, COMPAT]
        assert info["found"] == {"pytest": False, "msgpack": False,
                                 "gymwarden": False, "numpy": True}
        assert "gymwarden" not in info["modules"]
    finally:
        fm.close()


def test_prints_go_to_stdout_and_leave_the_protocol_alone():
    fm = probe()
    try:
        fm.spec()
        fm.reset()
        kind, res = fm.step(struct.pack("<q", 0))
        assert kind == RESULT and res.terminated_tag == 1 and res.reward == 0.5
        kind, (phase, text) = fm.step(struct.pack("<q", 1))
        assert kind == FAIL and "KeyError" in text
    finally:
        code = fm.close()
    assert code == 0, fm.stderr.decode("utf-8", "replace")
    assert fm.stdout.count(b"hello from the env") == 2


# --- info as bounded MessagePack ---------------------------------------------


def encode(obj, cap=1 << 20):
    from gymwarden import _native

    return _native.Worker.encode(obj, cap)


def decode(data: bytes):
    return msgpack.unpackb(data, raw=False, strict_map_key=False,
                           unicode_errors="surrogatepass")


def marker(value) -> str:
    tag, name = bin_tag(value)
    assert tag == 2
    return name.decode()


def test_plain_data_round_trips():
    info = {"a": 1, "b": -2.5, "c": "x", "d": None, "e": True, "f": [1, [2]],
            "g": {"h": (3, 4)}, "big": 2**64 - 1, "neg": -(2**63)}
    out = decode(encode(info))
    assert out == {**info, "g": {"h": [3, 4]}}


def test_bytes_and_arrays_are_tagged_bins():
    arr = np.arange(6, dtype=np.uint16).reshape(2, 3)
    out = decode(encode({"raw": b"\x01\x02", "arr": arr, "f": np.float32(0.5),
                         "i": np.int8(-3), "t": np.bool_(True)}))
    assert bin_tag(out["raw"]) == (0, b"\x01\x02")
    tag, body = bin_tag(out["arr"])
    assert tag == 1 and body[0] == 7 and body[1] == 2
    assert struct.unpack_from("<2Q", body, 2) == (2, 3)
    assert np.frombuffer(body[18:], np.uint16).tolist() == list(range(6))
    assert (out["f"], out["i"], out["t"]) == (0.5, -3, True)


def test_objects_are_named_never_touched(tmp_path):
    class Tripwire:
        def __reduce__(self):
            raise AssertionError("pickled")

        def __repr__(self):
            raise AssertionError("repr")

        __str__ = __repr__

    out = decode(encode({"payload": Tripwire(), "fn": len}))
    assert marker(out["payload"]) == "Tripwire"
    assert marker(out["fn"]) == "builtin_function_or_method"


def test_keys_the_monitor_must_refuse_are_sent_as_they_are():
    raw = encode({"player": {"ok": 1, "\ud800bad": 2}, 7: "int key", b"k": 1})
    assert b"\xed\xa0\x80bad" in raw  # surrogatepass bytes
    with pytest.raises(Exception):
        decode(raw.replace(b"\xed\xa0\x80", b"\xff\xfe\xfd"))  # still not UTF-8
    out = msgpack.unpackb(raw, raw=True, strict_map_key=False)
    # A bytes key is a bin like any bytes: tag 0, then the bytes.
    assert out[7] == b"int key" and out[b"\x00k"] == 1


def test_values_over_a_limit_become_markers_at_their_place():
    out = decode(encode({"t": 1, "blob": bytes(2 << 20), "text": "x" * (2 << 20)}))
    assert out["t"] == 1
    assert "bytes of 2097152 bytes" in marker(out["blob"])
    assert "str of 2097152 bytes" in marker(out["text"])
    out = decode(encode({"many": list(range(70000))}))
    assert "70000 items" in marker(out["many"])


def test_nesting_deeper_than_the_limit_stops_at_the_limit():
    node = {}
    for level in range(10000):
        node = {"down": node} if level % 2 else [node]
    out = decode(encode({"deep": node}))
    depth, cur = 1, out["deep"]
    while not isinstance(cur, bytes):
        cur = cur["down"] if isinstance(cur, dict) else cur[0]
        depth += 1
    assert depth == 32 and "nested deeper than 32" in marker(cur)


def test_a_document_over_the_total_is_one_marker():
    info = {f"k{i}": "y" * 60000 for i in range(40)}
    assert "over the 1048576-byte info limit" in marker(decode(encode(info)))
    small = decode(encode({"a": "b" * 100}, cap=64))
    assert "dict over" in marker(small)
