"""extdeps check: system tests on this Debian machine, fake roots for other databases."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from extdeps.checking import check
from extdeps.choices import resolve_choices
from extdeps.cli.main import main
from extdeps.model.external import External
from extdeps.system.machine import System
from tests.conftest import need

pytestmark = pytest.mark.usefixtures("minidata")


def _debian() -> None:
    need(os.path.exists("/var/lib/dpkg/status"), "needs a Debian system (dpkg status file)")
    need(shutil.which("pkg-config") is not None, "needs pkg-config (apt-get install pkgconf)")
    for header in ("zlib.h", "ffi.h", "yaml.h"):
        need(
            any(
                os.path.exists(os.path.join(d, header))
                for d in ("/usr/include", "/usr/include/x86_64-linux-gnu")
            ),
            f"needs {header} (apt-get install zlib1g-dev libffi-dev libyaml-dev)",
        )


def _run(table: Mapping[str, object], **kwargs: object) -> dict[str, tuple[str, str | None]]:
    choices = resolve_choices(ecosystem="debian+12")
    report = check(External.from_table(table), choices=choices, system=System(), **kwargs)  # type: ignore[arg-type]
    return {str(v.resolved.requirement.url): (v.status, v.found_version) for v in report.verdicts}


def _pc_version(module: str) -> str:
    import subprocess

    return subprocess.run(
        ["pkg-config", "--modversion", module], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.system
def test_real_packages_satisfied_with_versions() -> None:
    _debian()
    got = _run(
        {
            "build-requires": ["dep:generic/pkg-config"],
            "host-requires": [
                "dep:generic/zlib@>=1.2.11",
                "dep:generic/libffi@>=3.2",
                "dep:generic/libyaml",
            ],
        }
    )
    assert got["dep:generic/zlib@>=1.2.11"] == ("satisfied", _pc_version("zlib"))
    assert got["dep:generic/libffi@>=3.2"] == ("satisfied", _pc_version("libffi"))
    assert got["dep:generic/libyaml"][0] == "satisfied"
    assert got["dep:generic/pkg-config"][0] == "satisfied"


@pytest.mark.system
def test_wrong_version_and_missing() -> None:
    _debian()
    need(
        not os.path.exists("/usr/include/sodium.h"),
        "libsodium-dev must be absent",
    )
    choices = resolve_choices(ecosystem="debian+12")
    report = check(
        External.from_table({"host-requires": ["dep:generic/zlib@>=99", "dep:generic/libsodium"]}),
        choices=choices,
        system=System(),
    )
    zlib, libsodium = report.verdicts
    assert zlib.status == "wrong-version"
    assert zlib.reason == f"found {_pc_version('zlib')}, wanted >=99"
    assert libsodium.status == "missing"
    assert report.exit_code() == 1
    assert report.install is not None
    assert report.install.commands[-1][-2:] == ("zlib1g-dev", "libsodium-dev")


@pytest.mark.system
def test_virtual_debian_package_through_provides() -> None:
    _debian()
    choices = resolve_choices(ecosystem="debian+12")
    report = check(
        External.from_table({"host-requires": ["dep:generic/glibc"]}),
        choices=choices,
        system=System(),
    )
    [verdict] = report.verdicts
    assert verdict.status == "satisfied"
    assert "libc6-dev provides libc-dev" in verdict.evidence[0].detail


@pytest.mark.system
def test_compilers_and_standards() -> None:
    need(shutil.which("cc") is not None or shutil.which("gcc") is not None, "needs a C compiler")
    got = _run(
        {
            "build-requires": [
                "dep:virtual/compiler/c",
                "dep:virtual/compiler/c@>=2011",
                "dep:virtual/compiler/c@>=2099",
            ]
        }
    )
    assert got["dep:virtual/compiler/c"][0] == "satisfied"
    assert got["dep:virtual/compiler/c@>=2011"] == ("satisfied", "2011")
    assert got["dep:virtual/compiler/c@>=2099"][0] == "wrong-version"


def test_missing_tool_is_unknown_not_missing(tmp_path: Path) -> None:
    # no pkg-config, no package mapping: nothing can tell
    env = {"PATH": str(tmp_path), "EXTDEPS_CACHE_DIR": "none"}
    choices = resolve_choices(ecosystem="debian+12", environ=env)
    empty_root = tmp_path / "root"
    empty_root.mkdir()
    report = check(
        External.from_table(
            {
                "host-requires": ["dep:generic/notpackaged"],
                "build-requires": ["dep:virtual/compiler/c"],
            }
        ),
        choices=choices,
        system=System(root=str(empty_root), environ=env, cache_dir=None),
    )
    compiler, notpackaged, python = report.verdicts
    assert notpackaged.status == "unknown"
    assert notpackaged.reason == "pkg-config is not installed"
    assert compiler.status == "missing"  # no compiler on PATH is a definite answer
    assert python.resolved.selected.origin.startswith("implied")
    assert report.exit_code() == 1


def test_conda_environment_fake_root(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "conda-meta" / "zlib-1.3.1-h0.json").write_text(
        json.dumps({"name": "zlib", "version": "1.3.1"})
    )
    env = {"CONDA_PREFIX": str(prefix), "PATH": str(tmp_path)}
    choices = resolve_choices(environ=env)
    assert choices.detection.mapping == "conda-forge"
    report = check(
        External.from_table({"host-requires": ["dep:generic/zlib@>=1.3", "dep:generic/libffi"]}),
        choices=choices,
        system=System(environ=env, cache_dir=None),
    )
    zlib, libffi = report.verdicts
    assert (zlib.status, zlib.found_version, zlib.decided_by) == ("satisfied", "1.3.1", "conda")
    assert libffi.status == "missing"
    assert report.install is not None
    assert report.install.commands == (("conda", "install", "--yes", "libffi"),)


def test_check_cli_json(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_project(
        "[external]\nhost-requires = [\"dep:generic/zlib; sys_platform == 'nonexistent'\"]\n"
    )
    assert main(["check", str(path), "--ecosystem", "debian+12", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["command"] == "check"
    assert doc["summary"]["skipped"] == 1
    assert doc["results"][0]["status"] == "skipped"


@pytest.mark.system
def test_check_cli_human(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _debian()
    path = write_project(
        '[external]\nhost-requires = ["dep:generic/zlib@>=1.2", "dep:generic/libsodium"]\n'
    )
    assert main(["check", str(path), "--ecosystem", "debian+12"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("ok       host  dep:generic/zlib@>=1.2  found ")
    assert out[2].startswith(
        "MISSING  host  dep:generic/libsodium  not installed (dpkg): libsodium-dev"
    )
    assert out[-2].endswith("libsodium-dev")
    assert out[-1] == "# 1 satisfied, 1 missing"


def test_installer_api(tmp_path: Path) -> None:
    import extdeps

    env = {"CONDA_PREFIX": "/nonexistent", "PATH": "/nonexistent"}
    report = extdeps.check_requirements(
        [
            "dep:generic/zlib@>=1.2",
            "dep:generic/libffi; extra == 'ffi'",
            "dep:generic/libyaml; extra == 'yaml'",
        ],
        extras=["ffi"],
        ecosystem="conda-forge",
        system=extdeps.System(root=str(tmp_path), environ=env, cache_dir=None),
    )
    statuses = [(str(v.resolved.requirement.url), v.status) for v in report.verdicts]
    # an empty root has no headers: both are missing; the 'yaml' extra is not selected
    assert statuses == [("dep:generic/zlib@>=1.2", "missing"), ("dep:generic/libffi", "missing")]
    assert report.exit_code() == 1
    assert report.install is not None
    assert report.install.commands == (("conda", "install", "--yes", "zlib>=1.2", "libffi"),)


@pytest.mark.system
def test_fortran_compiler_with_shipped_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """gfortran (installed by CI) is found with its version, through the shipped mapping."""
    need(shutil.which("gfortran") is not None, "needs gfortran (apt-get install gfortran)")
    monkeypatch.delenv("EXTDEPS_DATA_DIR")
    from tests.conftest import clear_data_caches

    clear_data_caches()
    import subprocess

    expected = subprocess.run(
        ["gfortran", "-dumpfullversion"], capture_output=True, text=True, check=True
    ).stdout.strip()
    got = _run(
        {"build-requires": ["dep:virtual/compiler/fortran", "dep:virtual/compiler/fortran@>=2008"]}
    )
    assert got["dep:virtual/compiler/fortran"] == ("satisfied", expected)
    assert got["dep:virtual/compiler/fortran@>=2008"] == ("satisfied", "2008")


def test_check_installed_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    info = tmp_path / "demo_dist-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: demo-dist\nVersion: 1.0\n"
        "Provides-External-Extra: yaml\n"
        "Requires-External-Dep: dep:generic/zlib; sys_platform == 'nonexistent'\n"
        "Requires-External-Dep: dep:generic/libyaml; extra == 'yaml'\n"
    )
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert main(["check", "--installed", "demo-dist", "--ecosystem", "debian+12", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["source"] == "demo-dist (installed)"
    assert [(r["requirement"], r["status"]) for r in doc["results"]] == [
        ('dep:generic/zlib; sys_platform == "nonexistent"', "skipped")
    ]
    assert main(["check", "--installed", "no-such-dist"]) == 2
    assert "no installed distribution named 'no-such-dist'" in capsys.readouterr().err


def test_project_cache_is_used_and_invalidated(write_project: Callable[[str], Path]) -> None:
    import os
    import sys

    from extdeps.sources import load_source as load_input

    project = write_project(
        '[project]\nname = "p"\n[external]\nhost-requires = ["dep:generic/zlib"]\n'
    )
    first = load_input(str(project))
    sys.modules.pop("tomllib", None)
    second = load_input(str(project))
    assert "tomllib" not in sys.modules  # served from the cache
    assert second.external == first.external
    assert (second.name, second.source) == ("p", first.source)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "p"\n[external]\nhost-requires = ["dep:generic/libffi", "dep:generic/zlib"]\n'
    )
    os.utime(pyproject, ns=(1, 1))
    third = load_input(str(project))
    assert [str(r) for r in third.external.host_requires] == [
        "dep:generic/libffi",
        "dep:generic/zlib",
    ]
