"""No stale answer: every cached probe result sees its input change.

Each test answers once (filling the cache), changes the input in place the way
that fooled earlier keys (same size, modification time set back), then answers
again from a new ``System`` sharing the cache directory: a warm run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from extdeps.system.compilers import probe_compiler
from extdeps.system.interfaces import interface_level, openmp_level
from extdeps.system.machine import System
from extdeps.system.pkgconfig import PkgConfig
from extdeps.system.pkgdb import read_package_db
from extdeps.system.probes import Prober
from tests.conftest import need


def _rewrite_keeping_mtime(path: Path, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` (the same length) in place, then set the
    modification time back: only the change time tells."""
    assert len(old) == len(new)
    before = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def _system(tmp_path: Path, **env: str) -> System:
    environ = {"PATH": os.environ.get("PATH", ""), **env}
    return System(environ=environ, cache_dir=str(tmp_path / "cache"))


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)
    return path


# -- pkg-config -------------------------------------------------------------------


def _pc(directory: Path, name: str, version: str, requires: str = "") -> Path:
    path = directory / f"{name}.pc"
    lines = [f"Name: {name}", f"Version: {version}", "Description: test"]
    if requires:
        lines.append(f"Requires: {requires}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def pkgconfig_dir(tmp_path: Path) -> Path:
    need(shutil.which("pkg-config") is not None, "needs pkg-config (apt-get install pkgconf)")
    directory = tmp_path / "pc"
    directory.mkdir()
    return directory


@pytest.mark.system
def test_pkg_config_file_rewritten_in_place(tmp_path: Path, pkgconfig_dir: Path) -> None:
    pc = _pc(pkgconfig_dir, "fresh", "1.0")
    env = {"PKG_CONFIG_PATH": str(pkgconfig_dir)}
    first = PkgConfig(_system(tmp_path, **env))
    assert first.answer("fresh") == (True, "1.0", "pkg-config module fresh 1.0")
    warm = PkgConfig(_system(tmp_path, **env))
    assert warm.answer("fresh")[1] == "1.0"
    assert warm.runs == 0  # answered from the cache
    _rewrite_keeping_mtime(pc, b"Version: 1.0", b"Version: 2.0")
    again = PkgConfig(_system(tmp_path, **env))
    assert again.answer("fresh") == (True, "2.0", "pkg-config module fresh 2.0")


@pytest.mark.system
def test_pkg_config_required_module_broken_in_place(tmp_path: Path, pkgconfig_dir: Path) -> None:
    _pc(pkgconfig_dir, "top", "1.0", requires="base >= 1.0")
    base = _pc(pkgconfig_dir, "base", "1.5")
    env = {"PKG_CONFIG_PATH": str(pkgconfig_dir)}
    assert PkgConfig(_system(tmp_path, **env)).answer("top")[0] is True
    # top's own file is unchanged; the file it requires now fails the requirement
    _rewrite_keeping_mtime(base, b"Version: 1.5", b"Version: 0.5")
    found, _, detail = PkgConfig(_system(tmp_path, **env)).answer("top")
    assert found is False
    assert detail.startswith("pkg-config module top is not usable: ")


@pytest.mark.system
def test_pkg_config_new_file_in_a_search_directory(tmp_path: Path, pkgconfig_dir: Path) -> None:
    env = {"PKG_CONFIG_PATH": str(pkgconfig_dir)}
    assert PkgConfig(_system(tmp_path, **env)).answer("later")[0] is False
    _pc(pkgconfig_dir, "later", "3.1")
    assert PkgConfig(_system(tmp_path, **env)).answer("later")[:2] == (True, "3.1")


@pytest.mark.system
def test_pkg_config_asks_only_for_the_modules_needed(tmp_path: Path, pkgconfig_dir: Path) -> None:
    """One process for the modules of a check, however many modules the system has,
    and a broken module elsewhere costs nothing."""
    for i in range(20):
        _pc(pkgconfig_dir, f"other{i}", "1.0")
    (pkgconfig_dir / "broken.pc").write_text("Name: broken\nRequires: nowhere\n", encoding="utf-8")
    _pc(pkgconfig_dir, "wanted-a", "1.0")
    _pc(pkgconfig_dir, "wanted-b", "2.0")
    pkg = PkgConfig(_system(tmp_path, PKG_CONFIG_PATH=str(pkgconfig_dir), PKG_CONFIG_LIBDIR=""))
    pkg.expect(["wanted-a", "wanted-b", "absent"])
    assert pkg.answer("wanted-a")[:2] == (True, "1.0")
    assert pkg.answer("wanted-b")[:2] == (True, "2.0")
    assert pkg.answer("absent")[0] is False
    assert pkg.runs == 1


@pytest.mark.system
def test_pkg_config_broken_module_among_the_wanted(tmp_path: Path, pkgconfig_dir: Path) -> None:
    (pkgconfig_dir / "broken.pc").write_text(
        "Name: broken\nVersion: 1\nDescription: x\nRequires: nowhere\n", encoding="utf-8"
    )
    _pc(pkgconfig_dir, "good", "1.0")
    pkg = PkgConfig(_system(tmp_path, PKG_CONFIG_PATH=str(pkgconfig_dir), PKG_CONFIG_LIBDIR=""))
    pkg.expect(["good", "broken"])
    assert pkg.answer("good")[:2] == (True, "1.0")
    found, _, detail = pkg.answer("broken")
    assert found is False
    assert "nowhere" in detail
    assert pkg.runs == 2  # the batch, then the good one again


@pytest.mark.system
def test_pkg_config_version_conflict_among_the_wanted(tmp_path: Path, pkgconfig_dir: Path) -> None:
    """Errors that name none of the asked-for modules: each is asked alone."""
    _pc(pkgconfig_dir, "top", "1.0", requires="base >= 2.0")
    _pc(pkgconfig_dir, "base", "1.5")
    _pc(pkgconfig_dir, "good", "1.0")
    pkg = PkgConfig(_system(tmp_path, PKG_CONFIG_PATH=str(pkgconfig_dir), PKG_CONFIG_LIBDIR=""))
    pkg.expect(["good", "top"])
    assert pkg.answer("good")[:2] == (True, "1.0")
    found, _, detail = pkg.answer("top")
    assert found is False
    assert detail.startswith("pkg-config module top is not usable: ")
    assert pkg.runs == 3  # the batch, then each of the two alone


# -- executables and compilers ----------------------------------------------------


@pytest.mark.system
def test_executable_replaced_with_same_size_and_mtime(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = _script(bin_dir / "freshtool", "echo freshtool 1.0.0\n")
    env = {"PATH": str(bin_dir)}

    def version() -> str | None:
        prober = Prober(_system(tmp_path, **env))
        return prober.executable_version(str(tool), ("--version",), None, "freshtool").version

    assert version() == "1.0.0"
    _rewrite_keeping_mtime(tool, b"1.0.0", b"2.0.0")
    assert version() == "2.0.0"
    # replaced by another file (a new inode) of the same size, mtime set back
    before = tool.stat()
    replacement = bin_dir / "replacement"
    _script(replacement, "echo freshtool 3.0.0\n")
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, tool)
    assert version() == "3.0.0"


@pytest.mark.system
def test_compile_test_sees_a_changed_compiler(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # a "compiler" that accepts every -std= flag, then one that refuses them all
    cc = _script(bin_dir / "fakecc", 'echo "fakecc 1.0"; exit 0\n')
    env = {"PATH": str(bin_dir), "CC": str(cc)}

    def compiles() -> bool | None:
        system = _system(tmp_path, **env)
        evidence = probe_compiler("c", system, Prober(system), years=(2011,))
        return evidence[-1].found

    assert compiles() is True
    _rewrite_keeping_mtime(cc, b"exit 0", b"exit 1")
    assert compiles() is False


@pytest.mark.system
def test_openmp_level_sees_a_changed_compiler(tmp_path: Path) -> None:
    cc = _script(tmp_path / "ompcc", 'echo "#define _OPENMP 201511"\n')
    assert openmp_level(_system(tmp_path), str(cc)).version == "4.5"
    _rewrite_keeping_mtime(cc, b"201511", b"201811")
    assert openmp_level(_system(tmp_path), str(cc)).version == "5.0"


# -- package databases -----------------------------------------------------------------


def test_dpkg_status_rewritten_in_place(tmp_path: Path) -> None:
    root = tmp_path / "root"
    status = root / "var" / "lib" / "dpkg" / "status"
    status.parent.mkdir(parents=True)
    status.write_text(
        "Package: zlib1g-dev\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n\n",
        encoding="utf-8",
    )

    def version() -> str:
        db = read_package_db("apt", System(root=str(root), cache_dir=str(tmp_path / "c")))
        assert not isinstance(db, str)
        hit = db.get("zlib1g-dev")
        assert hit is not None
        return hit[0].version

    assert version() == "1:1.2.13.dfsg-1"
    _rewrite_keeping_mtime(status, b"1.2.13", b"1.3.00")
    assert version() == "1:1.3.00.dfsg-1"


# -- interface levels ------------------------------------------------------------------


def _ilaver_library(directory: Path, version: tuple[int, int, int]) -> Path:
    source = directory / "ilaver.c"
    source.write_text(
        "void ilaver_(int *a, int *b, int *c) {"
        f" *a = {version[0]}; *b = {version[1]}; *c = {version[2]}; }}\n",
        encoding="utf-8",
    )
    library = directory / "liblapack.so"
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(library), str(source)], check=True, timeout=60
    )
    return library


@pytest.mark.system
def test_ilaver_library_rebuilt_with_same_size_and_mtime(tmp_path: Path) -> None:
    need(shutil.which("cc") is not None, "needs a C compiler")
    libdir = tmp_path / "lib"
    libdir.mkdir()
    library = _ilaver_library(libdir, (3, 10, 1))
    env = {"LIBRARY_PATH": str(libdir)}
    first = interface_level(_system(tmp_path, **env), "lapack")
    assert (first.found, first.version) == (True, "3.10.1")
    before = library.stat()
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir()
    new = _ilaver_library(rebuilt, (3, 12, 1))
    need(new.stat().st_size == before.st_size, "the two builds differ in size")
    os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(new, library)
    again = interface_level(_system(tmp_path, **env), "lapack")
    assert (again.found, again.version) == (True, "3.12.1")


# -- sdists ------------------------------------------------------------------------------


def test_sdist_rebuilt_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An sdist's table is cached under the archive's stamp: an archive rewritten
    with the same size and modification time is read again."""
    import io
    import tarfile

    from extdeps.sources import load_cached

    monkeypatch.setenv("EXTDEPS_CACHE_DIR", str(tmp_path / "cache"))
    sdist = tmp_path / "demo-1.0.tar"
    body = b'[project]\nname = "demo"\nversion = "1.0"\n[external]\nhost-requires = ["dep:generic/zlib@>=1.2"]\n'
    with tarfile.open(sdist, "w") as tf:
        info = tarfile.TarInfo("demo-1.0/pyproject.toml")
        info.size = len(body)
        tf.addfile(info, io.BytesIO(body))

    def wanted() -> tuple[str, str]:
        project = load_cached(str(sdist))
        return project.source, str(project.external.host_requires[0])

    assert wanted() == (f"{sdist}!/demo-1.0/pyproject.toml", "dep:generic/zlib@>=1.2")
    assert (tmp_path / "cache" / "projects.marshal").exists()
    with monkeypatch.context() as patched:  # the second answer comes from the cache
        patched.setattr("extdeps.sources.load_project", None)
        assert wanted() == (f"{sdist}!/demo-1.0/pyproject.toml", "dep:generic/zlib@>=1.2")
    _rewrite_keeping_mtime(sdist, b"zlib@>=1.2", b"zlib@>=1.3")
    assert wanted()[1] == "dep:generic/zlib@>=1.3"
