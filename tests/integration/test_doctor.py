"""`gymwarden doctor` against evidence gathered independently.

The test runs doctor as root and as an unprivileged user (uid 65534 via
setpriv), and in the same identity runs a small Python program that
probes the kernel on its own: it reads the procfs and cgroup files and
tries unshare(), seccomp() and landlock_create_ruleset() through ctypes.
The report must agree with that evidence, so a doctor that guessed or
lied about this host fails here. Nothing is hard-coded to one kernel.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import time

import pytest

NOBODY = 65534
PY = "/usr/bin/python3"

LAYERS = [
    "user-ns",
    "pid-ns",
    "mount-ns",
    "net-ns",
    "ipc-ns",
    "uts-ns",
    "cgroup-ns",
    "seccomp",
    "seccomp-notify",
    "landlock",
    "cgroup-v2",
    "no-new-privs",
    "tiocsti",
]
STATUSES = {"available", "partial", "unavailable"}
ACTIONS = {"refuses", "degrades", "warns"}
WANTED_CONTROLLERS = {"memory", "pids", "cpu"}
LANDLOCK_WANTED_ABI = 6

# Run as `python3 -I -c EVIDENCE` in the identity under test; prints JSON.
EVIDENCE = r'''
import ctypes, errno, json, os, platform, re

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR_SECCOMP = {"x86_64": 317, "aarch64": 277}.get(platform.machine())
NS_FLAGS = {"user": 0x10000000, "pid": 0x20000000, "mount": 0x00020000,
            "net": 0x40000000, "ipc": 0x08000000, "uts": 0x04000000,
            "cgroup": 0x02000000}


def name(code):
    return "ok" if code == 0 else errno.errorcode.get(code, "EUNKNOWN")


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def sysctl(path):
    text = read(path)
    return None if text is None else int(text)


def in_child(fn):
    pid = os.fork()
    if pid == 0:
        try:
            code = fn()
        except BaseException:
            code = 254
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return name(os.waitstatus_to_exitcode(status))


def unshare(flags):
    return 0 if libc.unshare(flags) == 0 else ctypes.get_errno()


def as_nobody_unshare():
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
    return unshare(NS_FLAGS["user"])


class Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8),
                ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]


def seccomp_filter(flags):
    allow = Filter(0x06, 0, 0, 0x7FFF0000)  # BPF_RET|BPF_K, RET_ALLOW
    prog = Prog(1, ctypes.pointer(allow))
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return ctypes.get_errno()
    r = libc.syscall(NR_SECCOMP, 1, ctypes.c_ulong(flags), ctypes.byref(prog))
    return 0 if r >= 0 else ctypes.get_errno()


def cap_sys_admin():
    for line in read("/proc/self/status").splitlines():
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) >> 21 & 1)
    return None


def unescape(field):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def mounts():
    out = []
    for line in read("/proc/self/mountinfo").splitlines():
        left, right = line.split(" - ", 1)
        f, r = left.split(), right.split()
        out.append({"root": unescape(f[3]), "mount": unescape(f[4]),
                    "fstype": r[0], "opts": r[2].split(",")})
    return out


def self_cgroups():
    out = {}
    for line in read("/proc/self/cgroup").splitlines():
        h, ctl, path = line.split(":", 2)
        out[(int(h), ctl)] = path
    return out


def holds(root, path):
    return root == "/" or path == root or path.startswith(root + "/")


def join(mount, root, path):
    rel = path if root == "/" else path[len(root):]
    return os.path.normpath(mount + "/" + rel.lstrip("/"))


def words(path):
    text = read(path)
    return None if text is None else text.split()


def cgroup_v2(all_mounts, cg):
    path = cg.get((0, ""))
    cands = [m for m in all_mounts if m["fstype"] == "cgroup2"]
    good = [m for m in cands if path and holds(m["root"], path)]
    m = (good or cands or [None])[0]
    if m is None:
        return None
    d = join(m["mount"], m["root"], path)
    child = os.path.join(d, "gwtest-evidence-%d" % os.getpid())
    try:
        os.mkdir(child)
        os.rmdir(child)
        made = "ok"
    except OSError as e:
        made = errno.errorcode[e.errno]
    return {"mount": m["mount"], "path": path, "dir": d,
            "root_controllers": words(m["mount"] + "/cgroup.controllers"),
            "controllers": words(d + "/cgroup.controllers"),
            "subtree_control": words(d + "/cgroup.subtree_control"),
            "procs_writable": os.access(d + "/cgroup.procs", os.W_OK),
            "subtree_writable":
                os.access(d + "/cgroup.subtree_control", os.W_OK),
            "create_child": made,
            "entries": sorted(os.listdir(d))}


def cgroup_v1(all_mounts, cg):
    out = []
    for line in read("/proc/cgroups").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        n, h, _, en = line.split()
        e = {"name": n, "hierarchy": int(h), "enabled": en == "1",
             "mount": None, "path": None, "writable": None}
        paths = [p for (hh, ctl), p in cg.items()
                 if hh != 0 and n in ctl.split(",")]
        ms = [m for m in all_mounts
              if m["fstype"] == "cgroup" and n in m["opts"]]
        if e["hierarchy"] and e["enabled"] and paths and ms:
            good = [m for m in ms if holds(m["root"], paths[0])] or ms
            e["mount"], e["path"] = good[0]["mount"], paths[0]
            d = join(good[0]["mount"], good[0]["root"], paths[0])
            e["writable"] = os.access(d, os.W_OK)
        out.append(e)
    return out


root = os.geteuid() == 0
privileged = root and cap_sys_admin()
ll = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
ll_err = ctypes.get_errno()
actions = read("/proc/sys/kernel/seccomp/actions_avail")
all_mounts, cg = mounts(), self_cgroups()
ns = {}
for kind, flag in NS_FLAGS.items():
    if kind == "user":
        continue
    extra = 0 if privileged else NS_FLAGS["user"]
    ns[kind] = in_child(lambda f=flag | extra: unshare(f))

print(json.dumps({
    "uid": os.getuid(), "euid": os.geteuid(),
    "kernel": os.uname().release,
    "cap_sys_admin": cap_sys_admin(),
    "landlock_abi": ll if ll > 0 else 0,
    "landlock_error": None if ll > 0 else errno.errorcode.get(ll_err),
    "actions_avail": None if actions is None else actions.split(),
    "legacy_tiocsti": sysctl("/proc/sys/dev/tty/legacy_tiocsti"),
    "max_user_namespaces": sysctl("/proc/sys/user/max_user_namespaces"),
    "unprivileged_userns_clone":
        sysctl("/proc/sys/kernel/unprivileged_userns_clone"),
    "userns_root": in_child(lambda: unshare(NS_FLAGS["user"]))
        if root else None,
    "userns_unprivileged": in_child(as_nobody_unshare) if root
        else in_child(lambda: unshare(NS_FLAGS["user"])),
    "namespaces": ns,
    "via_userns": not privileged,
    "seccomp_filter": None if NR_SECCOMP is None
        else in_child(lambda: seccomp_filter(0)),
    "seccomp_listener": None if NR_SECCOMP is None
        else in_child(lambda: seccomp_filter(8)),
    "no_new_privs": in_child(lambda: 0 if libc.prctl(38, 1, 0, 0, 0) == 0
                             else ctypes.get_errno()),
    "cgroup_v2": cgroup_v2(all_mounts, cg),
    "cgroup_v1": cgroup_v1(all_mounts, cg),
}))
'''


def _is_root() -> bool:
    return os.geteuid() == 0


@pytest.fixture(scope="module")
def public_exe(build_dir: pathlib.Path):
    """The gymwarden binary copied where uid 65534 can run it: the build
    folder may sit under a directory only its owner can enter."""
    tmp = tempfile.mkdtemp(prefix="gw-doctor-")
    os.chmod(tmp, 0o755)
    exe = pathlib.Path(tmp) / "gymwarden"
    shutil.copy2(build_dir / "src" / "cli" / "gymwarden", exe)
    exe.chmod(0o755)
    yield exe
    shutil.rmtree(tmp)


def _prefix(who: str) -> list[str]:
    """The command prefix that runs as who ("root" or "nobody")."""
    if who == "root":
        if not _is_root():
            pytest.skip("needs root")
        return []
    if not _is_root():
        return []  # already unprivileged: run as ourselves
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    return [
        "setpriv",
        f"--reuid={NOBODY}",
        f"--regid={NOBODY}",
        "--clear-groups",
        "--",
    ]


def _run(prefix: list[str], *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LC_ALL": "C"}
    return subprocess.run(
        [*prefix, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
        env=env,
    )


def _probe_children(ev: dict) -> set[str]:
    v2 = ev["cgroup_v2"]
    if not v2:
        return set()
    try:
        return {e for e in os.listdir(v2["dir"]) if e.startswith("gymwarden")}
    except OSError:
        return set()


@pytest.fixture(scope="module", params=["root", "nobody"])
def observed(request, public_exe: pathlib.Path):
    """(who, evidence, doctor's JSON document, exit status, seconds)."""
    who = request.param
    prefix = _prefix(who)
    ev_run = _run(prefix, PY, "-I", "-c", EVIDENCE)
    assert ev_run.returncode == 0, ev_run.stderr
    ev = json.loads(ev_run.stdout)

    before = _probe_children(ev)
    start = time.monotonic()
    res = _run(prefix, str(public_exe), "doctor", "--format", "json")
    took = time.monotonic() - start
    assert res.returncode in (0, 1), res.stderr
    doc = json.loads(res.stdout)
    assert _probe_children(ev) == before, "doctor left a child cgroup"
    return who, ev, doc, res.returncode, took


def _layers(doc: dict) -> dict[str, dict]:
    return {layer["name"]: layer for layer in doc["layers"]}


def test_doctor_json_has_the_documented_shape(observed):
    _, _, doc, rc, _ = observed
    assert doc["version"] == 1
    assert doc["kind"] == "doctor"
    assert doc["probe_error"] is None
    assert [layer["name"] for layer in doc["layers"]] == LAYERS
    for layer in doc["layers"]:
        assert set(layer) == {
            "name",
            "status",
            "detail",
            "enforcement",
            "fallback",
            "hint",
            "launcher_layers",
        }
        assert layer["status"] in STATUSES
        # Each host fact names the launcher layers it decides, by the
        # names `run` reports and sandbox.require takes.
        assert layer["launcher_layers"]
        assert set(layer["launcher_layers"]) <= set(doc["launcher_applies"])
        assert layer["detail"] and layer["enforcement"]
        if layer["status"] == "available":
            assert layer["fallback"] is None, layer
        else:
            assert layer["fallback"]["action"] in ACTIONS, layer
            assert layer["fallback"]["explanation"], layer
        assert layer["hint"] is None or layer["hint"]


def test_doctor_exit_status_and_summary_follow_the_layers(observed):
    _, _, doc, rc, _ = observed
    counts = {s: 0 for s in STATUSES}
    for layer in doc["layers"]:
        counts[layer["status"]] += 1
    assert doc["summary"] == counts
    assert rc == (0 if counts["available"] == len(LAYERS) else 1)


def test_doctor_finishes_promptly(observed):
    assert observed[4] < 30


def test_doctor_reports_who_we_are(observed):
    _, ev, doc, _, _ = observed
    host = doc["host"]
    assert host["uid"] == ev["uid"]
    assert host["euid"] == ev["euid"]
    assert host["root"] == (ev["euid"] == 0)
    assert host["kernel"] == ev["kernel"]
    assert host["cap_sys_admin"] == ev["cap_sys_admin"]


def test_doctor_landlock_abi_matches_the_syscall(observed):
    _, ev, doc, _, _ = observed
    ll = doc["host"]["landlock"]
    assert ll["abi"] == ev["landlock_abi"]
    assert ll["error"] == ev["landlock_error"]
    status = _layers(doc)["landlock"]["status"]
    if ev["landlock_abi"] >= LANDLOCK_WANTED_ABI:
        assert status == "available"
    elif ev["landlock_abi"] > 0:
        assert status == "partial"
    else:
        assert status == "unavailable"


def test_doctor_seccomp_matches_actions_avail_and_a_real_filter(observed):
    _, ev, doc, _, _ = observed
    sc = doc["host"]["seccomp"]
    layers = _layers(doc)
    assert sc["actions_avail"] == ev["actions_avail"]
    if ev["seccomp_filter"] is None:
        pytest.skip("no seccomp syscall number known for this machine")
    assert sc["filter"] == ev["seccomp_filter"]
    assert sc["listener"] == ev["seccomp_listener"]
    assert (layers["seccomp"]["status"] == "available") == (
        ev["seccomp_filter"] == "ok"
    )
    assert (layers["seccomp-notify"]["status"] == "available") == (
        ev["seccomp_listener"] == "ok"
    )
    if ev["seccomp_listener"] == "ok" and ev["actions_avail"] is not None:
        assert "user_notif" in ev["actions_avail"]


def test_doctor_user_namespaces_match_real_attempts(observed):
    _, ev, doc, _, _ = observed
    un = doc["host"]["user_namespaces"]
    assert un["max_user_namespaces"] == ev["max_user_namespaces"]
    assert un["unprivileged_userns_clone"] == ev["unprivileged_userns_clone"]
    assert un["root"] == ev["userns_root"]
    assert un["unprivileged"] == ev["userns_unprivileged"]
    mine = ev["userns_root"] if ev["euid"] == 0 else ev["userns_unprivileged"]
    status = _layers(doc)["user-ns"]["status"]
    if mine != "ok":
        assert status == "unavailable"
    elif ev["userns_unprivileged"] != "ok":
        assert status == "partial"
    else:
        assert status == "available"


def test_doctor_each_namespace_kind_matches_a_real_unshare(observed):
    _, ev, doc, _, _ = observed
    ns = doc["host"]["namespaces"]
    layers = _layers(doc)
    assert ns["via_user_namespace"] == ev["via_userns"]
    for kind, result in ev["namespaces"].items():
        assert ns[kind] == result, kind
        assert (layers[f"{kind}-ns"]["status"] == "available") == (
            result == "ok"
        ), kind


def test_doctor_no_new_privs_and_tiocsti_match(observed):
    _, ev, doc, _, _ = observed
    layers = _layers(doc)
    assert doc["host"]["no_new_privs"]["settable"] == ev["no_new_privs"]
    assert doc["host"]["legacy_tiocsti"] == ev["legacy_tiocsti"]
    tiocsti = layers["tiocsti"]
    assert (tiocsti["status"] == "available") == (ev["legacy_tiocsti"] == 0)
    if ev["legacy_tiocsti"] == 1:
        assert tiocsti["hint"] == "sysctl dev.tty.legacy_tiocsti=0"


def test_doctor_cgroup_v2_matches_the_hierarchy(observed):
    _, ev, doc, _, _ = observed
    got, want = doc["host"]["cgroup_v2"], ev["cgroup_v2"]
    layer = _layers(doc)["cgroup-v2"]
    if want is None:
        assert got["error"] == "ENOENT"
        assert layer["status"] == "unavailable"
        return
    for key in (
        "mount",
        "path",
        "dir",
        "root_controllers",
        "controllers",
        "subtree_control",
        "create_child",
    ):
        assert got[key] == want[key], key
    assert (got["procs_writable"] == "ok") == want["procs_writable"]
    if got["create_child"] == "ok":
        assert got["remove_child"] == "ok"

    delegated = got["delegated"]
    assert delegated == (
        want["create_child"] == "ok"
        and want["procs_writable"]
        and want["subtree_writable"]
    )
    has_all = WANTED_CONTROLLERS <= set(want["controllers"] or [])
    if not delegated:
        assert layer["status"] == "unavailable"
    else:
        assert layer["status"] == ("available" if has_all else "partial")


def test_doctor_cgroup_v1_matches_proc_cgroups(observed):
    _, ev, doc, _, _ = observed
    got = doc["host"]["cgroup_v1"]
    want = ev["cgroup_v1"]
    assert [c["name"] for c in got] == [c["name"] for c in want]
    for g, w in zip(got, want):
        assert g["hierarchy"] == w["hierarchy"], g["name"]
        assert g["enabled"] == w["enabled"], g["name"]
        assert g["mount"] == w["mount"], g["name"]
        assert g["path"] == w["path"], g["name"]
        if w["writable"] is None:
            assert g["writable"] is None, g["name"]
        else:
            assert (g["writable"] == "ok") == w["writable"], g["name"]

    # Only root falls back to v1, and only to hierarchies it can write.
    layer = _layers(doc)["cgroup-v2"]
    if layer["status"] == "available":
        return
    why = layer["fallback"]["explanation"]
    usable = {
        c["name"] for c in want if c["hierarchy"] and c["mount"] and c["writable"]
    }
    in_v2 = set(doc["host"]["cgroup_v2"]["controllers"] or [])
    if not doc["host"]["cgroup_v2"]["delegated"]:
        in_v2 = set()
    via_v1 = (WANTED_CONTROLLERS - in_v2) & usable if ev["euid"] == 0 else set()
    if via_v1:
        assert "through cgroup v1 as root" in why
        for name in via_v1:
            assert name in why.split(" through cgroup v1")[0]
    else:
        assert "cgroup v1" not in why
    if WANTED_CONTROLLERS - in_v2 - via_v1:
        assert "rlimits" in why
    else:
        assert "rlimits" not in why


def test_doctor_as_nobody_tries_nothing_as_root(observed):
    _, ev, doc, _, _ = observed
    if ev["euid"] == 0:
        pytest.skip("this check is for the unprivileged run")
    assert doc["host"]["user_namespaces"]["root"] is None
    assert doc["host"]["namespaces"]["via_user_namespace"] is True
    for layer in doc["layers"]:
        assert "as root" not in layer["detail"], layer["name"]


LAYER_LINE = re.compile(r"^(\S+)\s+(available|partial|unavailable)\s+\S")


@pytest.mark.parametrize("who", ["root", "nobody"])
def test_doctor_text_agrees_with_json(who, public_exe):
    prefix = _prefix(who)
    text = _run(prefix, str(public_exe), "doctor")
    js = _run(prefix, str(public_exe), "doctor", "--format", "json")
    assert text.returncode == js.returncode
    assert "\x1b" not in text.stdout, "colour despite NO_COLOR"
    layers = _layers(json.loads(js.stdout))

    lines = text.stdout.splitlines()
    assert lines[0].startswith("gymwarden doctor")
    seen = {}
    for i, line in enumerate(lines):
        m = LAYER_LINE.match(line)
        if not m:
            continue
        name, status = m.groups()
        seen[name] = status
        below = lines[i + 1 : i + 4]
        assert below and below[0].startswith(" " * 16), name
        assert below[0].strip() == layers[name]["detail"], name
        fallback = layers[name]["fallback"]
        if fallback:
            assert any(
                ln.split()[:1] == [fallback["action"]] for ln in below
            ), name
        if layers[name]["hint"]:
            assert any(ln.split()[:1] == ["hint"] for ln in below), name
    assert seen == {n: layer["status"] for n, layer in layers.items()}
    assert re.search(r"^13 layers: \d+ available", text.stdout, re.M)


def test_doctor_help_lists_the_format_option(gw):
    res = gw("doctor", "--help")
    assert res.returncode == 0
    assert "--format" in res.stdout
    assert "text json" in res.stdout
    assert "Usage: gymwarden doctor" in res.stdout


def test_doctor_rejects_unknown_format_and_arguments(gw):
    res = gw("doctor", "--format", "yaml")
    assert res.returncode == 2
    assert "yaml" in res.stderr
    res = gw("doctor", "extra")
    assert res.returncode == 2
