"""A small stand-in for the monitor's side of docs/protocol.md, written from
the document, to drive gymwarden's worker directly (no launcher, no sandbox).

It makes the sealed region and the control socket, spawns the worker with the
socket at fd 3, sends HELLO with the pinned layouts and reads SPEC, then
publishes requests and reads answers. Answers are parsed from the bytes:
the RESULT header, observation leaves and the info document (with
python3-msgpack, bin tags kept as (tag, bytes)).
"""

from __future__ import annotations

import fcntl
import mmap
import os
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import msgpack

MAGIC, VERSION = 0x5747, 1
HELLO, SPEC, RESET, STEP, CLOSE, RESULT, FAIL, DOORBELL = range(1, 9)
SHM_MAGIC = 0x474D4552
HEADER = struct.Struct("<HBBII")
F_ADD_SEALS, F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW = 1033, 1, 2, 4
ITEMSIZE = {
    "bool": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8, "uint8": 1,
    "uint16": 2, "uint32": 4, "uint64": 8, "float16": 2, "float32": 4,
    "float64": 8,
}
DTYPE_NAMES = [None, "bool", "int8", "int16", "int32", "int64", "uint8",
               "uint16", "uint32", "uint64", "float16", "float32", "float64"]
PYTHON = "/usr/bin/python3"


def round_up(n: int, m: int) -> int:
    return (n + m - 1) // m * m


def layout_nodes(desc: dict[str, Any], offset: int = 0,
                 key: str | None = None) -> list[dict[str, Any]]:
    """The HELLO node table of a space description, pre-order."""
    kind = desc["type"]
    node: dict[str, Any] = {"type": kind, "offset": offset}
    if key is not None:
        node["key"] = key
    if kind in ("Tuple", "Dict"):
        items = (list(desc["spaces"].items()) if kind == "Dict"
                 else [(None, s) for s in desc["spaces"]])
        out = [node]
        end = offset
        for k, child in items:
            sub = layout_nodes(child, round_up(end, 8), k)
            end = sub[0]["offset"] + sub[0]["size"]
            out += sub
        node["size"] = end - offset
        node["children"] = len(items)
        return out
    shape = list(desc.get("shape", []))
    nelem = 1
    for d in shape:
        nelem *= d
    if kind == "Box":
        node.update(dtype=desc["dtype"], size=nelem * ITEMSIZE[desc["dtype"]])
    elif kind == "Discrete":
        node.update(dtype="int64", size=8)
        shape, nelem = [], 1
    elif kind == "MultiDiscrete":
        node.update(dtype="int64", size=8 * nelem)
    elif kind == "MultiBinary":
        node.update(dtype="uint8", size=nelem)
    elif kind == "Text":
        nelem = desc["max_length"]
        node.update(dtype="utf8", size=4 + 4 * nelem, max_length=nelem)
        shape = []
    node["shape"] = shape
    node["nelem"] = nelem
    return [node]


@dataclass
class Leaf:
    kind: int
    dtype: str | None
    shape: tuple[int, ...]
    data: bytes


@dataclass
class Result:
    reward_tag: int
    reward: float
    terminated_tag: int
    truncated_tag: int
    leaves: list[Leaf] = field(default_factory=list)
    info: Any = None
    info_bytes: bytes = b""


def parse_leaves(buf: bytes) -> list[Leaf]:
    leaves, pos = [], 0
    while pos < len(buf):
        kind, code, ndim, reserved, n = struct.unpack_from("<BBBBI", buf, pos)
        assert reserved == 0
        shape = struct.unpack_from(f"<{ndim}Q", buf, pos + 8)
        start = pos + 8 + 8 * ndim
        leaves.append(Leaf(kind, DTYPE_NAMES[code] if code else None,
                           tuple(shape), bytes(buf[start:start + n])))
        pos = start + round_up(n, 8)
    assert pos == len(buf)
    return leaves


def unpack_info(data: bytes) -> Any:
    def ext(obj: Any) -> Any:
        return obj

    return msgpack.unpackb(data, raw=False, strict_map_key=False,
                           unicode_errors="surrogateescape", ext_hook=ext,
                           use_list=True)


def bin_tag(value: bytes) -> tuple[int, bytes]:
    return value[0], value[1:]


class FakeMonitor:
    def __init__(self, action: dict[str, Any], observation: dict[str, Any],
                 entry_point: str, source: str, paths: list[str] = (),
                 kwargs: dict[str, Any] | None = None, api: str = "gymnasium",
                 worker: str | None = None) -> None:
        self.act_nodes = layout_nodes(action)
        self.obs_nodes = layout_nodes(observation)
        self.act_bytes = self.act_nodes[0]["size"]
        self.seq = 0
        self.resp_seen = 0
        req_cap = round_up(12 + max(9 + 65536, self.act_bytes), 64)
        resp_cap = round_up(12 + 20 + 1024 * 1024 + 64 * 1024, 64)
        self.req_off = 192
        self.req_cap = req_cap
        self.resp_off = self.req_off + req_cap
        self.resp_cap = resp_cap
        self.size = round_up(self.resp_off + resp_cap, 4096)
        self._make_region()
        self.sock, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = self._spawn(child, worker, source, list(paths))
        child.close()
        self._hello(entry_point, kwargs or {}, api)

    # -- set-up --------------------------------------------------------

    def _make_region(self) -> None:
        fd = os.memfd_create("gw-test", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        os.ftruncate(fd, self.size)
        fcntl.fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)
        self.fd = fd
        self.mem = mmap.mmap(fd, self.size)
        struct.pack_into("<IIQIIII", self.mem, 0, SHM_MAGIC, 1, self.size,
                         self.req_off, self.req_cap, self.resp_off, self.resp_cap)

    def _spawn(self, child: socket.socket, worker: str | None, source: str,
               paths: list[str]) -> subprocess.Popen:
        if worker is None:
            build = os.environ.get("GYMWARDEN_BUILD", "build")
            worker = os.path.join(build, "python", "gymwarden", "worker.py")
        argv = [PYTHON, "-I", "-S", "-B", os.path.abspath(worker), "--source", source]
        for p in paths:
            argv += ["--path", p]
        argv += ["--package", os.path.dirname(os.path.dirname(worker))]
        cfd = child.fileno()

        def at_fd3() -> None:
            os.dup2(cfd, 3)

        return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                pass_fds=(cfd, 3), preexec_fn=at_fd3, env={})

    def _hello(self, entry_point: str, kwargs: dict[str, Any], api: str) -> None:
        doc = msgpack.packb({
            "entry_point": entry_point, "kwargs": kwargs, "api": api,
            "action_layout": self.act_nodes, "obs_layout": self.obs_nodes,
        })
        layout = struct.pack("<5I", self.size, self.req_off, self.req_cap,
                             self.resp_off, self.resp_cap)
        payload = layout + doc
        frame = HEADER.pack(MAGIC, VERSION, HELLO, 0, len(payload)) + payload
        socket.send_fds(self.sock, [frame], [self.fd])

    def recv_socket(self, timeout: float = 10.0) -> tuple[int, int, bytes]:
        self.sock.settimeout(timeout)
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("worker hung up")
        magic, version, kind, seq, n = HEADER.unpack_from(data)
        assert (magic, version) == (MAGIC, VERSION)
        assert len(data) == 12 + n
        return kind, seq, data[12:]

    def spec(self) -> tuple[int, Any]:
        kind, seq, payload = self.recv_socket()
        assert seq == 0
        if kind == SPEC:
            return kind, msgpack.unpackb(payload, raw=False)
        return kind, payload

    # -- requests ------------------------------------------------------

    def _publish(self, kind: int, payload: bytes) -> None:
        self.seq += 1
        frame = HEADER.pack(MAGIC, VERSION, kind, self.seq, len(payload)) + payload
        self.mem[self.req_off:self.req_off + len(frame)] = frame
        # Not struct.pack_into: it zero-fills the target before writing, so
        # a worker reading the word at that moment would see 0.
        self.mem[64:72] = struct.pack("<Q", self.seq)
        # Always ring: a stray doorbell only makes the worker re-read.
        self.sock.send(HEADER.pack(MAGIC, VERSION, DOORBELL, 0, 0))

    def _answer(self, timeout: float = 10.0) -> tuple[int, bytes]:
        deadline = time.monotonic() + timeout
        while True:
            (word,) = struct.unpack_from("<Q", self.mem, 128)
            if word != self.resp_seen:
                break
            if self.proc.poll() is not None:
                raise EOFError(f"worker exited with {self.proc.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError("no answer")
            time.sleep(0.0002)
        self.resp_seen = word
        assert word == self.seq
        head = bytes(self.mem[self.resp_off:self.resp_off + 12])
        magic, version, kind, seq, n = HEADER.unpack(head)
        assert (magic, version, seq) == (MAGIC, VERSION, self.seq & 0xFFFFFFFF)
        start = self.resp_off + 12
        return kind, bytes(self.mem[start:start + n])

    def request(self, kind: int, payload: bytes = b"") -> tuple[int, Any]:
        self._publish(kind, payload)
        kind, body = self._answer()
        if kind == RESULT and body:
            return kind, self.parse_result(body)
        if kind == FAIL:
            return kind, (body[0], body[1:].decode("utf-8", "replace"))
        return kind, body

    def reset(self, seed: int | None = None, options: Any = None) -> tuple[int, Any]:
        payload = struct.pack("<BQ", seed is not None, seed or 0)
        if options is not None:
            payload += msgpack.packb(options)
        return self.request(RESET, payload)

    def step(self, packed: bytes) -> tuple[int, Any]:
        assert len(packed) == self.act_bytes
        return self.request(STEP, packed)

    def close(self, timeout: float = 10.0) -> int:
        if self.sock.fileno() < 0:
            return self.proc.returncode
        try:
            if self.proc.poll() is None:
                # The worker may be exiting right now (after a FAIL): a
                # hang-up while we ask it to close is not an error.
                try:
                    self._publish(CLOSE, b"")
                    self._answer(timeout)
                except (EOFError, TimeoutError, BrokenPipeError,
                        ConnectionResetError):
                    pass
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.sock.close()
            self.mem.close()
            os.close(self.fd)
            # The worker is gone: what it printed can be read to the end.
            self.stdout = self.proc.stdout.read()
            self.stderr = self.proc.stderr.read()
            self.proc.stdout.close()
            self.proc.stderr.close()

    @staticmethod
    def parse_result(body: bytes) -> Result:
        rtag, reward, term, trunc, reserved, obs_n = struct.unpack_from(
            "<BdBBBI", body, 0)
        assert reserved == 0
        leaves = parse_leaves(body[16:16 + obs_n])
        (info_n,) = struct.unpack_from("<I", body, 16 + obs_n)
        info_bytes = body[20 + obs_n:20 + obs_n + info_n]
        assert len(body) == 20 + obs_n + info_n
        return Result(rtag, reward, term, trunc, leaves, unpack_info(info_bytes),
                      info_bytes)


if __name__ == "__main__":
    sys.exit("a test helper, not a program")
