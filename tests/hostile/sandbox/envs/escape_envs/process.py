"""Programs, other processes, signals and terminals.

Only the interpreter may be executed (Landlock, and execve is not in the
seccomp allowlist once the worker runs); ptrace is forbidden; the pid
namespace leaves nothing but the sandbox to signal; the new session has
no controlling terminal and TIOCSTI is never allowed.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import stat
import subprocess
import termios
import time

from escape_envs.base import (
    BAIT_DIR,
    EscapeEnv,
    loot,
    say,
    syscall,
    try_each,
    won,
)
from escape_envs.procfs import comm, trainer_pids

NR_PTRACE = 101
NR_MEMFD_CREATE = 319
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
SUID_ID = f"{BAIT_DIR}/suid/gwbait-id"


def _shell_line() -> str:
    # What the shell prints when it runs: the tests look for
    # GWSHELL-RAN-42, which appears nowhere in this source.
    return "echo GWSHELL-RAN-$((6*7)); id"


class ExecShellEnv(EscapeEnv):
    """Runs /bin/sh -c through subprocess (fork and exec)."""

    NAME = "exec-shell"

    def attempt(self):
        out = subprocess.run(
            ["/bin/sh", "-c", _shell_line()],
            capture_output=True,
            timeout=5,
        )
        say(self.NAME, f"shell said {out.stdout!r}")
        won(self.NAME, "ran a shell")


class ExecShellDirectEnv(EscapeEnv):
    """Replaces the worker itself with /bin/sh (execve, no fork)."""

    NAME = "exec-shell-direct"

    def attempt(self):
        os.execv("/bin/sh", ["sh", "-c", _shell_line()])


class SetuidEnv(EscapeEnv):
    """Runs a setuid-root copy of id(1) that the tests planted in one of
    its dependency paths (so it is inside the sandbox's root)."""

    NAME = "setuid"

    def attempt(self):
        st = os.stat(SUID_ID)
        say(self.NAME, f"{SUID_ID} mode {stat.filemode(st.st_mode)} uid {st.st_uid}")
        out = subprocess.run([SUID_ID], capture_output=True, timeout=5)
        text = out.stdout.decode(errors="replace").strip()
        say(self.NAME, f"id says {text!r}")
        if "euid=0" in text or (os.getuid() != 0 and text.startswith("uid=0")):
            won(self.NAME, "root through a setuid binary")
        return f"id says {text!r}"


class PtraceParentEnv(EscapeEnv):
    """PTRACE_ATTACH to its parent and to anything named gymwarden, and
    holds a tracee stopped for a second (the tests watch the trainer's
    TracerPid)."""

    NAME = "ptrace-parent"

    def attempt(self):
        attached = []
        errors = []
        for pid in trainer_pids():
            try:
                syscall("ptrace", NR_PTRACE, PTRACE_ATTACH, pid, 0, 0)
                attached.append(pid)
            except OSError as e:
                say(self.NAME, f"attach {pid} ({comm(pid)}): {e}")
                errors.append(e)
        if attached:
            won(self.NAME, f"attached to {attached}")
            time.sleep(1.0)
            for pid in attached:
                try:
                    syscall("ptrace", NR_PTRACE, PTRACE_DETACH, pid, 0, 0)
                except OSError:
                    pass
            return f"attached to {attached}"
        raise errors[0]


class SignalParentEnv(EscapeEnv):
    """Sends SIGSTOP, SIGTERM and SIGKILL to its parent and to anything
    named gymwarden."""

    NAME = "signal-parent"

    def attempt(self):
        targets = trainer_pids()
        say(self.NAME, f"targets {[(p, comm(p)) for p in targets]}")
        for sig in (signal.SIGSTOP, signal.SIGTERM, signal.SIGKILL):
            for pid in targets:
                os.kill(pid, sig)
        time.sleep(0.2)
        return f"signalled {targets}; still here"


class KillAllEnv(EscapeEnv):
    """kill(-1, SIGURG): every process it may signal. A real attack would
    send SIGKILL; SIGURG is ignored by default, so that a run without a
    sandbox (as root!) harms nothing, and the tests' decoy catches it and
    leaves a marker outside."""

    NAME = "kill-all"

    def attempt(self):
        os.kill(-1, signal.SIGURG)
        time.sleep(0.2)
        return "kill(-1, SIGURG) went out"


TIOCSTI = termios.TIOCSTI


def inject(fd: int, text: str) -> None:
    for ch in text.encode():
        fcntl.ioctl(fd, TIOCSTI, bytes([ch]))


class TiocstiEnv(EscapeEnv):
    """Pushes a line into a terminal's input with TIOCSTI: on its own
    fds 0-2, on /dev/tty, on the trainer's fds 0-2 through /proc and on
    every /dev/pts. The line the tests look for is assembled here."""

    NAME = "tiocsti"

    def attempt(self):
        line = "GWINJ" + "ECT-" + str(6 * 7) + "\n"
        errors = try_each(
            self.NAME, "TIOCSTI on fd", lambda fd: inject(fd, line), [0, 1, 2]
        )
        paths = ["/dev/tty"]
        paths += [f"/proc/{p}/fd/{n}" for p in trainer_pids() for n in (0, 1, 2)]
        try:
            paths += [f"/dev/pts/{n}" for n in os.listdir("/dev/pts") if n.isdigit()]
        except OSError as e:
            say(self.NAME, f"/dev/pts: {type(e).__name__}")

        def via(path):
            fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
            try:
                inject(fd, line)
                won(self.NAME, f"injected through {path}")
            finally:
                os.close(fd)

        errors += try_each(self.NAME, "TIOCSTI via", via, paths)
        if len(errors) == 3 + len(paths):
            raise errors[0]
        return "some injection went through"


def _payload_bytes() -> bytes:
    with open("/bin/sh", "rb") as f:
        return f.read()


class MemfdExecEnv(EscapeEnv):
    """Drops a payload (a copy of /bin/sh, read from the sandbox's own
    /usr) into a memfd and runs it with fexecve, in a child."""

    NAME = "memfd-exec"

    def attempt(self):
        fd = syscall("memfd_create", NR_MEMFD_CREATE, ctypes.c_char_p(b"payload"), 0)
        os.write(fd, _payload_bytes())
        say(self.NAME, f"payload in memfd {fd}")
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.dup2(w, 1)
                os.execve(fd, ["sh", "-c", _shell_line()], {"PATH": "/usr/bin"})
            except OSError as e:
                os.write(1, f"exec failed: {type(e).__name__}: {e}".encode())
            finally:
                os._exit(99)
        os.close(w)
        out = os.read(r, 4096)
        _, status = os.waitpid(pid, 0)
        say(self.NAME, f"child said {out!r}, status {status:#x}")
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 99:
            raise PermissionError(f"fexecve of the memfd failed: {out.decode()}")
        return "the memfd payload ran"


class InheritedFdEnv(EscapeEnv):
    """Looks through fds 4-64 (3 is its channel) for anything the trainer
    left open: a file to read, a folder to open files relative to."""

    NAME = "inherited-fd"

    def attempt(self):
        found = []
        seen = []
        for fd in range(4, 65):
            try:
                st = os.fstat(fd)
            except OSError:
                continue
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                target = "?"
            seen.append(f"{fd}:{stat.filemode(st.st_mode)}:{target}")
            try:
                if stat.S_ISREG(st.st_mode):
                    found += loot(self.NAME, f"fd {fd}", os.pread(fd, 1 << 16, 0))
                elif stat.S_ISDIR(st.st_mode):
                    say(self.NAME, f"fd {fd} lists {os.listdir(fd)[:20]}")
                    sfd = os.open("secret.txt", os.O_RDONLY, dir_fd=fd)
                    data = os.read(sfd, 4096)
                    found += loot(self.NAME, f"secret.txt under fd {fd}", data)
            except OSError as e:
                say(self.NAME, f"fd {fd}: {type(e).__name__}: {e}")
        say(self.NAME, f"open fds above the channel: {seen}")
        if not found:
            raise LookupError(f"nothing inherited beyond the channel: {seen}")
        return f"found {found}"
