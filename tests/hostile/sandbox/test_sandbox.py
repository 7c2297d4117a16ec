"""The sandbox battery: every environment in envs/escape_envs tries one
way out, through `gymwarden run MANIFEST --env ID --episodes 1 --format
json`, once as root and once as nobody (setpriv), and each test checks
three things:

(a) the technique failed, proven outside the sandbox: the bait the test
    planted (a token in files, the trainer's HOME, its environment, its
    session keyring, a decoy process, an inherited fd) never appears in
    the run's output, the listeners on 127.0.0.1 and the unix sockets
    saw no connection, no host file appeared or changed, nothing was
    mounted, the trainer was never traced, the decoy never signalled;
(b) the trainer is alive: `gymwarden run` exited 0 or 1, not by a
    signal, a control environment runs clean afterwards, and no process
    of the run is left (the double-fork survivor and the fork bomb's
    children included);
(c) the attempt was reported with the right kind ("sandbox" with the
    system call, "raised" with the errno name, "limit", "timeout").

The tests need root (they plant bait under /srv, /home and the session
keyring, and listen on port 53) and skip otherwise. README.md has the
table of techniques and expected kinds.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import fcntl
import hashlib
import json
import os
import pathlib
import pty
import re
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
from typing import Iterator

import pytest

HERE = pathlib.Path(__file__).resolve().parent
MANIFEST = HERE / "gymwarden.toml"
SOURCE = HERE / "envs" / "escape_envs"
BUILD = pathlib.Path(os.environ.get("GYMWARDEN_BUILD", "/work/main/build"))
GYMWARDEN = BUILD / "src" / "cli" / "gymwarden"
PYTHON = "/usr/bin/python3"

NOBODY = 65534
USERS = {
    "root": (0, []),
    "nobody": (
        NOBODY,
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"],
    ),
}

# Where the bait goes; envs/escape_envs/base.py and network.py name the
# same places.
BAIT_DIR = pathlib.Path("/srv/gwbait")
BAIT_HOME = pathlib.Path("/home/gwbait")
HOST_TMP_SECRET = pathlib.Path("/tmp/gwbait-host-secret")
BAIT_ENV_VAR = "GW_BAIT_SECRET"
TCP_PORT, UDP_PORT, DNS_PORT = 47101, 47102, 53
ABSTRACT_NAME = b"\0gwbait-host-service"
SOCKET_PATH = BAIT_DIR / "sock" / "host.sock"
MOUNT_TARGET = BAIT_DIR / "mnt"
SUID_ID = BAIT_DIR / "suid" / "gwbait-id"

# Strings only a technique that worked prints (each is assembled at run
# time inside the environment, so no traceback quoting its source holds
# it).
WON = ("ESC" + "APED", "GWSHELL-RAN-42", "GWINJ" + "ECT-42")
# What every environment's processes carry in their command line.
WORKER_MARK = str(HERE / "envs")
RUN_TIMEOUT_S = 60
LOCK_PATH = "/run/lock/gymwarden-sandbox-battery.lock"
LOCK_WAIT_S = 900
LEFTOVER_GRACE_S = 3.0

KEYCTL_JOIN_SESSION_KEYRING = 1
KEY_SPEC_SESSION_KEYRING = -3


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "the battery plants bait as root (under /srv, /home, port 53)"
    if not GYMWARDEN.exists():
        return f"{GYMWARDEN} is not built (set GYMWARDEN_BUILD)"
    if shutil.which("setpriv") is None:
        return "setpriv (util-linux) is missing"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))


# --- what each technique must produce ------------------------------------


@dataclasses.dataclass(frozen=True)
class Kind:
    """One acceptable report: a violation of this kind whose fields match."""

    kind: str
    syscall: str | None = None  # regex on "syscall" (kind "sandbox")
    action: str | None = None  # "errno" or "kill" (kind "sandbox")
    limit: str | None = None  # kind "limit"
    detail: str | None = None  # regex on "detail"

    def matches(self, v: dict) -> bool:
        if v.get("kind") != self.kind:
            return False
        if self.syscall and not re.fullmatch(self.syscall, str(v.get("syscall"))):
            return False
        if self.action and v.get("action") != self.action:
            return False
        if self.limit and v.get("limit") != self.limit:
            return False
        detail = str(v.get("detail", ""))
        return not self.detail or re.search(self.detail, detail, re.I) is not None

    def __str__(self) -> str:
        parts = [self.kind]
        for name in ("syscall", "action", "limit", "detail"):
            if getattr(self, name):
                parts.append(f"{name}~{getattr(self, name)}")
        return " ".join(parts)


HIDDEN = r"FileNotFoundError|PermissionError|Errno (2|13)\b"
READ_ONLY = HIDDEN + r"|Read-only file system|Errno 30\b"


def sandbox(syscall: str, detail: str | None = None, action: str = "errno") -> Kind:
    return Kind("sandbox", syscall=syscall, action=action, detail=detail)


def raised(detail: str) -> Kind:
    return Kind("raised", detail=detail)


@dataclasses.dataclass(frozen=True)
class Case:
    env_id: str
    technique: str
    expect: tuple[Kind, ...]  # any one of them, at least once
    ends_run: bool = False  # the worker is killed (no clean end)


CASES = [
    Case("ReadSsh-v0", "read the trainer's ~/.ssh/id_rsa", (raised(HIDDEN),)),
    Case("ReadShadow-v0", "read /etc/shadow", (raised(HIDDEN),)),
    Case("ReadHostTmp-v0", "read a secret in the host's /tmp", (raised(HIDDEN),)),
    Case("WriteOutside-v0", "write a host folder, ~/.bashrc", (raised(READ_ONLY),)),
    Case("WriteSource-v0", "write into its own source tree", (raised(READ_ONLY),)),
    Case("FillTmp-v0", "fill /tmp", (raised(r"No space left|Errno 28\b"),)),
    Case(
        "FileSize-v0",
        "write past file_size",
        # CPython ignores SIGXFSZ: the write fails, the worker lives.
        (raised(r"File too large|Errno 27\b"), Kind("limit", limit="file-size")),
    ),
    Case(
        "OpenByHandle-v0",
        "open_by_handle_at of the host's root",
        (sandbox("open_by_handle_at"),),
    ),
    Case("Chroot-v0", "chroot break-out", (sandbox("chroot"),)),
    Case("EnvVars-v0", "the trainer's variables", (raised(r"KeyError"),)),
    Case(
        "ParentEnviron-v0",
        "/proc/PPID/environ",
        (raised(r"LookupError|" + HIDDEN),),
    ),
    Case(
        "Proc1Environ-v0",
        "/proc/1/environ",
        (raised(r"LookupError|" + HIDDEN),),
    ),
    Case(
        "ProcOthers-v0",
        "other processes' /proc entries",
        (raised(r"LookupError"),),
    ),
    Case(
        "ParentMem-v0",
        "/proc/PPID/mem",
        (raised(r"LookupError|" + HIDDEN),),
    ),
    Case(
        "ProcessVm-v0",
        "process_vm_readv of the parent",
        (sandbox("process_vm_readv"),),
    ),
    Case("ExecShell-v0", "fork and exec /bin/sh", (sandbox("execve"),)),
    Case("ExecShellDirect-v0", "execve /bin/sh in place", (sandbox("execve"),)),
    Case("Setuid-v0", "a setuid-root binary", (sandbox("execve"),)),
    Case("PtraceParent-v0", "ptrace the parent", (sandbox("ptrace"),)),
    Case(
        "SignalParent-v0",
        "SIGSTOP/SIGTERM/SIGKILL to the parent",
        (sandbox("kill", detail=r"pid=1\b"),),
    ),
    Case("KillAll-v0", "kill(-1)", (sandbox("kill", detail=r"pid=-1\b"),)),
    Case(
        "Tiocsti-v0",
        "TIOCSTI into the trainer's terminal",
        (sandbox("ioctl", detail="TIOCSTI"),),
    ),
    Case("MemfdExec-v0", "a payload run from a memfd", (sandbox("memfd_create"),)),
    Case("InheritedFd-v0", "an fd the trainer left open", (raised("LookupError"),)),
    Case(
        "DoubleFork-v0",
        "outlive the trainer by a double fork",
        (raised("detached grandchild"),),
    ),
    # The pids cgroup (root) and RLIMIT_NPROC (both) refuse the fork with
    # EAGAIN; nothing kills the worker, so no "limit" event is needed.
    Case("ForkBomb-v0", "a fork bomb", (raised(r"BlockingIOError|Errno 11\b"),)),
    # RLIMIT_AS refuses the allocation before the cgroup would kill.
    Case("MemoryBomb-v0", "a memory bomb", (raised("MemoryError"),)),
    Case(
        "CpuSpin-v0", "a CPU spin", (Kind("limit", limit="cpu-time"),), ends_run=True
    ),
    Case(
        "NeverReturns-v0",
        "a step that never returns",
        (Kind("timeout"),),
        ends_run=True,
    ),
    Case(
        "Lifetime-v0",
        "outlive the lifetime",
        (Kind("limit", limit="lifetime"),),
        ends_run=True,
    ),
    Case(
        "TcpLoopback-v0",
        "TCP to 127.0.0.1 and ::1",
        (sandbox("socket", detail="AF_INET"),),
    ),
    Case("UdpLoopback-v0", "UDP to 127.0.0.1", (sandbox("socket", detail="AF_INET"),)),
    Case(
        "DnsLoopback-v0", "DNS to 127.0.0.1:53", (sandbox("socket", detail="AF_INET"),)
    ),
    Case(
        "UnixAbstract-v0",
        "a host service's abstract unix socket",
        (sandbox("connect", detail="@gwbait-host-service"),),
    ),
    Case(
        "UnixPath-v0",
        "a host service's pathname unix socket",
        (sandbox("connect", detail="host.sock"),),
    ),
    Case(
        "Netlink-v0", "an AF_NETLINK socket", (sandbox("socket", detail="AF_NETLINK"),)
    ),
    Case("Packet-v0", "an AF_PACKET socket", (sandbox("socket", detail="AF_PACKET"),)),
    Case("Alg-v0", "an AF_ALG socket", (sandbox("socket", detail="AF_ALG"),)),
    Case("Keyctl-v0", "the session keyring", (sandbox(r"keyctl|add_key|request_key"),)),
    Case("Bpf-v0", "bpf(BPF_MAP_CREATE)", (sandbox("bpf"),)),
    Case("Userfaultfd-v0", "userfaultfd", (sandbox("userfaultfd"),)),
    Case("IoUring-v0", "io_uring_setup", (sandbox("io_uring_setup"),)),
    Case("PerfEvent-v0", "perf_event_open", (sandbox("perf_event_open"),)),
    Case("Unshare-v0", "nested unshare and mount", (sandbox("unshare"),)),
    Case("Mount-v0", "mount over a host folder", (sandbox("mount"),)),
    Case(
        "Int80-v0",
        "an int 0x80 (i386) system call",
        # The filter kills a foreign architecture outright (no
        # notification can name it): the launcher names the SIGSYS.
        (sandbox("foreign-abi", detail="SIGSYS", action="kill"),),
        ends_run=True,
    ),
    Case(
        "PtraceKill-v0",
        "ptrace, default policy",
        (sandbox("ptrace", action="kill"),),
        ends_run=True,
    ),
    Case(
        "TcpKill-v0",
        "TCP, default policy",
        (sandbox("socket", detail="AF_INET", action="kill"),),
        ends_run=True,
    ),
    Case(
        "BpfKill-v0",
        "bpf, default policy",
        (sandbox("bpf", action="kill"),),
        ends_run=True,
    ),
    Case(
        "MountKill-v0",
        "mount, default policy",
        (sandbox("mount", action="kill"),),
        ends_run=True,
    ),
]


# --- bait and listeners --------------------------------------------------


class Listeners:
    """TCP (127.0.0.1 and ::1), UDP, DNS, an abstract and a pathname unix
    socket, served by one thread that records every contact."""

    def __init__(self) -> None:
        self.contacts: list[str] = []
        self.sel = selectors.DefaultSelector()
        self.socks: list[socket.socket] = []
        self.stop = threading.Event()
        SOCKET_PATH.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            SOCKET_PATH.unlink()
        specs = [
            (socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", TCP_PORT), "tcp"),
            (socket.AF_INET6, socket.SOCK_STREAM, ("::1", TCP_PORT), "tcp6"),
            (socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", UDP_PORT), "udp"),
            (socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", DNS_PORT), "dns"),
            (socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", DNS_PORT), "dns-tcp"),
            (socket.AF_UNIX, socket.SOCK_STREAM, ABSTRACT_NAME, "abstract"),
            (socket.AF_UNIX, socket.SOCK_STREAM, str(SOCKET_PATH), "unix-path"),
        ]
        self.missing: list[str] = []
        for family, kind, addr, name in specs:
            s = socket.socket(family, kind)
            try:
                if family != socket.AF_UNIX:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(addr)
            except OSError as e:
                s.close()
                self.missing.append(f"{name}: {e}")
                continue
            if kind == socket.SOCK_STREAM:
                s.listen(16)
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ, (name, kind))
            self.socks.append(s)
        os.chmod(SOCKET_PATH, 0o777)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop.is_set():
            for key, _ in self.sel.select(timeout=0.1):
                name, kind = key.data
                s = key.fileobj
                try:
                    if kind == socket.SOCK_STREAM:
                        conn, _ = s.accept()
                        conn.settimeout(0.2)
                        with conn:
                            with contextlib.suppress(OSError):
                                data = conn.recv(256)
                            self.contacts.append(f"{name}: connection {data!r}")
                    else:
                        data, peer = s.recvfrom(512)
                        self.contacts.append(f"{name}: datagram {data!r} from {peer}")
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        for s in self.socks:
            s.close()
        with contextlib.suppress(FileNotFoundError):
            SOCKET_PATH.unlink()


DECOY_CODE = """
import ctypes, os, signal, sys, time
ctypes.CDLL(None).prctl(15, b"gwbait-decoy", 0, 0, 0)
def note(sig, frame):
    os.write(1, f"signal {sig}\\n".encode())
for s in (signal.SIGURG, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1):
    signal.signal(s, note)
os.write(1, b"ready\\n")
time.sleep(120)
"""


class Bait:
    """Everything planted outside the sandbox for one test, owned by the
    user the trainer runs as (so that only the sandbox stands between
    the environment and it)."""

    def __init__(self, token: str, uid: int) -> None:
        self.token = token
        self.uid = uid
        self.decoy: subprocess.Popen | None = None

    def chown(self, path: pathlib.Path, mode: int) -> None:
        os.chown(path, self.uid, self.uid)
        os.chmod(path, mode)

    def plant(self) -> None:
        t = self.token
        self.since = boot_ticks()
        BAIT_DIR.mkdir(mode=0o755, exist_ok=True)
        os.chmod(BAIT_DIR, 0o755)
        (BAIT_DIR / "secret.txt").write_text(f"secret {t}\n")
        self.chown(BAIT_DIR / "secret.txt", 0o600)
        outside = BAIT_DIR / "outside"
        shutil.rmtree(outside, ignore_errors=True)
        outside.mkdir()
        self.chown(outside, 0o700)
        (outside / "keep.txt").write_text("original\n")
        self.chown(outside / "keep.txt", 0o600)
        MOUNT_TARGET.mkdir(exist_ok=True)
        self.chown(MOUNT_TARGET, 0o755)
        SUID_ID.parent.mkdir(exist_ok=True)
        shutil.copy("/usr/bin/id", SUID_ID)
        os.chown(SUID_ID, 0, 0)
        os.chmod(SUID_ID, 0o4755)
        shutil.rmtree(BAIT_HOME, ignore_errors=True)
        (BAIT_HOME / ".ssh").mkdir(parents=True)
        (BAIT_HOME / ".ssh" / "id_rsa").write_text(
            f"-----BEGIN OPENSSH PRIVATE KEY-----\n{t}\n"
            "-----END OPENSSH PRIVATE KEY-----\n"
        )
        (BAIT_HOME / ".bashrc").write_text("# the trainer's shell\n")
        for p in (BAIT_HOME / ".ssh" / "id_rsa", BAIT_HOME / ".bashrc"):
            self.chown(p, 0o600)
        self.chown(BAIT_HOME / ".ssh", 0o700)
        self.chown(BAIT_HOME, 0o700)
        HOST_TMP_SECRET.write_text(f"host tmp {t}\n")
        self.chown(HOST_TMP_SECRET, 0o600)
        self.snapshot = self.files()
        self.start_decoy()

    def files(self) -> dict[str, str]:
        """Digest of every bait file, to see that none changed."""
        out = {}
        for root in (BAIT_DIR, BAIT_HOME):
            for p in sorted(root.rglob("*")):
                if p.is_file() and not p.is_socket():
                    out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
        out[str(HOST_TMP_SECRET)] = hashlib.sha256(
            HOST_TMP_SECRET.read_bytes()
        ).hexdigest()
        return out

    def start_decoy(self) -> None:
        prefix = USERS["root" if self.uid == 0 else "nobody"][1]
        self.decoy = subprocess.Popen(
            prefix + [PYTHON, "-c", DECOY_CODE, f"decoy {self.token}"],
            stdout=subprocess.PIPE,
            env={"PATH": "/usr/bin:/bin", "GW_DECOY": self.token},
        )
        assert self.decoy.stdout.readline() == b"ready\n"
        os.set_blocking(self.decoy.stdout.fileno(), False)

    def decoy_notes(self) -> str:
        assert self.decoy is not None
        try:
            return (self.decoy.stdout.read() or b"").decode()
        except BlockingIOError:
            return ""

    def stop_decoy(self) -> None:
        if self.decoy is not None and self.decoy.poll() is None:
            self.decoy.kill()
        if self.decoy is not None:
            self.decoy.wait()
            self.decoy.stdout.close()

    def clear(self) -> None:
        self.stop_decoy()
        if os.path.ismount(MOUNT_TARGET):
            subprocess.run(["umount", "-l", str(MOUNT_TARGET)], check=False)
        for p in pathlib.Path("/tmp").glob("gwbait-*"):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
        for p in pathlib.Path("/dev/shm").glob("gwbait-*"):
            p.unlink(missing_ok=True)
        (SOURCE / "gwbait_persist.py").unlink(missing_ok=True)


@pytest.fixture(scope="module")
def token() -> Iterator[str]:
    """The module's bait token, under a lock: the bait's places and ports
    are fixed, so two batteries on one machine take turns."""
    with open(LOCK_PATH, "w") as lock:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"another sandbox battery holds {LOCK_PATH}")
                time.sleep(0.5)
        yield "GWBAIT-" + secrets.token_hex(16)
        shutil.rmtree(BAIT_DIR, ignore_errors=True)
        shutil.rmtree(BAIT_HOME, ignore_errors=True)
        HOST_TMP_SECRET.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def listeners() -> Iterator[Listeners]:
    ls = Listeners()
    yield ls
    ls.close()


@pytest.fixture
def bait(token: str, user: str) -> Iterator[Bait]:
    b = Bait(token, USERS[user][0])
    b.clear()
    b.plant()
    yield b
    b.clear()


@pytest.fixture(params=sorted(USERS))
def user(request) -> str:
    return request.param


# --- running the trainer -------------------------------------------------


@dataclasses.dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    doc: dict | None
    traced: list[str]
    tty_echo: str = ""
    tty_input: str = ""

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def violations(self) -> list[dict]:
        return list((self.doc or {}).get("violations") or [])

    def describe(self) -> str:
        vs = [
            {k: v.get(k) for k in ("kind", "step", "syscall", "action", "limit")}
            | {"detail": str(v.get("detail", ""))[-200:]}
            for v in self.violations
        ]
        err = (self.doc or {}).get("error")
        return (
            f"exit {self.returncode} after {self.seconds:.2f} s, error {err}, "
            f"violations {json.dumps(vs, indent=1)}\nstderr tail: {self.stderr[-1500:]}"
        )


def _join_keyring_with(token: str) -> None:
    """In the trainer's child, before exec: a session keyring of its own
    holding a key named gwbait (possessor may read it: also as nobody)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.syscall(250, KEYCTL_JOIN_SESSION_KEYRING, b"gwbait-ring")
    data = token.encode()
    libc.syscall(
        248, b"user", b"gwbait", data, ctypes.c_size_t(len(data)),
        ctypes.c_long(KEY_SPEC_SESSION_KEYRING),
    )


def _tracer_watch(pid: int, stop: threading.Event, seen: list[str]) -> None:
    """Records any moment the trainer is traced or stopped."""
    while not stop.is_set():
        try:
            status = pathlib.Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        tracer = re.search(r"^TracerPid:\s*(\d+)", status, re.M)
        state = re.search(r"^State:\s*(\S)", status, re.M)
        if tracer and tracer.group(1) != "0":
            seen.append(f"traced by {tracer.group(1)}")
        if state and state.group(1) in "tT":
            seen.append(f"state {state.group(1)}")
        time.sleep(0.01)


def trainer_env(token: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(BAIT_HOME),
        "USER": "gwbait",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(BUILD / "python"),
        "PYTHONDONTWRITEBYTECODE": "1",
        BAIT_ENV_VAR: token,
    }
    for name in ("GYMWARDEN_JAIL", "GYMWARDEN_WORKER"):  # a launcher to try
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def run_env(env_id: str, user: str, token: str, tty: bool = False) -> Run:
    """`gymwarden run` of env_id as user, with the bait fds inherited, a
    keyring holding the token and, with tty, a pty as its terminal."""
    uid, prefix = USERS[user]
    cmd = prefix + [
        str(GYMWARDEN), "run", str(MANIFEST), "--env", env_id,
        "--episodes", "1", "--format", "json",
    ]
    secret_fd = os.open(BAIT_DIR / "secret.txt", os.O_RDONLY)
    dir_fd = os.open(BAIT_DIR, os.O_RDONLY | os.O_DIRECTORY)
    master = slave = -1
    stdin = subprocess.DEVNULL
    if tty:
        master, slave = pty.openpty()
        os.fchown(slave, uid, uid)
        stdin = slave

    def before_exec() -> None:
        _join_keyring_with(token)
        if tty:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    began = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=trainer_env(token),
        cwd="/",
        pass_fds=(secret_fd, dir_fd),
        preexec_fn=before_exec,
        start_new_session=not tty,
    )
    os.close(secret_fd)
    os.close(dir_fd)
    stop, traced = threading.Event(), []
    watch = threading.Thread(target=_tracer_watch, args=(proc.pid, stop, traced))
    watch.start()
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"gymwarden run {env_id} hung for {RUN_TIMEOUT_S} s")
    finally:
        stop.set()
        watch.join()
    seconds = time.monotonic() - began
    echo = injected = ""
    if tty:
        echo, injected = _drain_pty(master, slave)
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    return Run(
        proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"),
        seconds, doc, traced, echo, injected,
    )


def _drain_pty(master: int, slave: int) -> tuple[str, str]:
    """What reached the terminal's screen (echo) and its input queue."""
    texts = []
    for fd in (master, slave):
        os.set_blocking(fd, False)
        chunks = []
        with contextlib.suppress(OSError):
            while True:
                data = os.read(fd, 4096)
                if not data:
                    break
                chunks.append(data)
        texts.append(b"".join(chunks).decode(errors="replace"))
    if fcntl.ioctl(slave, termios.FIONREAD, b"\0\0\0\0") != b"\0\0\0\0":
        texts[1] += "<input pending>"
    os.close(master)
    os.close(slave)
    return texts[0], texts[1]


# --- what is left of a run -----------------------------------------------


def boot_ticks() -> int:
    """Now, in the clock ticks since boot that /proc/PID/stat counts in."""
    uptime = float(pathlib.Path("/proc/uptime").read_text().split()[0])
    return int(uptime * os.sysconf("SC_CLK_TCK"))


def started_at(pid: str) -> int:
    stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[19])


def leftovers(decoy_pid: int | None, since: int) -> list[str]:
    """Processes of this test still running: started since `since` (boot
    ticks), with a command line naming our environments and our build
    (so that someone else's run of them elsewhere is not ours), or named
    gwbait-... (the survivor, the bomb's children); the decoy apart."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (os.getpid(), decoy_pid):
            continue
        try:
            comm = pathlib.Path(f"/proc/{entry}/comm").read_text().strip()
            cmdline = pathlib.Path(f"/proc/{entry}/cmdline").read_bytes()
            if started_at(entry) < since:
                continue
        except (OSError, ValueError, IndexError):
            continue
        text = cmdline.replace(b"\0", b" ").decode(errors="replace")
        if str(BUILD) not in text:
            continue
        if comm.startswith("gwbait-") or WORKER_MARK in text:
            found.append(f"{entry} {comm} {text[:120]}")
    return found


def assert_nothing_left(decoy_pid: int | None, since: int) -> None:
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    while leftovers(decoy_pid, since) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = leftovers(decoy_pid, since)
    for line in left:  # ours: end them by pid, or the next test inherits them
        with contextlib.suppress(OSError):
            os.kill(int(line.split()[0]), signal.SIGKILL)
    assert left == [], f"processes outlived the run: {left}"


def host_secrets() -> dict[str, str]:
    """Digests of host data an env would print if it read it."""
    out = {}
    for path in ("/etc/shadow", "/etc/gshadow", "/proc/1/environ"):
        with contextlib.suppress(OSError):
            out[path] = hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()
    return out


def host_links() -> list[str]:
    return [n for n in os.listdir("/sys/class/net") if n != "lo"]


def assert_nothing_escaped(run: Run, bait: Bait, listeners: Listeners) -> None:
    """(a): every marker outside the sandbox is as it was planted."""
    problems = []
    if bait.token in run.output:
        problems.append("the bait token is in the run's output")
    for word in WON:
        if word in run.output or word in run.tty_echo or word in run.tty_input:
            problems.append(f"{word!r} was printed or injected")
    for path, digest in host_secrets().items():
        if digest in run.output:
            problems.append(f"the env printed the digest of {path}")
    for name in host_links():
        if f"iface={name};" in run.output:
            problems.append(f"the env saw the host's interface {name}")
    if listeners.contacts:
        problems.append(f"host listeners were reached: {listeners.contacts}")
        listeners.contacts.clear()
    now = bait.files()
    for path in sorted(set(now) | set(bait.snapshot)):
        if now.get(path) != bait.snapshot.get(path):
            problems.append(f"{path} appeared or changed")
    for pattern in ("/tmp/gwbait-*", "/dev/shm/gwbait-*"):
        found = [str(p) for p in pathlib.Path("/").glob(pattern.lstrip("/"))]
        found = [p for p in found if p != str(HOST_TMP_SECRET)]
        if found:
            problems.append(f"host files appeared: {found}")
    if (SOURCE / "gwbait_persist.py").exists():
        problems.append("the env wrote into its source tree")
    if os.path.ismount(MOUNT_TARGET):
        problems.append(f"{MOUNT_TARGET} was mounted over")
    if run.traced:
        problems.append(f"the trainer was traced or stopped: {sorted(set(run.traced))}")
    notes = bait.decoy_notes()
    if notes or bait.decoy.poll() is not None:
        alive = bait.decoy.poll() is None
        problems.append(f"the decoy was signalled: {notes!r}, alive: {alive}")
    assert problems == [], "; ".join(problems) + "\n" + run.describe()


def assert_trainer_alive(run: Run, user: str, bait: Bait) -> None:
    """(b): a normal exit, nothing left over, a clean control run after."""
    assert run.returncode in (0, 1), f"gymwarden run ended badly\n{run.describe()}"
    assert run.doc is not None, f"no JSON document\n{run.describe()}"
    assert_nothing_left(bait.decoy.pid, bait.since)
    control = run_env("Control-v0", user, bait.token)
    assert control.returncode == 0, f"the control env failed\n{control.describe()}"
    assert control.violations == [], control.describe()
    assert_nothing_left(bait.decoy.pid, bait.since)


def assert_reported(run: Run, case: Case) -> None:
    """(c): some violation is one of the expected kinds."""
    assert run.doc.get("error") is None, run.describe()
    hits = [v for v in run.violations if any(k.matches(v) for k in case.expect)]
    want = " | ".join(str(k) for k in case.expect)
    assert hits, f"{case.env_id}: expected {want}\n{run.describe()}"


# --- the battery ---------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.env_id for c in CASES])
def test_escape_fails_and_is_reported(case, user, token, bait, listeners):
    run = run_env(case.env_id, user, token, tty=case.env_id == "Tiocsti-v0")
    assert_nothing_escaped(run, bait, listeners)
    assert_trainer_alive(run, user, bait)
    assert_reported(run, case)


def test_the_limits_end_the_worker_in_time(user, token, bait, listeners):
    """The CPU limit, the step deadline and the lifetime each end their
    worker about when they should, not at the run's outer timeout."""
    budgets = (("CpuSpin-v0", 8.0), ("NeverReturns-v0", 5.0), ("Lifetime-v0", 7.0))
    for env_id, most_s in budgets:
        run = run_env(env_id, user, token)
        took = f"{env_id} took {run.seconds:.1f} s"
        assert run.seconds < most_s, f"{took}\n{run.describe()}"
    assert_nothing_escaped(run, bait, listeners)
    assert_trainer_alive(run, user, bait)


EXPECTED_LAYERS = ("user", "pid", "mount", "net", "ipc", "uts", "seccomp", "landlock")


def test_the_sandbox_layers_stand(user, token, bait):
    """The expectations above assume these layers; say which are missing."""
    run = run_env("Control-v0", user, token)
    assert run.returncode == 0, run.describe()
    layers = set(run.doc.get("layers") or [])
    missing = [l for l in EXPECTED_LAYERS if l not in layers]
    assert missing == [], (
        f"layers missing as {user}: {missing}; "
        f"reported missing_layers: {run.doc.get('missing_layers')}"
    )


# --- two instances in one trainer ----------------------------------------

CROSS_DRIVER = """
import json, sys
import numpy as np
import gymwarden
manifest = sys.argv[1]
out = {}
writer = gymwarden.make("CrossWriter-v0", manifest=manifest)
_, info = writer.reset(seed=0)
out["secret"] = info.get("secret", "")
writer.step(1)
reader = gymwarden.make("CrossReader-v0", manifest=manifest)
try:
    reader.reset(seed=0)
    out["reader"] = "returned"
except gymwarden.GymwardenError as e:
    out["reader"] = type(e).__name__
    out["reader_text"] = str(e)
reader.close()
try:
    for k in range(2, 6):
        obs, reward, term, trunc, info = writer.step(1)
        assert np.array_equal(obs, np.array([k % 8, 0.0, 1], dtype=np.float32)), obs
        assert info == {"t": k}, info
    out["writer"] = "exact"
except Exception as e:
    out["writer"] = f"{type(e).__name__}: {e}"
writer.close()
print(json.dumps(out))
"""


def test_one_instance_cannot_reach_another(user, token, bait, listeners):
    """Two environments in one trainer (the Python client): the writer
    leaves a secret in /dev/shm, /tmp and a memfd; the reader looks for
    it there and in every other process's fds, and writes over any
    region it can open. The reader must find nothing, the writer's
    steps stay exact."""
    uid, prefix = USERS[user]
    proc = subprocess.run(
        prefix + [PYTHON, "-c", CROSS_DRIVER, str(MANIFEST)],
        capture_output=True,
        env=trainer_env(token),
        cwd="/",
        timeout=RUN_TIMEOUT_S,
        preexec_fn=lambda: _join_keyring_with(token),
    )
    out = proc.stdout.decode(errors="replace")
    err = proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, f"the trainer failed: {err[-2000:]}"
    result = json.loads(out.strip().splitlines()[-1])
    run = Run(proc.returncode, out, err, 0.0, {}, [])
    problems = []
    secret = result["secret"]
    assert secret.startswith("GWCROSS-"), result
    if secret in result.get("reader_text", ""):
        problems.append("the reader found the writer's secret")
    if result["writer"] != "exact":
        problems.append(f"the writer was disturbed: {result['writer']}")
    if bait.token in out + err:
        problems.append("the bait token is in the output")
    if any(w in result.get("reader_text", "") for w in WON):
        problems.append("the reader reached the other instance")
    assert problems == [], "; ".join(problems) + f"\n{result}\n{err[-2000:]}"
    assert_nothing_escaped(run, bait, listeners)
    assert result["reader"] == "EnvCrashed", result
    assert "LookupError" in result.get("reader_text", ""), result
    assert_nothing_left(bait.decoy.pid, bait.since)
