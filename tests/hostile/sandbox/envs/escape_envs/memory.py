"""Two instances at once: one leaves a secret where the other might find
it, the other looks for it and scribbles on whatever it can reach.

Each worker has its own mount namespace (a private /tmp, no /dev/shm of
the host's), its own pid namespace (the other worker's /proc/PID/fd is
not there) and its own memfd region from the monitor, never shared.
"""

from __future__ import annotations

import ctypes
import glob
import os
import secrets
import stat

from escape_envs.base import EscapeEnv, say, syscall, won
from escape_envs.procfs import pids

NR_MEMFD_CREATE = 319
MARK = b"GWCROSS-"
TAMPER = b"GWTAMPER"


class CrossWriterEnv(EscapeEnv):
    """At reset, puts a fresh secret in /dev/shm, in /tmp and in a memfd
    of its own, and hands it to the trainer in info["secret"]; every
    step then checks that its memfd still holds it."""

    NAME = "cross-writer"

    def run_attempt(self) -> None:
        if self.attempted:
            return
        self.attempted = True
        self.secret = MARK + secrets.token_hex(16).encode()
        for path in ("/dev/shm/gwbait-cross", "/tmp/gwbait-cross"):
            try:
                with open(path, "wb") as f:
                    f.write(self.secret)
            except OSError as e:
                say(self.NAME, f"{path}: {type(e).__name__}")
        self.fd = None
        try:
            self.fd = syscall(
                "memfd_create", NR_MEMFD_CREATE, ctypes.c_char_p(b"gwbait-cross"), 0
            )
            os.write(self.fd, self.secret)
        except OSError as e:
            say(self.NAME, f"memfd: {e}")
        say(self.NAME, f"secret={self.secret.decode()} pid={os.getpid()}")

    def reset(self, *, seed=None, options=None):
        obs, info = super().reset(seed=seed, options=options)
        return obs, {"t": 0, "secret": self.secret.decode()}

    def step(self, action):
        if self.fd is not None:
            if os.pread(self.fd, len(self.secret), 0) != self.secret:
                raise RuntimeError("cross-writer: my memfd was tampered with")
        return super().step(action)


class CrossReaderEnv(EscapeEnv):
    """Looks for the writer's secret in /dev/shm, /tmp and every fd of
    every visible process, and writes over every other process's
    gymwarden region and memfd it can open."""

    NAME = "cross-reader"

    def attempt(self):
        found = []
        for path in glob.glob("/dev/shm/*") + glob.glob("/tmp/*"):
            try:
                if not stat.S_ISREG(os.stat(path).st_mode):
                    continue  # a FIFO would block the open
                with open(path, "rb") as f:
                    data = f.read(4096)
            except OSError:
                continue
            if MARK in data:
                found.append(f"{path}={data[:64].decode(errors='replace')}")
        tampered = []
        me = os.getpid()
        for pid in pids():
            if pid == me:
                continue
            for link in glob.glob(f"/proc/{pid}/fd/*"):
                try:
                    target = os.readlink(link)
                except OSError:
                    continue
                if not target.startswith("/memfd:"):
                    continue
                try:
                    fd = os.open(link, os.O_RDWR)
                except OSError as e:
                    say(self.NAME, f"{link} ({target}): {type(e).__name__}")
                    continue
                data = os.pread(fd, 4096, 0)
                if MARK in data:
                    found.append(f"{link}={data[:64].decode(errors='replace')}")
                os.pwrite(fd, TAMPER * 8, 0)
                tampered.append(f"{pid}:{target}")
                os.close(fd)
        say(self.NAME, f"found {found}, tampered {tampered}")
        if found or tampered:
            won(self.NAME, f"reached the other instance: {found} {tampered}")
            return f"reached the other instance: {found} {tampered}"
        raise LookupError("no other instance in sight")



