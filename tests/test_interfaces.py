"""Interface versions mean interface versions, read from the provider in use.

System tests on Debian 12 with OpenBLAS, MPICH and GCC's OpenMP installed (CI
installs them): the LAPACK level comes from ILAVER of the library the linker
resolves, the MPI level from MPI_Get_version, the OpenMP level from _OPENMP.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from extdeps.checking import check
from extdeps.choices import resolve_choices
from extdeps.cli.main import main
from extdeps.model.external import External
from extdeps.system.machine import System
from tests.conftest import REPO, need


def _debian() -> None:
    need(os.path.exists("/var/lib/dpkg/status"), "needs a Debian system")


def _verdicts(table: dict[str, list[str]]) -> dict[str, tuple[str, str | None, str | None]]:
    report = check(
        External.from_table(table),
        choices=resolve_choices(ecosystem="debian+12"),
        system=System(),
        categories=("host",),
    )
    return {
        str(v.resolved.requirement): (v.status, v.found_version, v.decided_by)
        for v in report.verdicts
    }


@pytest.mark.system
def test_scipy_like_every_line_ok(capsys: pytest.CaptureFixture[str]) -> None:
    _debian()
    need(
        os.path.exists("/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h"),
        "needs libopenblas-dev (apt-get install libopenblas-dev)",
    )
    need(shutil.which("gfortran") is not None, "needs gfortran")
    code = main(["check", str(REPO / "examples" / "scipy-like"), "--ecosystem", "debian+12"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0, out
    body = [line for line in out if not line.startswith("#")]
    assert body, out
    assert all(line.startswith("ok ") for line in body), out
    lapack = next(line for line in body if "interface/lapack" in line)
    # the interface level, and how it was read: never OpenBLAS's own 0.3.x
    assert "found 3." in lapack
    assert "ILAVER() = 3." in lapack
    assert "0.3.21" not in lapack.split("(", 1)[0]


@pytest.mark.system
def test_lapack_and_blas_levels_from_ilaver() -> None:
    _debian()
    need(
        os.path.exists("/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h"),
        "needs libopenblas-dev (apt-get install libopenblas-dev)",
    )
    got = _verdicts(
        {
            "host-requires": [
                "dep:virtual/interface/lapack@>=3.7.1",
                "dep:virtual/interface/blas@>=3",
                "dep:virtual/interface/lapack@>=3.99",
            ]
        }
    )
    status, version, how = got["dep:virtual/interface/lapack@>=3.7.1"]
    assert (status, how) == ("satisfied", "ILAVER")
    assert version is not None
    assert version.startswith("3.")
    assert got["dep:virtual/interface/blas@>=3"][0] == "satisfied"
    assert got["dep:virtual/interface/lapack@>=3.99"][:1] == ("wrong-version",)


@pytest.mark.system
def test_openmp_level_from_the_compiler() -> None:
    _debian()
    need(shutil.which("cc") is not None, "needs a C compiler")
    got = _verdicts(
        {
            "host-requires": [
                "dep:virtual/interface/openmp@>=4.5",
                "dep:virtual/interface/openmp@>=9",
            ]
        }
    )
    assert got["dep:virtual/interface/openmp@>=4.5"][0] == "satisfied"
    assert got["dep:virtual/interface/openmp@>=4.5"][2] == "_OPENMP"
    assert got["dep:virtual/interface/openmp@>=9"][0] == "wrong-version"


@pytest.mark.system
def test_mpi_level_from_mpi_get_version() -> None:
    _debian()
    need(
        os.path.exists("/usr/include/x86_64-linux-gnu/mpich/mpi.h"),
        "needs libmpich-dev (apt-get install libmpich-dev)",
    )
    got = _verdicts({"host-requires": ["dep:virtual/interface/mpi@>=3.0"]})
    status, version, how = got["dep:virtual/interface/mpi@>=3.0"]
    assert (status, how) == ("satisfied", "MPI_Get_version")
    assert version is not None
    assert version.startswith(("3.", "4."))


@pytest.mark.system
def test_scalapack_level_is_unknown_with_the_reason(tmp_path: Path) -> None:
    _debian()
    got = _verdicts({"host-requires": ["dep:virtual/interface/scalapack@>=2"]})
    status = got["dep:virtual/interface/scalapack@>=2"][0]
    # no provider here: missing; with one, unknown (nothing reads its level)
    assert status in ("missing", "unknown")
