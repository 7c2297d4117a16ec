"""`meson install` puts the library, header, pkg-config file, command and
Python package under DESTDIR/prefix, and the shared library exports only
gw_ names."""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest


@pytest.fixture(scope="module")
def staged(build_dir, tmp_path_factory) -> pathlib.Path:
    dest = tmp_path_factory.mktemp("stage")
    subprocess.run(["meson", "install", "-C", str(build_dir), "--no-rebuild",
                    "--quiet", "--destdir", str(dest)], check=True,
                   capture_output=True)
    return dest


def _prefix(build_dir) -> str:
    out = subprocess.run(["meson", "introspect", "--buildoptions",
                          str(build_dir)], capture_output=True, text=True,
                         check=True).stdout
    import json

    return next(o["value"] for o in json.loads(out) if o["name"] == "prefix")


def _one(root: pathlib.Path, pattern: str) -> pathlib.Path:
    found = sorted(root.rglob(pattern))
    assert found, f"nothing matches {pattern} under {root}"
    return found[0]


def test_everything_lands_under_destdir_and_prefix(staged, build_dir):
    root = staged / _prefix(build_dir).lstrip("/")
    assert (root / "bin" / "gymwarden").is_file()
    assert (root / "include" / "gymwarden.h").is_file()
    _one(root, "libgymwarden.so.*")
    _one(root, "libgymwarden.a")
    _one(root, "gymwarden.pc")
    _one(root, "gymwarden/__init__.py")
    _one(root, "gymwarden/_native*.so")
    assert (root / "share" / "gymwarden" / "popular-packages.txt").is_file()


def test_shared_library_exports_only_gw_names(staged):
    lib = _one(staged, "libgymwarden.so.*")
    out = subprocess.run(["nm", "-D", "--defined-only", str(lib)],
                         capture_output=True, text=True, check=True).stdout
    names = [line.split()[-1] for line in out.splitlines() if line.strip()]
    assert "gw_version" in names
    assert [n for n in names if not n.startswith("gw_")] == []


def test_a_c_program_builds_against_the_installed_copy(staged, tmp_path):
    pc = _one(staged, "gymwarden.pc")
    inc = _one(staged, "gymwarden.h").parent
    lib = _one(staged, "libgymwarden.so.*").parent
    src = tmp_path / "hello.c"
    src.write_text('#include <gymwarden.h>\n#include <stdio.h>\n'
                   'int main(void) { puts(gw_version()); return 0; }\n')
    env = dict(os.environ, PKG_CONFIG_PATH=str(pc.parent),
               PKG_CONFIG_SYSROOT_DIR=str(staged))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "gymwarden"],
                           capture_output=True, text=True, env=env,
                           check=True).stdout.split()
    assert f"-I{inc}" in flags
    exe = tmp_path / "hello"
    subprocess.run(["cc", str(src), "-o", str(exe), *flags], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True,
                         env=dict(os.environ, LD_LIBRARY_PATH=str(lib)),
                         check=True).stdout
    assert out.strip().count(".") == 2
