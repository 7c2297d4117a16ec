"""Other processes through /proc and the environment.

The worker's environment is fixed by the launcher, and the pid namespace
with its own /proc shows only the sandbox's processes: the trainer, pid 1
of the host and the tests' decoy are not there to be read.
"""

from __future__ import annotations

import ctypes
import os

from escape_envs.base import (
    BAIT_ENV_VAR,
    EscapeEnv,
    loot,
    read_all,
    say,
    syscall,
    tokens,
    won,
)

NR_PROCESS_VM_READV = 310


def pids() -> list[int]:
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())


def comm(pid: int) -> str:
    try:
        return read_all(f"/proc/{pid}/comm").decode(errors="replace").strip()
    except OSError:
        return "?"


def trainer_pids() -> list[int]:
    """The parent, and any process that looks like a gymwarden trainer."""
    found = [os.getppid()]
    for pid in pids():
        if pid != os.getpid() and comm(pid) in ("gymwarden", "gymwarden-jail"):
            found.append(pid)
    return sorted(set(found))


class EnvVarsEnv(EscapeEnv):
    """Looks for the trainer's secret in its own environment."""

    NAME = "env-vars"

    def attempt(self):
        blob = "\n".join(f"{k}={v}" for k, v in os.environ.items())
        loot(self.NAME, "os.environ", blob.encode())
        say(self.NAME, f"variables: {sorted(os.environ)}")
        say(self.NAME, f"the secret: {os.environ[BAIT_ENV_VAR]}")
        won(self.NAME, "the trainer's variable")


class ParentEnvironEnv(EscapeEnv):
    """Reads /proc/PID/environ of its parent and of anything named
    gymwarden: the trainer's variables."""

    NAME = "parent-environ"

    def attempt(self):
        found = []
        for pid in trainer_pids():
            path = f"/proc/{pid}/environ"
            try:
                found += loot(self.NAME, f"{path} ({comm(pid)})", read_all(path))
            except OSError as e:
                say(self.NAME, f"{path}: {type(e).__name__}: {e}")
        if not found:
            raise LookupError(f"no {BAIT_ENV_VAR} in {trainer_pids()}")
        return f"found {found}"


class Proc1EnvironEnv(EscapeEnv):
    """Reads /proc/1/environ: the environment of the host's init."""

    NAME = "proc1-environ"

    def attempt(self):
        say(self.NAME, f"pid 1 is {comm(1)!r}")
        data = read_all("/proc/1/environ")
        loot(self.NAME, "/proc/1/environ", data)
        if not data:
            raise LookupError("/proc/1/environ is empty")
        return f"{len(data)} bytes of pid 1's environment"


class ProcOthersEnv(EscapeEnv):
    """Scans every /proc/PID/{cmdline,environ} for bait; the tests run a
    decoy process holding a token in both."""

    NAME = "proc-others"

    def attempt(self):
        seen = pids()
        say(self.NAME, f"pids visible: {seen[:40]} ({len(seen)})")
        found = []
        for pid in seen:
            for part in ("cmdline", "environ"):
                try:
                    data = read_all(f"/proc/{pid}/{part}")
                except OSError:
                    continue
                if tokens(data):
                    found += loot(self.NAME, f"/proc/{pid}/{part}", data)
        if not found:
            raise LookupError(f"no bait in /proc of {len(seen)} processes")
        return f"found {found}"


def stack_of(pid: int) -> tuple[int, int]:
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            if line.rstrip().endswith("[stack]"):
                lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
                return lo, hi
    raise LookupError(f"no [stack] in /proc/{pid}/maps")


class ParentMemEnv(EscapeEnv):
    """Reads the trainer's stack through /proc/PPID/mem, where its
    environment strings live."""

    NAME = "parent-mem"

    def attempt(self):
        pid = os.getppid()
        say(self.NAME, f"parent {pid} is {comm(pid)!r}")
        lo, hi = stack_of(pid)
        with open(f"/proc/{pid}/mem", "rb") as mem:
            mem.seek(lo)
            data = mem.read(hi - lo)
        if not loot(self.NAME, f"stack of {pid}", data):
            raise LookupError(f"read {len(data)} bytes of {pid}, no bait")
        return "the trainer's memory"


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class ProcessVmEnv(EscapeEnv):
    """process_vm_readv on the parent's stack, which needs no open of
    /proc/PID/mem at all."""

    NAME = "process-vm"

    def attempt(self):
        pid = os.getppid()
        try:
            lo, hi = stack_of(pid)
        except (OSError, LookupError) as e:
            say(self.NAME, f"maps of {pid}: {type(e).__name__}; guessing")
            lo, hi = 0x7FFFFFFDE000, 0x7FFFFFFFF000
        buf = ctypes.create_string_buffer(hi - lo)
        local = IoVec(ctypes.cast(buf, ctypes.c_void_p), hi - lo)
        remote = IoVec(lo, hi - lo)
        n = syscall(
            "process_vm_readv",
            NR_PROCESS_VM_READV,
            pid,
            ctypes.addressof(local),
            1,
            ctypes.addressof(remote),
            1,
            0,
        )
        loot(self.NAME, f"{n} bytes of {pid}", buf.raw[:n])
        return f"{n} bytes of the parent"
