"""System calls that widen the kernel's attack surface or leave the
sandbox's namespaces: none is in the seccomp allowlist, so each is a
violation reported by name (with on_violation = "errno" the call fails
with an errno and the env goes on to say so).

Numbers are x86_64's; calls go through libc's syscall() so that no
wrapper of Python's or of libc's stands between the env and the kernel.
"""

from __future__ import annotations

import ctypes
import mmap
import os

from escape_envs.base import BAIT_DIR, EscapeEnv, libc, loot, say, syscall, won

NR_ADD_KEY, NR_KEYCTL = 248, 250
NR_BPF = 321
NR_USERFAULTFD = 323
NR_IO_URING_SETUP = 425
NR_PERF_EVENT_OPEN = 298
NR_UNSHARE = 272
NR_MOUNT = 165

KEY_SPEC_SESSION_KEYRING = -3
KEYCTL_SEARCH, KEYCTL_READ = 10, 11
BPF_MAP_CREATE, BPF_MAP_TYPE_ARRAY = 0, 2
UFFD_USER_MODE_ONLY = 1
PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK = 1, 0
PERF_FLAG_FD_CLOEXEC = 8
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x20000, 0x10000000, 0x40000000
MOUNT_TARGET = f"{BAIT_DIR}/mnt"


def buf_addr(buf: ctypes.Array) -> int:
    return ctypes.addressof(buf)


class KeyctlEnv(EscapeEnv):
    """Searches the session keyring (which the trainer's process shares
    unless the sandbox gives it a fresh one) for the key the tests
    planted, and reads it."""

    NAME = "keyctl"

    def attempt(self):
        key = syscall(
            "keyctl",
            NR_KEYCTL,
            KEYCTL_SEARCH,
            KEY_SPEC_SESSION_KEYRING,
            ctypes.c_char_p(b"user"),
            ctypes.c_char_p(b"gwbait"),
            0,
        )
        buf = ctypes.create_string_buffer(4096)
        n = syscall("keyctl", NR_KEYCTL, KEYCTL_READ, key, buf_addr(buf), 4096)
        loot(self.NAME, f"key {key}", buf.raw[: min(n, 4096)])
        return f"read key {key}"


class BpfEnv(EscapeEnv):
    """bpf(BPF_MAP_CREATE) for a one-entry array map."""

    NAME = "bpf"

    def attempt(self):
        attr = (ctypes.c_uint32 * 32)(BPF_MAP_TYPE_ARRAY, 4, 4, 1)
        fd = syscall("bpf", NR_BPF, BPF_MAP_CREATE, buf_addr(attr), 128)
        won(self.NAME, f"a bpf map, fd {fd}")


class UserfaultfdEnv(EscapeEnv):
    """userfaultfd(UFFD_USER_MODE_ONLY), the race-widening tool of many
    kernel exploits (unprivileged users may have it in this mode)."""

    NAME = "userfaultfd"

    def attempt(self):
        fd = syscall(
            "userfaultfd", NR_USERFAULTFD, os.O_CLOEXEC | UFFD_USER_MODE_ONLY
        )
        won(self.NAME, f"a userfaultfd, fd {fd}")


class IoUringEnv(EscapeEnv):
    """io_uring_setup: a ring whose operations seccomp never sees."""

    NAME = "io-uring"

    def attempt(self):
        params = (ctypes.c_uint8 * 120)()
        fd = syscall("io_uring_setup", NR_IO_URING_SETUP, 4, buf_addr(params))
        won(self.NAME, f"an io_uring, fd {fd}")


class PerfEventEnv(EscapeEnv):
    """perf_event_open of a software counter on itself, user space only
    (what perf_event_paranoid = 2 still allows)."""

    NAME = "perf-event"

    def attempt(self):
        attr = (ctypes.c_uint8 * 128)()
        ctypes.memmove(attr, PERF_TYPE_SOFTWARE.to_bytes(4, "little"), 4)
        ctypes.memmove(ctypes.byref(attr, 4), (128).to_bytes(4, "little"), 4)
        # flags at offset 40: disabled (bit 0), exclude_kernel (5), exclude_hv (6).
        flags = (1 << 0) | (1 << 5) | (1 << 6)
        ctypes.memmove(ctypes.byref(attr, 40), flags.to_bytes(8, "little"), 8)
        fd = syscall(
            "perf_event_open",
            NR_PERF_EVENT_OPEN,
            buf_addr(attr),
            0,
            -1,
            -1,
            PERF_FLAG_FD_CLOEXEC,
        )
        won(self.NAME, f"a perf event, fd {fd}")


class UnshareEnv(EscapeEnv):
    """unshare a new user and mount namespace (full capabilities in it),
    then mount a tmpfs there."""

    NAME = "unshare"

    def attempt(self):
        syscall("unshare", NR_UNSHARE, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET)
        say(self.NAME, "new user, mount and net namespaces")
        syscall(
            "mount",
            NR_MOUNT,
            ctypes.c_char_p(b"none"),
            ctypes.c_char_p(b"/tmp"),
            ctypes.c_char_p(b"tmpfs"),
            0,
            0,
        )
        won(self.NAME, "mounted in a nested namespace")


class MountEnv(EscapeEnv):
    """mount(2) a tmpfs over a host folder the tests watch."""

    NAME = "mount"

    def attempt(self):
        syscall(
            "mount",
            NR_MOUNT,
            ctypes.c_char_p(b"gwbait"),
            ctypes.c_char_p(MOUNT_TARGET.encode()),
            ctypes.c_char_p(b"tmpfs"),
            0,
            ctypes.c_char_p(b"size=1m"),
        )
        won(self.NAME, f"mounted a tmpfs on {MOUNT_TARGET}")


# mov eax, 20 (getpid in the i386 table); int 0x80; ret
INT80_GETPID = bytes.fromhex("b814000000" "cd80" "c3")
PROT_RW = mmap.PROT_READ | mmap.PROT_WRITE
PROT_RX = mmap.PROT_READ | mmap.PROT_EXEC


def executable_copy(code: bytes) -> int:
    """An executable page holding code: mmap RWX, else RW then mprotect
    RX. Raises OSError naming what refused."""
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
        ctypes.c_int, ctypes.c_long,
    ]
    flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
    failed = ctypes.c_void_p(-1).value
    addr = libc.mmap(None, 4096, PROT_RW | mmap.PROT_EXEC, flags, -1, 0)
    if addr != failed:
        ctypes.memmove(addr, code, len(code))
        return addr
    err = ctypes.get_errno()
    say("int80", f"mmap rwx: {os.strerror(err)}")
    addr = libc.mmap(None, 4096, PROT_RW, flags, -1, 0)
    if addr == failed:
        raise OSError(ctypes.get_errno(), "mmap rw failed")
    ctypes.memmove(addr, code, len(code))
    if libc.mprotect(ctypes.c_void_p(addr), 4096, PROT_RX) == 0:
        return addr
    err = ctypes.get_errno()
    raise OSError(err, f"mprotect rx: {os.strerror(err)}")


class Int80Env(EscapeEnv):
    """Makes an i386 system call with int 0x80 from 64-bit code: a
    filter that only knows x86_64 numbers would read them wrong. The
    code is a tiny machine-code blob in an executable page."""

    NAME = "int80"

    def attempt(self):
        addr = executable_copy(INT80_GETPID)
        say(self.NAME, f"code at {addr:#x}; calling int 0x80")
        r = ctypes.CFUNCTYPE(ctypes.c_long)(addr)()
        say(self.NAME, f"int 0x80 getpid returned {r} (pid {os.getpid()})")
        if r == os.getpid():
            won(self.NAME, "an i386 system call ran")
        return f"int 0x80 returned {r}"

