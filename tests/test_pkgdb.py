"""Package database readers on fake roots with the real file formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extdeps.system.machine import System
from extdeps.system.pkgdb import (
    DpkgStatus,
    PackageDB,
    parse_apk_installed,
    parse_dpkg_status,
    parse_pacman_desc,
    read_package_db,
    upstream_version,
)

DPKG_STATUS = """\
Package: zlib1g-dev
Status: install ok installed
Priority: optional
Section: libdevel
Installed-Size: 590
Maintainer: Mark Brown <broonie@debian.org>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Provides: libz-dev
Depends: zlib1g (= 1:1.2.13.dfsg-1), libc6-dev | libc-dev
Description: compression library - development
 zlib is a library implementing the deflate compression method found
 in gzip and PKZIP.  This package includes the development support
 files.

Package: libc6-dev
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u4
Provides: libc-dev (= 2.36-9+deb12u4), libc6-dev-amd64 (= 2.36-9+deb12u4)
Description: GNU C Library: Development Libraries and Header Files

Package: cron
Status: deinstall ok config-files
Architecture: amd64
Version: 3.0pl1-162
Conffiles:
 /etc/cron.d/e2scrub_all 1234 obsolete
Description: process scheduling daemon

Package: half
Status: install ok half-installed
Version: 1.0-1
"""


def test_dpkg_status_only_installed() -> None:
    packages = {p.name: p for p in parse_dpkg_status(DPKG_STATUS)}
    assert sorted(packages) == ["libc6-dev", "zlib1g-dev"]
    assert packages["zlib1g-dev"].version == "1:1.2.13.dfsg-1"
    assert packages["libc6-dev"].provides == ("libc-dev", "libc6-dev-amd64")


def test_dpkg_virtual_through_provides() -> None:
    db = PackageDB("dpkg", "status", parse_dpkg_status(DPKG_STATUS))
    hit = db.get("libc-dev")
    assert hit is not None
    assert hit[0].name == "libc6-dev"
    assert hit[1] == "provides libc-dev"
    assert db.get("cron") is None  # config-files only: not installed
    assert db.get("half") is None


@pytest.mark.parametrize(
    ("version", "kind", "upstream"),
    [
        ("1:1.2.13.dfsg-1", "dpkg", "1.2.13"),
        ("2.36-9+deb12u4", "dpkg", "2.36"),
        ("0.3.21+ds-4", "dpkg", "0.3.21"),
        ("3.0.15-1~deb12u1", "dpkg", "3.0.15"),
        ("1:3.2.1-2", "pacman", "3.2.1"),
        ("1.3.1-r2", "apk", "1.3.1"),
        ("1:1.2.13-3.fc40", "rpm", "1.2.13"),
        ("0.3.27_1", "homebrew", "0.3.27"),
        ("1.3.1", "conda", "1.3.1"),
        ("2.2.0.post1", "conda", "2.2.0.post1"),
    ],
)
def test_upstream_version(version: str, kind: str, upstream: str) -> None:
    assert upstream_version(version, kind) == upstream


def test_dpkg_reader_on_fake_root(tmp_path: Path) -> None:
    status = tmp_path / "var/lib/dpkg/status"
    status.parent.mkdir(parents=True)
    status.write_text(DPKG_STATUS)
    system = System(root=str(tmp_path), environ={}, cache_dir=str(tmp_path / "cache"))
    db = read_package_db("apt", system)
    assert isinstance(db, PackageDB)
    hit = db.get("zlib1g-dev")
    assert hit is not None
    assert db.upstream(hit[0]) == "1.2.13"
    assert db.names() == ["libc6-dev", "zlib1g-dev"]
    hit = db.get("libc-dev")
    assert hit is not None
    assert hit[0].version == "2.36-9+deb12u4"
    assert db.get("cron") is None
    assert db.get("half") is None
    assert db.get("libc") is None  # a prefix of a provided name is not that name
    # the file is read as it is, never a cached parse of it
    assert not (tmp_path / "cache").exists()


def _every_answer(db: PackageDB, names: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in names:
        hit = db.get(name)
        out[name] = None if hit is None else (hit[0].name, hit[0].version, hit[0].provides, hit[1])
    return out


def test_dpkg_lookups_agree_with_a_full_parse() -> None:
    """On this machine's own status file (when it has one), asking package by
    package gives what parsing the whole file gives, for every package and
    every provided name, plus names that are not there."""
    path = Path("/var/lib/dpkg/status")
    if not path.is_file():
        pytest.skip("no dpkg status file on this machine")
    data = path.read_bytes()
    full = PackageDB("dpkg", "status", parse_dpkg_status(data.decode("utf-8", "replace")))
    names = sorted(set(full.packages) | set(full.provided))
    names += ["no-such-package", "lib", "libc", "python3"]
    lazy = DpkgStatus("status", data)
    assert _every_answer(lazy, names) == _every_answer(full, names)
    assert lazy.names() == full.names()


def test_dpkg_absent(tmp_path: Path) -> None:
    result = read_package_db("apt", System(root=str(tmp_path), environ={}, cache_dir=None))
    assert result == "no dpkg database (/var/lib/dpkg/status)"


PACMAN_DESC = """%NAME%
openblas

%VERSION%
0.3.28-1

%BASE%
openblas

%PROVIDES%
blas=3.12.0
cblas=3.12.0
lapack=3.12.0

"""


def test_pacman_local_db(tmp_path: Path) -> None:
    assert parse_pacman_desc(PACMAN_DESC) is not None
    entry = tmp_path / "var/lib/pacman/local/openblas-0.3.28-1"
    entry.mkdir(parents=True)
    (entry / "desc").write_text(PACMAN_DESC)
    (tmp_path / "var/lib/pacman/local/ALPM_DB_VERSION").write_text("9\n")
    db = read_package_db("pacman", System(root=str(tmp_path), environ={}, cache_dir=None))
    assert isinstance(db, PackageDB)
    assert db.packages["openblas"].version == "0.3.28-1"
    hit = db.get("lapack")
    assert hit is not None
    assert hit[0].name == "openblas"
    assert db.upstream(db.packages["openblas"]) == "0.3.28"


APK_INSTALLED = """C:Q1abc=
P:zlib
V:1.3.1-r1
A:x86_64
S:53523
I:102400
T:A compression/decompression Library
p:so:libz.so.1=1.3.1

C:Q1def=
P:zlib-dev
V:1.3.1-r1
p:pc:zlib=1.3.1
D:pkgconfig zlib=1.3.1-r1
"""


def test_apk_installed(tmp_path: Path) -> None:
    assert [p.name for p in parse_apk_installed(APK_INSTALLED)] == ["zlib", "zlib-dev"]
    target = tmp_path / "lib/apk/db/installed"
    target.parent.mkdir(parents=True)
    target.write_text(APK_INSTALLED)
    db = read_package_db("apk", System(root=str(tmp_path), environ={}, cache_dir=None))
    assert isinstance(db, PackageDB)
    assert db.upstream(db.packages["zlib-dev"]) == "1.3.1"
    hit = db.get("pc:zlib")
    assert hit is not None
    assert hit[0].name == "zlib-dev"


def test_conda_meta(tmp_path: Path) -> None:
    meta = tmp_path / "env/conda-meta"
    meta.mkdir(parents=True)
    for name, version, build in (
        ("zlib", "1.3.1", "hb9d3cd8_2"),
        ("libopenblas", "0.3.28", "pthreads_h94d23a6_1"),
    ):
        (meta / f"{name}-{version}-{build}.json").write_text(
            json.dumps({"name": name, "version": version, "build": build, "files": []})
        )
    (meta / "history").write_text("")
    env = {"CONDA_PREFIX": str(tmp_path / "env")}
    db = read_package_db("conda", System(environ=env, cache_dir=None))
    assert isinstance(db, PackageDB)
    assert db.packages["libopenblas"].version == "0.3.28"
    assert db.get("zlib>=1.2") is not None
    assert db.get("conda-forge::zlib") is not None
    assert read_package_db("conda", System(environ={}, cache_dir=None)) == (
        "no active conda environment (CONDA_PREFIX is not set)"
    )


def _spack_record(name: str, version: str, *, installed: bool = True) -> dict[str, object]:
    # an install record as Spack's database.py writes it (DB version 7)
    return {
        "spec": {"name": name, "version": version, "arch": {"platform": "linux"}, "hash": name},
        "ref_count": 0,
        "path": f"/opt/spack/opt/spack/linux/{name}-{version}",
        "installed": installed,
        "explicit": True,
        "installation_time": 1.0,
    }


def test_spack_database(tmp_path: Path) -> None:
    index = tmp_path / "opt/spack/opt/spack/.spack-db/index.json"
    index.parent.mkdir(parents=True)
    installs = {
        "a1": _spack_record("zlib", "1.2.13"),
        "a2": _spack_record("zlib", "1.3.1"),
        "a3": _spack_record("openblas", "0.3.28"),
        "a4": _spack_record("gdal", "3.9.0", installed=False),  # uninstalled, still referenced
    }
    index.write_text(json.dumps({"database": {"version": "7", "installs": installs}}))
    env = {"SPACK_ROOT": "/opt/spack"}
    db = read_package_db("spack", System(root=str(tmp_path), environ=env, cache_dir=None))
    assert isinstance(db, PackageDB)
    assert db.names() == ["openblas", "zlib"]
    assert db.packages["zlib"].version == "1.3.1"  # the newest of two installs
    assert db.upstream(db.packages["openblas"]) == "0.3.28"
    assert read_package_db("spack", System(environ={}, cache_dir=None)) == (
        "SPACK_ROOT is not set (source Spack's setup-env script)"
    )
    index.write_text("{")
    bad = read_package_db("spack", System(root=str(tmp_path), environ=env, cache_dir=None))
    assert isinstance(bad, str)
    assert bad.endswith("is not valid JSON")


def test_homebrew_cellar(tmp_path: Path) -> None:
    for formula, version in (("openblas", "0.3.28"), ("zlib", "1.3.1"), ("zlib", "1.2.13_1")):
        (tmp_path / "opt/homebrew/Cellar" / formula / version).mkdir(parents=True)
    db = read_package_db("brew", System(root=str(tmp_path), environ={}, cache_dir=None))
    assert isinstance(db, PackageDB)
    assert db.packages["zlib"].version == "1.3.1"
    assert db.upstream(db.packages["openblas"]) == "0.3.28"


def test_nix_profile(tmp_path: Path) -> None:
    home = tmp_path / "users/u"
    manifest = home / ".nix-profile/manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        json.dumps(
            {
                "version": 3,
                "elements": {
                    "zlib": {"storePaths": ["/nix/store/" + "a" * 32 + "-zlib-1.3.1"]},
                    "openblas": {"storePaths": ["/nix/store/" + "b" * 32 + "-openblas-0.3.28"]},
                },
            }
        )
    )
    db = read_package_db(
        "nix", System(root=str(tmp_path), environ={"HOME": "/users/u"}, cache_dir=None)
    )
    assert isinstance(db, PackageDB)
    assert db.packages["zlib"].version == "1.3.1"
    assert db.packages["openblas"].version == "0.3.28"


def test_rpm_missing_is_a_reason(tmp_path: Path) -> None:
    result = read_package_db("dnf", System(environ={"PATH": str(tmp_path)}, cache_dir=None))
    assert result == "rpm is not installed, so its database cannot be read"
