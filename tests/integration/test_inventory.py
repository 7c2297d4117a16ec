"""gymwarden inventory: env ids a trainer's code makes or registers, and
whether the manifest covers them (fixture app in tests/inventory/)."""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "inventory"
APP = FIXTURE / "app"
MANIFEST = FIXTURE / "gymwarden.toml"


def inventory_json(gw, *args, **kw):
    r = gw("inventory", str(APP), "--format", "json", *args, **kw)
    return r, json.loads(r.stdout)


def test_text_lists_uses_and_registrations(gw, tmp_path):
    r = gw("inventory", str(APP), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "train.py:12: gymnasium.make CartPole-v1" in lines
    assert ("train.py:13: gymnasium.make_vec Grid-v0 -> pkg.grid:GridEnv"
            in lines)
    assert "train.py:14: gymnasium.make (dynamic)" in lines
    assert "train.py:15: gymwarden.make MountainCar-v0" in lines
    assert "pkg/__init__.py:3: register Grid-v0 -> pkg.grid:GridEnv" in lines
    assert lines[-1] == "4 uses, 1 registrations"


def test_json_without_manifest(gw, tmp_path):
    r, doc = inventory_json(gw, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert doc["version"] == 1 and doc["kind"] == "inventory"
    assert doc["partial"] is False
    assert [u["id"] for u in doc["uses"]] == [
        "CartPole-v1", "Grid-v0", None, "MountainCar-v0"]
    assert all(u["covered"] is None for u in doc["uses"])
    assert doc["uncovered"] == []
    dyn = doc["uses"][2]
    assert dyn["dynamic"] is True and dyn["line"] == 14
    assert doc["registrations"] == [{
        "id": "Grid-v0", "entry_point": "pkg.grid:GridEnv",
        "file": "pkg/__init__.py", "line": 3}]


def test_manifest_coverage(gw, tmp_path):
    r, doc = inventory_json(gw, "--manifest", str(MANIFEST), cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    covered = {u["id"]: u["covered"] for u in doc["uses"]}
    assert covered == {"CartPole-v1": True, "Grid-v0": True, None: None,
                       "MountainCar-v0": False}
    assert doc["uncovered"] == ["MountainCar-v0"]
    text = gw("inventory", str(APP), "-m", str(MANIFEST), cwd=tmp_path)
    assert text.returncode == 1
    assert "MountainCar-v0 [not in manifest]" in text.stdout
    assert "CartPole-v1 [covered]" in text.stdout


def test_default_manifest_in_cwd(gw):
    r, doc = inventory_json(gw, cwd=FIXTURE)
    assert r.returncode == 1, r.stderr
    assert doc["uncovered"] == ["MountainCar-v0"]


def test_all_covered_exits_zero(gw, tmp_path):
    m = tmp_path / "m.toml"
    m.write_text(MANIFEST.read_text().replace('"app"', f'"{APP}"') + """
[[env]]
id = "MountainCar-v0"
source = "APP"
entry_point = "pkg.grid:GridEnv"
action_space = { type = "Discrete", n = 2 }
observation_space = { type = "Discrete", n = 2 }
""".replace("APP", str(APP)))
    r, doc = inventory_json(gw, "--manifest", str(m), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert doc["uncovered"] == []


def test_aliases_and_vector_make(gw, tmp_path):
    (tmp_path / "t.py").write_text(
        "import gym as g\n"
        "from gymnasium import register as reg\n"
        "g.vector.make('Pong-v4', 2)\n"
        "reg('Mine-v0', 'mine.env:Env')\n"
        "make('NotGym-v0')\n")
    r = gw("inventory", str(tmp_path / "t.py"), "-f", "json", cwd=tmp_path)
    doc = json.loads(r.stdout)
    assert r.returncode == 0, r.stderr
    assert [(u["id"], u["call"], u["line"]) for u in doc["uses"]] == [
        ("Pong-v4", "gym.vector.make", 3)]
    assert doc["registrations"][0]["id"] == "Mine-v0"
    assert doc["registrations"][0]["entry_point"] == "mine.env:Env"


def test_unparseable_file_is_partial(gw, tmp_path):
    (tmp_path / "ok.py").write_text("import gymnasium\ngymnasium.make('A-v0')\n")
    (tmp_path / "bad.py").write_text("def broken(:\n    pass\n")
    r = gw("inventory", str(tmp_path), "-f", "json", cwd=tmp_path)
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert doc["partial"] is True
    assert doc["uses"][0]["id"] == "A-v0"
    assert "bad.py" in r.stderr


def test_missing_path_and_bad_manifest(gw, tmp_path):
    r = gw("inventory", str(tmp_path / "nope"), cwd=tmp_path)
    assert r.returncode == 2
    assert "gymwarden: inventory:" in r.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[[env]\n")
    r = gw("inventory", str(APP), "-m", str(bad), cwd=tmp_path)
    assert r.returncode == 2
    assert "gymwarden: inventory:" in r.stderr
