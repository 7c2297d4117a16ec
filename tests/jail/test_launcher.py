"""gymwarden-jail run by hand: every layer seen from inside by jail-probe,
every --without fallback named on a `missing` line, every stage failure
with its exit status and `fail` record, the limits, and the launcher's
exit mirroring the worker's. Run as root; the unprivileged runs use
setpriv to become nobody."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from conftest import (JAIL, PROBE, probe_args, run_jail, stage_exit,
                      userns_allowed)

pytestmark = pytest.mark.usefixtures("need_setpriv")

# Facts a seccomp policy tuned for CPython may hide from the probe (it
# denies getresuid, capget, statfs...): most runs leave seccomp out and
# one test checks it on its own.
NO_SECCOMP = ["--without", "seccomp,notify"]
NAMESPACES = {"user", "pid", "mount", "net", "ipc", "uts", "cgroup"}
ALWAYS = {"rlimits", "caps", "nnp", "uid", "session", "pdeathsig", "fds",
          "env", "landlock"}
SANDBOX_FS = {"tmp", "proc", "dev", "no-userns", "init"}


def report(*paths: str) -> list[str]:
    return [str(PROBE), "report", *paths]


def only_missing(run, expected: dict[str, str]) -> None:
    assert run.missing == expected, run.status


@pytest.fixture
def shared_dir():
    """A folder nobody can read and write, outside pytest's 0700 tmp."""
    path = Path(tempfile.mkdtemp(prefix="gw-jail-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def leftovers(token: str) -> list[int]:
    """Host pids whose command line carries token."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if token.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


# --- the full stack, seen from inside -----------------------------------

@pytest.mark.parametrize("as_nobody", [False, True], ids=["root", "nobody"])
def test_worker_sees_every_layer(as_nobody, shared_dir):
    if as_nobody and not userns_allowed():
        pytest.skip("nobody may not make user namespaces on this host")
    (Path("/tmp") / f"host-only-{uuid.uuid4().hex}").write_text("x")
    run = run_jail(probe_args(*NO_SECCOMP, "--ro", str(shared_dir)),
                   report("/home", "/root", "/run", "/sys", "/var",
                          "/dev/null", "/dev/zero", "/dev/urandom", "/dev/fd",
                          "/etc/ld.so.cache", str(shared_dir), "/usr"),
                   as_nobody=as_nobody)
    f = run.facts

    assert run.returncode == 0, run.stderr
    assert [s.split()[0] for s in run.status] == [
        "layers", "missing", "ready", "end"]
    assert run.layers == NAMESPACES | ALWAYS | SANDBOX_FS
    only_missing(run, {"seccomp": "without", "notify": "without",
                       "cgroup-limits": "unset", "lifetime": "unset"})
    assert f["uid"] == f["gid"] == "65534,65534,65534"
    assert f["groups"] == "0"
    for key in ("cap_eff", "cap_prm", "cap_inh", "cap_bnd", "cap_amb"):
        assert f[key] == "0", key
    assert int(f["securebits"], 16) == 0xef
    assert f["nnp"] == "1"
    assert (f["pid"], f["ppid"]) == ("2", "1")
    assert f["hostname"] == "gymwarden"
    assert f["ifaces"] == "lo"
    assert f["fds"] == "0,1,2,3"
    assert f["max_userns"] == "0;"
    assert f["fs_root"].startswith("ro,")
    assert f["fs_tmp"].startswith("rw,noexec")
    assert f["fs_proc"].startswith("ro,noexec")
    assert f["rlimit_core"] == "0,0"
    envs = [l[4:] for l in run.stdout.splitlines() if l.startswith("env=")]
    assert envs == ["PATH=/usr/bin:/bin", "LANG=C.UTF-8",
                    "HOME=/nonexistent", "PYTHONDONTWRITEBYTECODE=1"]
    for path in ("/home", "/root", "/run", "/sys", "/var", "/usr"):
        assert f[f"exists:{path}"] == "0", path
    for path in ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/fd",
                 "/etc/ld.so.cache", str(shared_dir)):
        assert f[f"exists:{path}"] == "1", path
    assert not any(line.startswith("exists:/tmp/host-only")
                   for line in run.stdout.splitlines())


def test_private_tmp_hides_the_hosts():
    marker = Path("/tmp") / f"host-only-{uuid.uuid4().hex}"
    marker.write_text("x")
    try:
        run = run_jail(probe_args(*NO_SECCOMP), report(str(marker)))
    finally:
        marker.unlink()
    assert run.facts[f"exists:{marker}"] == "0"


def test_full_stack_loads_seccomp_and_reports_violations():
    run = run_jail(probe_args(), [str(PROBE), "try-userns"])

    assert {"seccomp", "notify"} <= run.layers
    assert run.facts["errno"] == "1"  # EPERM from the filter
    violations = run.lines("violation")
    assert any(v.split()[1] == "unshare" and v.split()[3] == "errno"
               for v in violations), run.status
    assert run.status[-1] == "end exit 0"


def test_violation_in_kill_mode_ends_the_sandbox():
    run = run_jail(probe_args("--on-violation", "kill"),
                   [str(PROBE), "try-userns"])

    assert any(v.split()[1] == "unshare" and v.split()[3] == "kill"
               for v in run.lines("violation")), run.status
    assert run.status[-1] == "end signal 9"
    assert run.returncode == -signal.SIGKILL


def test_seccomp_mode_is_filter():
    run = run_jail(probe_args(), report())
    assert run.facts["seccomp"] == "2"


def test_dynamic_program_runs_with_its_loader():
    run = run_jail(["--ro", "/usr", "--exec", "/usr/bin/true"],
                   ["/usr/bin/true"])
    assert run.returncode == 0, run.stderr
    assert "ready" in run.status


def test_python_runs_inside():
    python = os.path.realpath("/usr/bin/python3")
    run = run_jail(["--ro", "/usr", "--exec", python],
                   [python, "-I", "-S", "-c", "print(6 * 7)"])
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "42"


# --- each layer left out, and what it falls back to ----------------------

ROOT_WITHOUT = [
    ("user", {"user": "without", "no-userns": "needs-user"}),
    ("pid", {"pid": "without", "proc": "needs-pid", "init": "needs-pid"}),
    ("mount", {"mount": "without", "tmp": "needs-mount",
               "proc": "needs-mount", "dev": "needs-mount"}),
    ("net", {"net": "without"}),
    ("ipc", {"ipc": "without"}),
    ("uts", {"uts": "without"}),
    ("cgroup", {"cgroup": "without"}),
    ("landlock", {"landlock": "without"}),
    ("rlimits", {"rlimits": "without"}),
    ("cgroup-limits", {"cgroup-limits": "without"}),
    ("tmp", {"tmp": "without"}),
    ("proc", {"proc": "without"}),
    ("dev", {"dev": "without"}),
    ("caps", {"caps": "without"}),
    ("nnp", {"nnp": "without", "landlock": "needs-nnp",
             "seccomp": "needs-nnp", "notify": "needs-seccomp"}),
    ("uid", {"uid": "without"}),
    ("no-userns", {"no-userns": "without"}),
    ("session", {"session": "without"}),
    ("pdeathsig", {"pdeathsig": "without"}),
    ("seccomp", {"seccomp": "without", "notify": "needs-seccomp"}),
    ("notify", {"notify": "without"}),
]


@pytest.mark.parametrize("without,expected", ROOT_WITHOUT,
                         ids=[w for w, _ in ROOT_WITHOUT])
def test_root_without_layer_reports_it_missing(without, expected):
    run = run_jail(probe_args("--without", without, "--memory", "1000000000"),
                   report("/home"))
    want = {"lifetime": "unset", **expected}
    if without == "cgroup-limits":
        want["cgroup-limits"] = "without"

    assert run.returncode == 0, run.stderr
    only_missing(run, want)
    assert not (set(want) & run.layers)


def test_root_without_user_still_drops_to_nobody():
    run = run_jail(probe_args(*NO_SECCOMP, "--without", "seccomp,notify,user"),
                   report())
    assert run.facts["uid"] == "65534,65534,65534"
    assert run.facts["cap_bnd"] == "0"
    assert (run.facts["pid"], run.facts["ppid"]) == ("2", "1")


def test_without_net_landlock_still_denies_tcp():
    run = run_jail(probe_args(*NO_SECCOMP, "--without", "seccomp,notify,net"),
                   [str(PROBE), "try-connect"])
    assert run.facts["errno"] == "13"  # EACCES: Landlock, ABI 4 and later


def test_net_namespace_has_no_route():
    run = run_jail(probe_args("--without", "seccomp,notify,landlock"),
                   [str(PROBE), "try-connect"])
    assert run.facts["errno"] == "101"  # ENETUNREACH: only lo, and down


def test_nested_user_namespaces_refused():
    run = run_jail(probe_args(*NO_SECCOMP), [str(PROBE), "try-userns"])
    assert run.facts["errno"] != "0"


def test_without_uts_keeps_the_hosts_name():
    run = run_jail(probe_args(*NO_SECCOMP, "--without",
                              "seccomp,notify,uts"), report())
    assert run.facts["hostname"] == socket.gethostname()


def test_without_caps_keeps_namespace_caps():
    run = run_jail(probe_args(*NO_SECCOMP, "--without",
                              "seccomp,notify,caps"), report())
    assert run.facts["cap_bnd"] != "0"


def test_without_tmp_has_no_tmp():
    run = run_jail(probe_args(*NO_SECCOMP, "--without",
                              "seccomp,notify,tmp"), report("/tmp"))
    assert run.facts["exists:/tmp"] == "0"


def test_nobody_cgroup_limits_not_delegated():
    run = run_jail(probe_args("--memory", "100000000"), report(),
                   as_nobody=True)
    assert run.missing.get("cgroup-limits") == "not-delegated"
    assert run.returncode == 0


def test_nobody_without_user_falls_back_to_a_reaper(shared_dir):
    run = run_jail(probe_args(*NO_SECCOMP, "--without", "seccomp,notify,user",
                              "--ro", str(shared_dir)),
                   [str(PROBE), "try-create", str(shared_dir / "x")],
                   as_nobody=True)
    needs_user = {n: "needs-user" for n in NAMESPACES - {"user"}}

    only_missing(run, {"user": "without", **needs_user,
                       "seccomp": "without", "notify": "without",
                       "cgroup-limits": "unset", "tmp": "needs-mount",
                       "proc": "needs-mount", "dev": "needs-mount",
                       "caps": "no-setpcap", "no-userns": "needs-user",
                       "init": "needs-pid", "lifetime": "unset"})
    assert {"landlock", "rlimits", "nnp", "uid"} <= run.layers
    # Landlock alone keeps the --ro folder read-only.
    assert run.facts["errno"] == "13"
    assert not (shared_dir / "x").exists()


def test_mount_makes_ro_paths_read_only(shared_dir):
    run = run_jail(probe_args(*NO_SECCOMP, "--ro", str(shared_dir)),
                   [str(PROBE), "try-create", str(shared_dir / "x")])
    assert run.facts["errno"] in ("13", "30")  # EACCES or EROFS
    assert not (shared_dir / "x").exists()


def test_tmp_is_writable():
    run = run_jail(probe_args(*NO_SECCOMP), [str(PROBE), "try-create",
                                             "/tmp/x"])
    assert run.facts["errno"] == "0"


# --- stage failures -------------------------------------------------------

FAILURES = [
    ("args", ["--no-such-option", "1"], 22),
    ("args", ["--require", "user", "--without", "user"], 22),
    ("args", ["--without", "fds"], 22),
    ("args", ["--memory", "lots"], 22),
    ("root", ["--ro", "/nonexistent/gymwarden"], 2),
    ("require", ["--require", "lifetime"], 95),
    ("require", ["--require", "cgroup-limits", "--without", "landlock"], 95),
]


@pytest.mark.parametrize("stage,args,err", FAILURES,
                         ids=[f"{s}-{i}" for i, (s, _, _) in
                              enumerate(FAILURES)])
def test_stage_failure_exits_with_its_code(stage, args, err):
    run = run_jail(probe_args(*args), report())

    assert run.returncode == stage_exit(stage), run.stderr
    assert run.status[-1] == f"fail {stage} {err}"
    assert "ready" not in run.status
    assert f"gymwarden-jail: {stage}:" in run.stderr


def test_missing_ro_path_is_named():
    run = run_jail(probe_args("--ro", "/nonexistent/gymwarden"), report())
    assert "/nonexistent/gymwarden" in run.stderr


def test_require_failure_reports_missing_first():
    run = run_jail(probe_args("--require", "lifetime"), report())
    words = [s.split()[0] for s in run.status]
    assert words == ["layers", "missing", "fail"]
    assert "lifetime:unset" in run.line("missing")


def test_exec_of_a_file_not_bound_fails():
    run = run_jail(probe_args(), ["/usr/bin/true"])
    assert run.returncode == stage_exit("exec")
    assert run.status[-1] == "fail exec 2"


def test_landlock_allows_exec_of_the_exec_file_only():
    run = run_jail(["--ro", "/usr", "--ro", str(PROBE), "--exec",
                    str(PROBE)], ["/usr/bin/true"])
    assert run.status[-1] == "fail exec 13"


def test_socket_stage_rejects_a_stream_socket():
    run = run_jail(probe_args(), report(), fd3="stream")
    assert run.returncode == stage_exit("socket")
    assert run.status == ["fail socket 91"]  # EPROTOTYPE


def test_status_stage_rejects_an_fd_4_that_is_not_a_pipe():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c, d = socket.socketpair()

    def fds() -> None:
        os.dup2(b.fileno(), 3)
        os.dup2(d.fileno(), 4)

    proc = subprocess.run([str(JAIL), "--parent", str(os.getpid()),
                           *probe_args(), "--", *report()], pass_fds=(3, 4),
                          preexec_fn=fds, capture_output=True, timeout=60)
    d.close()
    c.settimeout(5)
    said = c.recv(512)
    for s in (a, b, c):
        s.close()
    assert proc.returncode == stage_exit("status")
    assert said == b""  # nothing is written to an fd 4 that is not ours


def test_fds_stage_wants_0_to_4_open():
    rd, wr = os.pipe()
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)

    def fds() -> None:
        os.dup2(b.fileno(), 3)
        os.dup2(wr, 4)
        os.close(0)

    proc = subprocess.run([str(JAIL), "--parent", str(os.getpid()),
                           *probe_args(), "--", *report()], pass_fds=(3, 4),
                          preexec_fn=fds, capture_output=True, timeout=60)
    os.close(wr)
    with os.fdopen(rd) as f:
        status = f.read().splitlines()
    a.close()
    b.close()
    assert proc.returncode == stage_exit("fds")
    assert status == ["fail fds 9"]  # EBADF


def test_root_binds_a_path_below_a_folder_nobody_could_search():
    # L (root) clones the tree before the sandbox's uid takes over, so a
    # --ro path below a 0700 folder is still bound; its files keep their
    # own modes.
    secret = Path(tempfile.mkdtemp(prefix="gw-secret-", dir="/tmp"))
    (secret / "key").write_text("x")
    try:
        run = run_jail(probe_args("--ro", str(secret / "key")), report())
    finally:
        shutil.rmtree(secret)
    assert run.returncode == 0, run.stderr
    assert "ready" in run.status and run.status[-1] == "end exit 0"


def test_pdeathsig_stage_checks_the_parent():
    argv_parent = str(os.getppid())  # not the launcher's parent
    rd, wr = os.pipe()
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)

    def fds() -> None:
        os.dup2(b.fileno(), 3)
        os.dup2(wr, 4)

    proc = subprocess.run([str(JAIL), "--parent", argv_parent, *probe_args(),
                           "--", *report()], pass_fds=(3, 4),
                          preexec_fn=fds, capture_output=True, timeout=60)
    os.close(wr)
    with os.fdopen(rd) as f:
        status = f.read().splitlines()
    a.close()
    b.close()
    assert proc.returncode == stage_exit("pdeathsig")
    assert status == ["fail pdeathsig 3"]  # ESRCH


# --- limits ---------------------------------------------------------------

def test_lifetime_kills_the_sandbox():
    run = run_jail(probe_args("--lifetime", "300"), [str(PROBE), "sleep"])
    assert "lifetime" in run.layers
    assert run.status[-2:] == ["limit lifetime 300 ms of wall clock", "end signal 9"]
    assert run.returncode == -signal.SIGKILL


def test_cpu_time_limit_sends_sigxcpu():
    run = run_jail(probe_args("--cpu-time", "1"), [str(PROBE), "spin"])
    assert run.status[-2:] == ["limit cpu-time 1 s of CPU time", "end signal 24"]
    assert run.returncode == -signal.SIGXCPU


def test_file_size_limit():
    run = run_jail(probe_args("--file-size", "10000"),
                   [str(PROBE), "write", "/tmp/big", "20000"])
    assert run.status[-2:] == ["limit file-size 10000 bytes", "end signal 25"]
    assert run.returncode == -signal.SIGXFSZ


def test_memory_rlimit_refuses_the_allocation():
    run = run_jail(probe_args("--memory", "64000000", "--without",
                              "cgroup-limits"),
                   [str(PROBE), "alloc", "256000000"])
    assert run.facts["errno"] == "12"  # ENOMEM
    assert run.status[-1] == "end exit 0"


def test_memory_cgroup_kills_and_is_named():
    run = run_jail(probe_args("--memory", "64000000", "--without",
                              "rlimits"),
                   [str(PROBE), "alloc", "256000000"])
    cgroups = [s.split(" ", 1)[1] for s in run.lines("cgroup")]

    assert "cgroup-limits" in run.layers
    assert cgroups and all(not os.path.exists(c) for c in cgroups)
    assert run.status[-2:] == ["limit memory 64000000 bytes", "end signal 9"]


def test_processes_rlimit_counts_the_worker_tree():
    run = run_jail(probe_args("--processes", "5", "--without",
                              "cgroup-limits"), [str(PROBE), "fork", "20"])
    assert run.facts["forked"] == "4"  # the worker and four children


def test_processes_cgroup_limit_is_named():
    run = run_jail(probe_args("--processes", "5", "--without", "rlimits"),
                   [str(PROBE), "fork", "20"])
    assert run.facts["forked"] == "4"
    assert "limit processes 5 processes" in run.status


# --- the end of the sandbox -----------------------------------------------

@pytest.mark.parametrize("without,as_nobody", [
    ("seccomp,notify", False),
    ("seccomp,notify,user", True),
    ("seccomp,notify,pid", False),
], ids=["pid-namespace", "nobody-reaper", "root-no-pid-namespace"])
def test_double_fork_survivor_dies_with_the_worker(without, as_nobody):
    token = f"gw-orphan-{uuid.uuid4().hex}"
    run = run_jail(probe_args("--without", without),
                   [str(PROBE), "orphan", token], as_nobody=as_nobody)
    assert run.facts.get("orphaned") == "1", run.stderr
    assert run.status[-1] == "end exit 0"
    assert leftovers(token) == []


def test_killing_the_launcher_takes_the_sandbox_down():
    token = f"gw-kill-{uuid.uuid4().hex}"
    rd, wr = os.pipe()
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)

    def fds() -> None:
        os.dup2(b.fileno(), 3)
        os.dup2(wr, 4)

    proc = subprocess.Popen([str(JAIL), "--parent", str(os.getpid()),
                             *probe_args(), "--", str(PROBE), "sleep", token],
                            pass_fds=(3, 4), preexec_fn=fds,
                            stdout=subprocess.DEVNULL)
    os.close(wr)
    b.close()
    with os.fdopen(rd) as status:
        while status.readline().strip() not in ("ready", ""):
            pass
        assert leftovers(token), "the worker is not running"
        proc.kill()
        proc.wait()
        # P1's death signal is asynchronous: wait (bounded) for the end.
        for _ in range(1000):
            if not leftovers(token):
                break
            os.sched_yield()
            subprocess.run(["sleep", "0.01"])
    a.close()
    assert leftovers(token) == []


@pytest.mark.parametrize("command,code,line", [
    (["exit", "0"], 0, "end exit 0"),
    (["exit", "7"], 7, "end exit 7"),
    (["kill", "11"], -signal.SIGSEGV, "end signal 11"),
    (["kill", "15"], -signal.SIGTERM, "end signal 15"),
])
def test_launcher_exit_mirrors_the_worker(command, code, line):
    run = run_jail(probe_args(), [str(PROBE), *command])
    assert run.returncode == code
    assert run.status[-1] == line


def test_cgroup_directories_are_removed():
    run = run_jail(probe_args("--memory", "100000000", "--processes", "10"),
                   [str(PROBE), "exit", "0"])
    dirs = [s.split(" ", 1)[1] for s in run.lines("cgroup")]
    assert len(dirs) == 2
    assert not any(os.path.exists(d) for d in dirs)
    assert "gymwarden-" in dirs[0]



@pytest.mark.parametrize("as_nobody", [False, True], ids=["root", "nobody"])
def test_pid_1_shows_no_host_command_line(as_nobody):
    # P1 blanks the launcher's command line (the monitor's pid, the
    # build's paths) once the worker is forked.
    python = os.path.realpath("/usr/bin/python3")
    read = ("import time; time.sleep(0.2); "
            "print(open('/proc/1/cmdline', 'rb').read().rstrip(b'\\0'))")
    run = run_jail(["--ro", "/usr", "--exec", python],
                   [python, "-I", "-S", "-c", read], as_nobody=as_nobody)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "b'gymwarden-init'"
