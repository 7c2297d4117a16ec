"""The worker's seccomp policy against the real kernel.

seccomp_try (beside this file) loads the filter in a child after
no_new_privs, makes one call there and answers the notifications from the
parent with gw_seccomp_answer, as the launcher does; these tests read the
violation lines it prints and what the call returned. GW_SECCOMP_TRY names
the program (meson sets it).
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TRY = os.environ.get("GW_SECCOMP_TRY", "build/tests/seccomp/seccomp_try")
PYTHON = "/usr/bin/python3"
NUMPY_CODE = ("import sys; sys.path.append('/usr/lib/python3/dist-packages'); "
              "import numpy; print(numpy.zeros(10).sum())")
SIGSYS, SIGKILL = 31, 9


def run(case: str, mode: str = "notify-errno") -> dict:
    out = subprocess.run([TRY, "--mode", mode, case], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return parse(out.stdout)


def parse(text: str) -> dict:
    got: dict = {"violations": [], "text": text}
    for line in text.splitlines():
        word, _, rest = line.partition(" ")
        if word == "violation":
            name, nr, action, *detail = rest.split(" ", 3)
            got["violations"].append({"name": name, "nr": int(nr),
                                      "action": action,
                                      "detail": detail[0] if detail else ""})
        elif word in ("result", "end", "notify", "load_us"):
            got[word] = rest
    return got


@pytest.fixture(scope="module", autouse=True)
def notify_works():
    got = run("socket-unix")
    if got.get("notify") != "1":
        pytest.skip("the kernel cannot notify a listener here: "
                    + got["text"].strip())


def only(got: dict) -> dict:
    assert len(got["violations"]) == 1, got["text"]
    return got["violations"][0]


@pytest.mark.parametrize("case, name, detail", [
    ("ptrace", "ptrace", r"^request=PTRACE_ATTACH pid=\d+$"),
    ("clone-newuser", "clone", r"^flags=CLONE_NEWUSER exit_signal=17$"),
    ("tiocsti", "ioctl", r"^fd=0 cmd=TIOCSTI arg=0x[0-9a-f]+$"),
    ("tiocsti-high", "ioctl", r"^fd=0 cmd=TIOCSTI/0x100005412 arg="),
    ("socket-inet", "socket",
     r"^family=AF_INET type=SOCK_STREAM\|SOCK_CLOEXEC protocol=IPPROTO_TCP$"),
    ("socket-netlink", "socket",
     r"^family=AF_NETLINK type=SOCK_RAW protocol=NETLINK_ROUTE$"),
    ("connect-inet", "connect", r"^fd=\d+ addr=10\.1\.2\.3:8080$"),
    ("kill", "kill", r"^pid=999999 sig=SIGTERM$"),
    ("mount", "mount", r'^path="none" to="/mnt"$'),
    ("unshare", "unshare", r"^flags=CLONE_NEWNS\|CLONE_NEWNET$"),
    ("prctl-dumpable", "prctl", r"^option=PR_SET_DUMPABLE arg2=0x1$"),
    ("chmod", "chmod", r'^path="/tmp/gw\\x0a\\x22x\\x01" flags=0x1ff$'),
    ("chmod-unmapped", "chmod", r"^path=0x10\(unreadable\) flags=0x1ff$"),
    ("chmod-long", "chmod", r'^path="A{250,}"\.\.\. flags=0x1ff$'),
])
def test_forbidden_call_is_refused_and_described(case, name, detail):
    got = run(case)
    v = only(got)
    assert v["name"] == name and v["action"] == "errno"
    assert re.search(detail, v["detail"]), v["detail"]
    assert got["result"] == "ret=-1 errno=EPERM"
    assert got["end"] == "exit 0"


def test_a_long_line_is_cut_to_the_status_limit():
    got = run("link-long")
    line = next(l for l in got["text"].splitlines() if l.startswith("violation"))
    assert len(line) + 1 <= 512  # GW_JAIL_STATUS_MAX_BYTES, with its newline
    assert line.endswith("...") and "\\x7f" in line
    assert got["result"] == "ret=-1 errno=EPERM"


@pytest.mark.parametrize("case", ["fork", "thread", "socket-unix",
                                  "fionread-high", "raise", "prctl-name"])
def test_allowed_call_runs_unreported(case):
    got = run(case)
    assert got["violations"] == [], got["text"]
    assert got["result"].endswith("errno=0"), got["text"]


def test_clone3_answers_enosys_unreported():
    got = run("clone3")
    assert got["violations"] == []
    assert got["result"] == "ret=-1 errno=ENOSYS"


def test_kill_mode_reports_then_sandbox_ends():
    got = run("ptrace", "notify-kill")
    assert only(got)["action"] == "kill"
    assert got["end"] == f"signal {SIGKILL}"
    assert "result" not in got


@pytest.mark.parametrize("case", ["int80", "x32"])
@pytest.mark.parametrize("mode", ["notify-errno", "errno", "kill"])
def test_foreign_abi_kills_the_process(case, mode):
    got = run(case, mode)
    assert got["violations"] == []
    assert got["end"] == f"signal {SIGSYS}"


def test_without_a_listener_errno_mode_fails_quietly():
    got = run("ptrace", "errno")
    assert got["notify"] == "0" and got["violations"] == []
    assert got["result"] == "ret=-1 errno=EPERM"


def test_without_a_listener_kill_mode_kills():
    got = run("ptrace", "kill")
    assert got["end"] == f"signal {SIGSYS}"


def test_first_exec_passes_second_is_a_violation():
    got = run("exec-twice")
    v = only(got)
    assert v["name"] == "execve"
    assert v["detail"] == 'path="/bin/sh" argv="sh","-c","id"'
    assert got["result"] == "ret=-1 errno=EPERM"


def test_numpy_runs_under_the_filter(tmp_path):
    log = tmp_path / "log"
    out = subprocess.run([TRY, "--mode", "notify-kill", "--log", str(log), "--",
                          PYTHON, "-I", "-S", "-B", "-c", NUMPY_CODE],
                         capture_output=True, text=True, timeout=60)
    got = parse(log.read_text())
    assert got["violations"] == [], got["text"]
    assert out.returncode == 0 and out.stdout.strip() == "0.0", out.stderr


def test_worker_serves_a_session_under_the_filter(tmp_path):
    """The real worker, driven through reset, steps and close by the
    stand-in monitor of tests/python, with the filter in kill mode."""
    sys.path.insert(0, str(ROOT / "tests" / "python"))
    import fake_monitor

    log = tmp_path / "log"
    wrapper = tmp_path / "python3"
    wrapper.write_text(f"#!/bin/sh\nexec {TRY} --mode notify-kill --log {log} "
                       f"-- {PYTHON} \"$@\"\n")
    wrapper.chmod(0o755)
    fake_monitor.PYTHON = str(wrapper)
    action = {"type": "Discrete", "n": 4, "start": 0}
    obs = {"type": "Box", "dtype": "int64", "shape": [2], "low": 0, "high": 7}
    fm = fake_monitor.FakeMonitor(action, obs, "gridworld.env:GridWorldEnv",
                                  str(ROOT / "examples" / "gridworld"),
                                  kwargs={"size": 8})
    try:
        assert fm.spec()[0] == fake_monitor.SPEC
        fm.reset(seed=3)
        for a in range(20):
            fm.step(struct.pack("<q", a % 4))
    finally:
        status = fm.close()
    got = parse(log.read_text())
    assert got["violations"] == [], got["text"]
    assert status == 0


# ---- gymwarden sandbox export ---------------------------------------------

GYMWARDEN = os.environ.get("GW_GYMWARDEN", "build/src/cli/gymwarden")
TABLE = ROOT / "src" / "jail" / "seccomp_table.c"


def export(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([GYMWARDEN, "sandbox", "export", *args],
                          capture_output=True, text=True, timeout=60)


def table_names() -> set[str]:
    return set(re.findall(r'^\t(?:ALLOW|ALLOW_IF|FAIL|EXEC)\("(\w+)"',
                          TABLE.read_text(), re.M))


def test_oci_profile_names_the_table():
    import json

    out = export("--format", "oci", "--on-violation", "errno")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["defaultAction"] == "SCMP_ACT_ERRNO"
    assert doc["defaultErrnoRet"] == 1
    assert doc["architectures"] == ["SCMP_ARCH_X86_64"]
    names = {n for e in doc["syscalls"] for n in e["names"]}
    assert names == table_names()
    for e in doc["syscalls"]:
        assert e["action"] in ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO")
        for a in e.get("args", []):
            assert set(a) == {"index", "value", "valueTwo", "op"}
    ioctl = [e["args"][0]["valueTwo"] for e in doc["syscalls"]
             if e["names"] == ["ioctl"]]
    assert 0x5401 in ioctl and 0x5412 not in ioctl  # TCGETS, never TIOCSTI


OCI_RUN = os.environ.get("GW_OCI_RUN", "build/tests/seccomp/oci_run")


@pytest.mark.parametrize("mode", ["errno", "kill"])
def test_numpy_runs_under_the_exported_profile(tmp_path, mode):
    profile = tmp_path / "profile.json"
    out = export("--format", "oci", "--on-violation", mode)
    profile.write_text(out.stdout)
    run_ = subprocess.run([OCI_RUN, str(profile), PYTHON, "-I", "-S", "-B",
                           "-c", NUMPY_CODE], capture_output=True, text=True,
                          timeout=60)
    assert run_.returncode == 0 and run_.stdout.strip() == "0.0", run_.stderr


def test_the_exported_profile_refuses_a_network_socket(tmp_path):
    profile = tmp_path / "profile.json"
    profile.write_text(export("--format", "oci", "--on-violation",
                              "errno").stdout)
    code = "import socket; socket.socket(socket.AF_INET)"
    out = subprocess.run([OCI_RUN, str(profile), PYTHON, "-I", "-S", "-c",
                          code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "PermissionError" in out.stderr


def test_docker_flags_match_the_sandbox():
    out = export("--format", "docker", "--profile", "p.json")
    assert out.returncode == 0, out.stderr
    for flag in ("--security-opt seccomp=p.json", "no-new-privileges",
                 "--cap-drop ALL", "--network none", "--read-only",
                 "--tmpfs /tmp:size=67108864,noexec,nosuid,nodev",
                 "--pids-limit 32", "--memory 1073741824",
                 "--user 65534:65534", "--ulimit nofile=256:256"):
        assert flag in out.stdout, flag


def test_kubernetes_security_context_is_yaml():
    yaml = pytest.importorskip("yaml")
    out = export("--format", "kubernetes")
    assert out.returncode == 0, out.stderr
    doc = yaml.safe_load(out.stdout)
    sc = doc["securityContext"]
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["runAsUser"] == 65534 and sc["readOnlyRootFilesystem"] is True
    assert sc["seccompProfile"]["type"] == "Localhost"


def test_export_takes_an_envs_limits():
    out = export("--format", "docker", "--manifest",
                 str(ROOT / "examples" / "gymwarden.toml"), "--env",
                 "GridWorld-v0")
    assert out.returncode == 0, out.stderr
    assert "--pids-limit" in out.stdout


def test_export_refuses_an_unknown_env_or_action():
    out = export("--manifest", str(ROOT / "examples" / "gymwarden.toml"),
                 "--env", "NoSuch-v0")
    assert out.returncode == 2 and "no env 'NoSuch-v0'" in out.stderr
    # A manifest without the env whose limits to take is refused, not
    # silently replaced by the defaults.
    out = export("--manifest", str(ROOT / "examples" / "gymwarden.toml"))
    assert out.returncode == 2 and "needs --env" in out.stderr
    out = subprocess.run([GYMWARDEN, "sandbox", "import"],
                         capture_output=True, text=True)
    assert out.returncode == 2
