"""[env.sanitize] end to end on the bundled Customers-v0, whose info carries
synthetic personal data: through `gymwarden run --format json` and through
`gymwarden.make` in a fresh interpreter. No raw value reaches the trainer,
the worker's log lines, the audit log or the recording; reversible tokens
come back with the key; DP fields are on their grid and withheld once the
episode's budget is spent; a key file that others can read is refused.

The raw values are computed here by running the example's own class in
this (test) process with the same seeds: its info depends only on the
seed, not on the actions taken."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT

EXAMPLES = ROOT / "examples"
EXAMPLE = EXAMPLES / "gymwarden.toml"
JAIL = BUILD / "src" / "jail" / "gymwarden-jail"
WORKER = BUILD / "python" / "gymwarden" / "worker.py"
ENV_ID = "Customers-v0"
TICKETS = 20
# [env.sanitize.dp] of Customers-v0: releases per episode.
BALANCE_RELEASES = 4
AGE_RELEASES = 2

pytestmark = pytest.mark.skipif(
    not (JAIL.exists() and WORKER.exists()),
    reason="the launcher or the worker is not built",
)


def raw_infos(seed: int, steps: int = TICKETS) -> list[dict]:
    """What Customers-v0 puts in info for reset(seed) and `steps` steps."""
    sys.path[:0] = [str(EXAMPLES / "_compat"), str(EXAMPLES / "customers")]
    try:
        from customers.env import CustomersEnv
    finally:
        del sys.path[:2]
    env = CustomersEnv()
    _, info = env.reset(seed=seed)
    out = [info]
    for _ in range(steps):
        *_, info = env.step(0)
        out.append(info)
    return out


def secrets_of(infos: list[dict]) -> set[str]:
    """Every personal value, and the digits of each card and phone."""
    found: set[str] = set()
    for info in infos:
        c = info["customer"]
        found.update(c[k] for k in ("name", "email", "phone", "card", "iban", "ip"))
        found.add(c["card"].replace("-", ""))
        found.add(c["phone"].replace("-", "").lstrip("+"))
        found.add(c["card"][:14])
    return found


def assert_clean(text: str, secrets: set[str], where: str) -> None:
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked, f"{where} holds raw values: {leaked[:5]}"


def check_dp(episodes: list[list[dict]]) -> None:
    """Balance on whole units for 4 infos, age on whole years for 2, then
    both null, in every episode (reset included)."""
    for infos in episodes:
        for i, info in enumerate(infos):
            bal, age = info["balance"], info["age"]
            if i < BALANCE_RELEASES:
                assert isinstance(bal, float) and bal == int(bal), bal
            else:
                assert bal is None, (i, bal)
            if i < AGE_RELEASES:
                assert isinstance(age, int) and not isinstance(age, bool), age
            else:
                assert age is None, (i, age)


def check_fields(infos: list[dict], raws: list[dict]) -> None:
    for got, raw in zip(infos, raws):
        c, rc = got["customer"], raw["customer"]
        assert "ip" not in c
        assert c["iban"] == ""
        assert c["name"].startswith("tok_")
        assert c["email"].startswith("gwt_")
        assert c["card"] == "****-****-****-" + rc["card"][-4:]
        assert c["phone"].endswith(rc["phone"][-4:])
        assert "<EMAIL>" in c["note"] and "<CARD>" in c["note"]


def recording_infos(path: pathlib.Path) -> list[list[dict]]:
    """The info of every reset and step of a plaintext recording."""
    episodes: list[list[dict]] = []
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        if rec["kind"] == "reset":
            episodes.append([rec["info"]])
        elif rec["kind"] == "step":
            episodes[-1].append(rec["info"])
    return episodes


def detokenize(gw, key: pathlib.Path, text: str) -> str:
    out = gw("detokenize", "--key", str(key), input=text)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture(scope="module")
def key(approved_examples) -> pathlib.Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from approve_examples import SANITIZE_KEY

    assert SANITIZE_KEY.exists()
    assert SANITIZE_KEY.stat().st_mode & 0o077 == 0
    return SANITIZE_KEY


@pytest.fixture
def gwenv() -> dict[str, str]:
    return {"GYMWARDEN_JAIL": str(JAIL), "GYMWARDEN_WORKER": str(WORKER)}


def test_run_json_keeps_personal_data_from_report_log_and_recording(
        gw, gwenv, key, tmp_path):
    trail = tmp_path / "trail"
    trail.mkdir(mode=0o700)
    audit, record = trail / "audit.jsonl", trail / "run.gwrec"
    out = gw("run", str(EXAMPLE), "--env", ENV_ID, "--episodes", "2",
             "--seed", "5", "--format", "json", "--audit", str(audit),
             "--record", str(record), env=gwenv)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    raws = [raw_infos(5), raw_infos(6)]
    secrets = secrets_of(raws[0] + raws[1])

    assert_clean(out.stdout, secrets, "the JSON report")
    assert_clean(out.stderr, secrets, "the worker's log lines")
    assert "shift opens with <EMAIL>" in out.stderr
    assert_clean(audit.read_text(), secrets, "the audit log")
    assert_clean(record.read_text(), secrets, "the recording")

    s = report["sanitized"]
    assert s["email"] >= 2 * (TICKETS + 1)  # notes, plus the log lines
    assert s["card"] >= 2 * (TICKETS + 1) and s["phone"] >= 2 * (TICKETS + 1)
    assert s["dropped"] == 2 * (TICKETS + 1)
    assert s["field_tokenize"] == s["field_hash"] == 2 * (TICKETS + 1)
    assert s["field_mask"] == 4 * (TICKETS + 1)
    assert s["dp_released"] == 2 * (BALANCE_RELEASES + AGE_RELEASES)
    assert s["dp_withheld"] == 2 * (2 * (TICKETS + 1) - BALANCE_RELEASES
                                    - AGE_RELEASES)
    assert any("dp_release" in p["detail"] for p in report["privacy"])

    episodes = recording_infos(record)
    assert [len(e) for e in episodes] == [TICKETS + 1, TICKETS + 1]
    check_dp(episodes)
    for got, raw in zip(episodes, raws):
        check_fields(got, raw)
    tokens = "\n".join(i["customer"]["email"] for i in episodes[0])
    back = detokenize(gw, key, tokens + "\n").splitlines()
    assert back == [i["customer"]["email"] for i in raws[0]]


MAKE_SCRIPT = r"""
import json, sys
import gymwarden
manifest, record, audit = sys.argv[1:4]
env = gymwarden.make("Customers-v0", manifest=manifest, record=record,
                     audit=audit)
infos = []
for seed in (11, 12):
    _, info = env.reset(seed=seed)
    ep = [info]
    done = False
    while not done:
        _, _, term, trunc, info = env.step(1)
        ep.append(info)
        done = term or trunc
    infos.append(ep)
counts = env.sanitize_counts()
env.close()
leaked = sorted(m for m in sys.modules if m.split(".")[0] in
                ("customers", "gwexample_compat", "gymnasium"))
print(json.dumps({"infos": infos, "counts": counts, "modules": leaked}))
"""


def test_make_returns_sanitized_info_and_imports_nothing_of_the_env(
        gwenv, key, tmp_path):
    trail = tmp_path / "trail"
    trail.mkdir(mode=0o700)
    audit, record = trail / "audit.jsonl", trail / "make.gwrec"
    env = dict(os.environ, PYTHONPATH=str(BUILD / "python"), **gwenv)
    out = subprocess.run(["/usr/bin/python3", "-c", MAKE_SCRIPT, str(EXAMPLE),
                          str(record), str(audit)], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    raws = [raw_infos(11), raw_infos(12)]
    secrets = secrets_of(raws[0] + raws[1])

    assert got["modules"] == []
    assert_clean(out.stdout, secrets, "what make returned")
    assert_clean(out.stderr, secrets, "the client's log")
    assert_clean(audit.read_text(), secrets, "the audit log")
    assert_clean(record.read_text(), secrets, "the recording")
    check_dp(got["infos"])
    for ep, raw in zip(got["infos"], raws):
        check_fields(ep, raw)
    assert got["counts"]["dp_released"] == 2 * (BALANCE_RELEASES + AGE_RELEASES)
    assert recording_infos(record) == got["infos"]

    kinds = [json.loads(line)["kind"] for line in audit.read_text().splitlines()]
    assert kinds.count("dp_release") == 2 * (BALANCE_RELEASES + AGE_RELEASES)
    assert "dp_withheld" in kinds and kinds[-2:] == ["env_close", "close"]


def tmp_manifest(tmp_path: pathlib.Path, key_file: pathlib.Path,
                 on_exhausted: str = "withhold") -> pathlib.Path:
    """Customers-v0 with vetting off and a key file of the caller's."""
    text = f"""vetting = "off"
[[env]]
id = "Customers-v0"
source = "{EXAMPLES / 'customers'}"
entry_point = "customers.env:CustomersEnv"
dependency_paths = ["{EXAMPLES / '_compat'}"]
action_space = {{ type = "Discrete", n = 3 }}
observation_space = {{ type = "Box", dtype = "float32", shape = [3], low = 0.0, high = 1.0 }}
[env.sanitize]
key_file = "{key_file}"
fields = {{ "info.customer.email" = "tokenize" }}
[env.sanitize.dp]
"info.balance" = {{ lower = 0, upper = 20000, epsilon = 1.0, epsilon_per_release = 0.25, granularity = "2^-2", on_exhausted = "{on_exhausted}" }}
"""
    path = tmp_path / "gymwarden.toml"
    path.write_text(text)
    return path


def make_key(path: pathlib.Path, mode: int) -> pathlib.Path:
    path.write_bytes(os.urandom(32))
    os.chmod(path, mode)
    return path


def test_end_episode_truncates_when_the_budget_is_spent(gw, gwenv, tmp_path):
    key_file = make_key(tmp_path / "k.key", 0o600)
    manifest = tmp_manifest(tmp_path, key_file, "end_episode")
    out = gw("run", str(manifest), "--env", ENV_ID, "--episodes", "2",
             "--format", "json", env=gwenv)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    # reset and three steps release; the fourth step finds it spent.
    assert [e["steps"] for e in report["episodes"]] == [BALANCE_RELEASES] * 2
    assert [e["end"] for e in report["episodes"]] == ["truncated"] * 2
    assert report["sanitized"]["dp_withheld"] == 2
    assert any("end_episode" in p["detail"] for p in report["privacy"])


def test_quarter_grid_and_default_label(gw, gwenv, tmp_path):
    key_file = make_key(tmp_path / "k.key", 0o600)
    record = tmp_path / "r.gwrec"
    manifest = tmp_manifest(tmp_path, key_file)
    out = gw("run", str(manifest), "--env", ENV_ID, "--episodes", "1",
             "--record", str(record), env=gwenv)
    assert out.returncode == 0, out.stderr
    infos = recording_infos(record)[0]
    released = [i["balance"] for i in infos if i["balance"] is not None]
    assert len(released) == BALANCE_RELEASES
    assert all((b * 4).is_integer() for b in released)
    # default = "label" when the table leaves it out.
    assert all(i["customer"]["card"] == "<CARD>" for i in infos)
    assert all(i["customer"]["ip"] == "<IPV4>" for i in infos)


@pytest.mark.parametrize("mode", [0o640, 0o604])
def test_key_file_others_can_read_is_refused_at_open(gw, gwenv, tmp_path,
                                                       mode):
    key_file = make_key(tmp_path / "k.key", mode)
    manifest = tmp_manifest(tmp_path, key_file)
    assert gw("manifest", "check", str(manifest)).returncode == 0
    out = gw("run", str(manifest), "--env", ENV_ID, env=gwenv)
    assert out.returncode == 2
    assert "k.key" in out.stderr and "600" in out.stderr


def test_missing_key_file_is_refused_at_open(gw, gwenv, tmp_path):
    manifest = tmp_manifest(tmp_path, tmp_path / "absent.key")
    out = gw("run", str(manifest), "--env", ENV_ID, env=gwenv)
    assert out.returncode == 2
    assert "absent.key" in out.stderr


# A Text observation, arrays in info, a number under a `fields` rule and
# a policy that drops log lines: an env written here, run without vetting.
TEXT_ENV = '''
import sys
from gwexample_compat import Env, spaces

CHARSET = "abcdefghijklmnopqrstuvwxyz0123456789@._ "


class MailEnv(Env):
    def __init__(self):
        self.observation_space = spaces.Text(48, min_length=1, charset=CHARSET)
        self.action_space = spaces.Discrete(2)
        self.n = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.n = 0
        print("mailing ada.lovelace@example.com", file=sys.stderr)
        print("nothing personal here", file=sys.stderr)
        return "mail ada.lovelace@example.com now", self._info()

    def step(self, action):
        self.n += 1
        return "to bob99@example.org", 0.0, self.n >= 3, False, self._info()

    def _info(self):
        return {"log": ["contact carol@example.net", 7],
                "orders": [{"card": "4111 1111 1111 1111", "n": 2}],
                "secret_id": 918273645}
'''

TEXT_MANIFEST = '''vetting = "off"
[[env]]
id = "Mail-v0"
source = "{src}"
entry_point = "mailenv:MailEnv"
dependency_paths = ["{compat}"]
action_space = {{ type = "Discrete", n = 2 }}
observation_space = {{ type = "Text", min_length = 1, max_length = 48, charset = " .0123456789@_abcdefghijklmnopqrstuvwxyz" }}
[env.sanitize]
default = "redact"
text_observations = "label"
logs = "drop"
key_file = "{key}"
fields = {{ "info.orders[0].card" = "label", "info.secret_id" = "hash" }}
'''


def test_text_observations_arrays_numbers_and_dropped_lines(gw, gwenv,
                                                            tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "mailenv.py").write_text(TEXT_ENV)
    key_file = make_key(tmp_path / "k.key", 0o600)
    manifest = tmp_path / "gymwarden.toml"
    manifest.write_text(TEXT_MANIFEST.format(
        src=src, compat=EXAMPLES / "_compat", key=key_file))
    record = tmp_path / "mail.gwrec"
    out = gw("run", str(manifest), "--env", "Mail-v0", "--episodes", "1",
             "--format", "json", "--record", str(record), env=gwenv)
    assert out.returncode == 0, out.stdout + out.stderr
    for raw in ("ada.lovelace", "bob99", "carol@", "4111", "918273645"):
        assert raw not in out.stdout + out.stderr + record.read_text(), raw
    # The clean line is passed on, the one with an address is not.
    assert "nothing personal here" in out.stderr
    assert json.loads(out.stdout)["sanitized"]["log_lines_dropped"] == 1

    recs = [json.loads(x) for x in record.read_text().splitlines()]
    env = next(r for r in recs if r["kind"] == "env")
    first = next(r for r in recs if r["kind"] == "reset")
    info = first["info"]
    assert info["log"] == ["contact ", 7]
    assert info["orders"] == [{"card": "<CARD>", "n": 2}]
    assert info["secret_id"].startswith("tok_")
    # "<EMAIL>" is outside the charset: each character of the finding
    # is masked with one that is in it, so the Text still fits.
    obs = gw_decode_text(env, first["obs"])
    assert obs.startswith("mail ") and obs.endswith(" now")
    assert len(obs) == len("mail ada.lovelace@example.com now")
    assert set(obs[5:-4]) == {"_"}, obs


def gw_decode_text(env_record: dict, sample: dict) -> str:
    """A packed Text observation: u32 length, then UTF-8."""
    import base64
    import struct

    data = base64.b64decode(sample["b64"])
    (n,) = struct.unpack_from("<I", data, 0)
    return data[4 : 4 + n].decode()


REFUSE_SCRIPT = r"""
import sys
import gymwarden
try:
    gymwarden.make("Customers-v0", manifest=sys.argv[1], record=sys.argv[2])
except gymwarden.GymwardenError as e:
    print(type(e).__name__, e)
    sys.exit(3)
"""


def test_make_refuses_a_recording_that_exists(gwenv, key, tmp_path):
    trail = tmp_path / "trail"
    trail.mkdir(mode=0o700)
    record = trail / "old.gwrec"
    record.write_text("keep me\n")
    env = dict(os.environ, PYTHONPATH=str(BUILD / "python"), **gwenv)
    out = subprocess.run(["/usr/bin/python3", "-c", REFUSE_SCRIPT,
                          str(EXAMPLE), str(record)], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=60)
    assert out.returncode == 3, out.stdout + out.stderr
    assert record.read_text() == "keep me\n"


PII_ENV = '''
import sys
import numpy as np
from gwexample_compat import Env, spaces


class Pii(Env):
    def __init__(self):
        self.action_space = spaces.Discrete(2)
        self.observation_space = spaces.Box(-1, 1, (1,), np.float32)

    def reset(self, *, seed=None, options=None):
        # A line past the log's 512-byte cut, with an entity across it.
        print("A" * 440 + " " + "B" * 40 + " cut.mail@example.org "
              "4111 1111 1111 1111 tail", file=sys.stderr)
        return np.zeros(1, np.float32), {}

    def step(self, a):
        info = {"bob.key@example.org": 1, "4111 1111 1111 1111": 2,
                "<EMAIL>": 3, "raw": b"bob.bytes@example.org",
                "ok": "fine"}
        return np.zeros(1, np.float32), 0.0, True, False, info
'''


def test_keys_bytes_and_cut_log_lines_carry_no_personal_data(gw, tmp_path):
    # The worker runs as nobody: the tree must be readable by others
    # (pytest makes its folders 0700).
    tmp_path.chmod(0o755)
    pkg = tmp_path / "piienv"
    pkg.mkdir(mode=0o755)
    (pkg / "__init__.py").write_text(PII_ENV)
    (pkg / "__init__.py").chmod(0o644)
    manifest = tmp_path / "gymwarden.toml"
    manifest.write_text(f'''vetting = "off"
[[env]]
id = "Pii-v0"
source = "{tmp_path}"
entry_point = "piienv:Pii"
dependency_paths = ["{EXAMPLES / '_compat'}"]
action_space = {{ type = "Discrete", n = 2 }}
observation_space = {{ type = "Box", dtype = "float32", shape = [1], low = -1.0, high = 1.0 }}
[env.sanitize]
default = "label"
''')
    env = {"GYMWARDEN_JAIL": str(JAIL), "GYMWARDEN_WORKER": str(WORKER)}
    (tmp_path / "rec").mkdir(mode=0o700)
    out = tmp_path / "rec" / "out.jsonl"
    proc = gw("run", str(manifest), "--env", "Pii-v0", "--episodes", "1",
              "--format", "json", "--record", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    text = proc.stdout + proc.stderr + out.read_text()
    for secret in ("bob.key", "4111", "bob.bytes", "cut.mail", "example.org"):
        assert secret not in text, secret
    # Keys were labelled, the one that met an existing key got its
    # position; the bytes were withheld.
    assert doc["sanitized"]["keys_changed"] == 2
    assert doc["sanitized"]["bytes_withheld"] == 1
    rp = gw("replay", str(out), "--format", "json", env=env)
    assert rp.returncode == 0, rp.stderr
    assert "<EMAIL>#0" in rp.stdout and "<CARD>" in rp.stdout
