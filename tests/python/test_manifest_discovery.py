"""Which manifest make uses: the argument, $GYMWARDEN_MANIFEST,
./gymwarden.toml, then [tool.gymwarden] in ./pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

import gymwarden
from gymwarden.errors import ManifestError
from gymwarden.manifest import find_manifest

TABLE = '[tool.gymwarden]\nvetting = "off"\n'


@pytest.fixture
def place(tmp_path, monkeypatch):
    monkeypatch.delenv("GYMWARDEN_MANIFEST", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str = 'vetting = "off"\n') -> Path:
    path.write_text(text)
    return path


def test_the_argument_comes_first(place, monkeypatch):
    arg = write(place / "mine.toml")
    monkeypatch.setenv("GYMWARDEN_MANIFEST", str(write(place / "env.toml")))
    write(place / "gymwarden.toml")
    assert find_manifest(arg) == str(arg)


def test_then_the_environment_variable(place, monkeypatch):
    var = write(place / "env.toml")
    monkeypatch.setenv("GYMWARDEN_MANIFEST", str(var))
    write(place / "gymwarden.toml")
    assert find_manifest() == str(var)


def test_then_gymwarden_toml_in_the_current_folder(place):
    write(place / "pyproject.toml", TABLE)
    local = write(place / "gymwarden.toml")
    assert find_manifest() == str(local)


def test_then_pyproject_with_a_gymwarden_table(place):
    py = write(place / "pyproject.toml", "[project]\nname = 'x'\n" + TABLE)
    assert find_manifest() == str(py)


def test_a_pyproject_without_the_table_is_passed_over(place):
    write(place / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ManifestError) as caught:
        find_manifest(env_id="A-v0")
    text = str(caught.value)
    assert "no [tool.gymwarden] table" in text
    assert caught.value.env_id == "A-v0"


def test_nothing_found_names_every_place_looked(place):
    with pytest.raises(ManifestError) as caught:
        gymwarden.make("GridWorld-v0")
    text = str(caught.value)
    for where in ("manifest argument", "$GYMWARDEN_MANIFEST", "gymwarden.toml",
                  "pyproject.toml"):
        assert where in text
    assert caught.value.env_id == "GridWorld-v0"


@pytest.mark.parametrize("source", ["argument", "variable"])
def test_a_named_manifest_that_does_not_exist_is_an_error(place, monkeypatch, source):
    write(place / "gymwarden.toml")
    missing = place / "missing.toml"
    if source == "variable":
        monkeypatch.setenv("GYMWARDEN_MANIFEST", str(missing))
        arg = None
    else:
        arg = missing
    with pytest.raises(ManifestError) as caught:
        find_manifest(arg)
    assert "missing.toml" in str(caught.value)


def test_make_reads_the_discovered_pyproject(place, grid_manifest):
    body = grid_manifest.read_text().replace('vetting = "off"\n', "")
    body = body.replace("[[env]]", "[[tool.gymwarden.env]]")
    body = body.replace("[env.", "[tool.gymwarden.env.")
    write(place / "pyproject.toml", TABLE + body)
    with gymwarden.make("GridWorld-v0") as env:
        obs, _ = env.reset(seed=0)
        assert obs.tolist() == [0, 0]
