"""An environment that rewrites shared memory after it has answered.

At step 3 ScribblerEnv finds every writable shared mapping of the process
in /proc/self/maps (gymwarden's memfd region shows as /memfd:gymwarden...),
notes the response seq at offset 128 of the region (docs/protocol.md),
returns a correct observation and leaves a thread behind. The thread
waits until the worker has published this step's result (the seq
changes), waits a little longer so the monitor has surely copied it, and
then overwrites
every such mapping, again and again for a while, with zeros (a value
inside the pinned bounds) and 0xff bytes (NaN). The trainer's copy of the
third observation must stay what was validated.
"""

from __future__ import annotations

import ctypes
import threading
import time

from hostile_envs.base import CalmEnv

RESP_SEQ_OFFSET = 128
PUBLISH_WAIT_S = 2.0
SETTLE_S = 0.05
SCRIBBLE_S = 0.4


def shared_writable_mappings() -> list[tuple[int, int, str]]:
    """(address, size, name) of each mapping that is both rw and shared."""
    found = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            perms = fields[1]
            if perms[1] != "w" or perms[3] != "s":
                continue
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            name = fields[5].strip() if len(fields) > 5 else ""
            found.append((lo, hi - lo, name))
    return found


class Scribbler:
    """Finds the mappings and the response seq now, while the worker cannot
    yet have published this step's result; run() then does the rest."""

    def __init__(self) -> None:
        self.maps = shared_writable_mappings()
        region = next((m for m in self.maps if "memfd:gymwarden" in m[2]), None)
        self.seq = None
        if region is not None and region[1] >= RESP_SEQ_OFFSET + 8:
            self.seq = ctypes.c_uint64.from_address(region[0] + RESP_SEQ_OFFSET)
        self.seq_before = self.seq.value if self.seq is not None else 0
        self.writes = 0

    def wait_for_publish(self) -> None:
        deadline = time.monotonic() + PUBLISH_WAIT_S
        while self.seq is not None and self.seq.value == self.seq_before:
            if time.monotonic() > deadline:
                break
            time.sleep(0.0005)
        time.sleep(SETTLE_S)

    def run(self) -> None:
        """Overwrite every shared writable mapping for SCRIBBLE_S."""
        self.wait_for_publish()
        deadline = time.monotonic() + SCRIBBLE_S
        while time.monotonic() < deadline:
            for addr, size, _ in self.maps:
                ctypes.memset(addr, 0x00 if self.writes % 2 == 0 else 0xFF, size)
                self.writes += 1
            time.sleep(0.001)


class ScribblerEnv(CalmEnv):
    """Answers step 3 correctly, then scribbles on shared memory."""

    def misbehave(self, obs, reward, terminated, truncated, info) -> tuple:
        # Read the seq here, in step(): the thread may not get to run before
        # the worker has already published this result.
        scribbler = Scribbler()
        threading.Thread(target=scribbler.run, name="scribbler", daemon=True).start()
        return obs, reward, terminated, truncated, info
