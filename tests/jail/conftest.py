"""Run gymwarden-jail by hand, the way the monitor does: a SOCK_SEQPACKET
socket at fd 3, the write end of the status pipe at fd 4, and a program to
exec (jail-probe, built beside the launcher). GYMWARDEN_BUILD names the
build folder (default: build)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
BUILD = Path(os.environ.get("GYMWARDEN_BUILD", ROOT / "build")).resolve()
JAIL = BUILD / "src" / "jail" / "gymwarden-jail"
PROBE = BUILD / "tests" / "jail" / "jail-probe"
NOBODY = 65534
EXIT_BASE = 100
STAGES = ["args", "socket", "status", "pdeathsig", "session", "signals",
          "fds", "clone", "idmap", "cgroup", "root", "tmp", "proc", "dev",
          "pivot", "init", "rlimits", "uid", "caps", "nnp", "landlock",
          "seccomp", "require", "exec"]


def stage_exit(stage: str) -> int:
    return EXIT_BASE + STAGES.index(stage)


@dataclass
class Run:
    """One launcher run: how it ended and what it said."""
    returncode: int
    status: list[str]
    stdout: str
    stderr: str
    facts: dict[str, str] = field(default_factory=dict)

    def line(self, word: str) -> str | None:
        return next((s for s in self.status if s.split()[0] == word), None)

    def lines(self, word: str) -> list[str]:
        return [s for s in self.status if s.split()[0] == word]

    @property
    def layers(self) -> set[str]:
        line = self.line("layers")
        return set(line.split()[1].split(",")) if line and " " in line else set()

    @property
    def missing(self) -> dict[str, str]:
        out = {}
        for line in self.lines("missing"):
            for item in line.split()[1].split(","):
                name, _, why = item.partition(":")
                out[name] = why
        return out


def parse_facts(text: str) -> dict[str, str]:
    facts: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key not in facts:
            facts[key] = value
    return facts


def run_jail(args: list[str], program: list[str] | None = None, *,
             as_nobody: bool = False, jail: Path = JAIL,
             fd3: str = "seqpacket", timeout: float = 120) -> Run:
    """Start the launcher with `args`, then `--` and program (default: the
    probe's report). timeout only keeps a broken launcher from hanging the
    suite; no test asserts on time."""
    program = program if program is not None else [str(PROBE), "report"]
    ours, theirs = socket.socketpair(
        socket.AF_UNIX,
        socket.SOCK_SEQPACKET if fd3 == "seqpacket" else socket.SOCK_STREAM)
    rd, wr = os.pipe()
    argv = [str(jail), "--parent", str(os.getpid()), *args, "--", *program]
    if as_nobody:
        argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                "--clear-groups", *argv]
    sock_fd, wr_fd = theirs.fileno(), wr

    def child_fds() -> None:
        os.dup2(sock_fd, 3)
        os.dup2(wr_fd, 4)

    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            pass_fds=(3, 4), preexec_fn=child_fds)
    theirs.close()
    os.close(wr)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # A process the sandbox failed to end may still hold the pipes.
        proc.kill()
        proc.wait()
        out, err = b"", b"run_jail: timed out\n"
        proc.stdout.close()
        proc.stderr.close()
    with os.fdopen(rd, "rb") as f:
        status = f.read().decode().splitlines()
    ours.close()
    run = Run(proc.returncode, status, out.decode(errors="replace"),
              err.decode(errors="replace"))
    run.facts = parse_facts(run.stdout)
    return run


def probe_args(*extra: str) -> list[str]:
    return ["--ro", str(PROBE), "--exec", str(PROBE), *extra]


@pytest.fixture(scope="session", autouse=True)
def built() -> None:
    for path in (JAIL, PROBE):
        if not path.is_file():
            pytest.skip(f"{path} is not built (set GYMWARDEN_BUILD)")
    # The unprivileged runs need nobody to reach both programs.
    for path in (JAIL, PROBE):
        for part in [path, *path.parents]:
            if not os.stat(part).st_mode & 0o001:
                pytest.skip(f"{part} is not searchable by nobody")
            if part == ROOT.parent:
                break


@pytest.fixture
def need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root (runs the launcher as root and as nobody)")


@pytest.fixture
def need_setpriv() -> None:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run the launcher as nobody")


def userns_allowed() -> bool:
    """Can nobody make a user namespace here? (probe in a child)"""
    r = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                        "--clear-groups", "unshare", "-U", "true"],
                       capture_output=True)
    return r.returncode == 0

