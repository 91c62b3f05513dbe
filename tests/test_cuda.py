"""The CUDA driver probe against tiny compiled fake libcuda.so.1 libraries."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from extdeps.system import cuda as _cuda
from extdeps.system.cuda import probe_cuda_driver
from extdeps.system.machine import System
from tests.conftest import need

GOOD = """
int cuInit(unsigned int flags) { return 0; }
int cuDriverGetVersion(int *version) { *version = 12040; return 0; }
"""
NO_DEVICE = """
int cuInit(unsigned int flags) { return 100; }  /* CUDA_ERROR_NO_DEVICE */
int cuDriverGetVersion(int *version) { *version = 12020; return 0; }
"""
CRASH = """
int cuInit(unsigned int flags) { volatile int *p = 0; return *p; }
int cuDriverGetVersion(int *version) { return 0; }
"""
HANG = """
#include <unistd.h>
int cuInit(unsigned int flags) { for (;;) sleep(1); return 0; }
int cuDriverGetVersion(int *version) { return 0; }
"""


def _fake(tmp_path: Path, name: str, source: str) -> str:
    need(shutil.which("gcc") is not None, "gcc is needed to compile a fake libcuda.so.1")
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    out = tmp_path / name / "libcuda.so.1"
    out.parent.mkdir()
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(out), str(src)], check=True)
    return str(out)


@pytest.fixture(autouse=True)
def _fresh() -> None:
    _cuda._memo.clear()


def _system(timeout: float = 10.0) -> System:
    return System(environ={"PATH": "/nonexistent"}, cache_dir=None, timeout=timeout)


@pytest.mark.system
def test_good_driver(tmp_path: Path) -> None:
    lib = _fake(tmp_path, "good", GOOD)
    [evidence] = probe_cuda_driver(_system(), library=lib)
    assert (evidence.source, evidence.found, evidence.version) == ("libcuda", True, "12.4")
    assert evidence.detail == f"cuDriverGetVersion() = 12040 from {lib}"


@pytest.mark.system
def test_driver_without_device(tmp_path: Path) -> None:
    lib = _fake(tmp_path, "nodev", NO_DEVICE)
    evidence = probe_cuda_driver(_system(), library=lib)
    assert evidence[0].found is None
    assert evidence[0].detail == "cuInit returned 100"


@pytest.mark.system
def test_crashing_driver(tmp_path: Path) -> None:
    lib = _fake(tmp_path, "crash", CRASH)
    evidence = probe_cuda_driver(_system(), library=lib)
    assert evidence[0].source == "libcuda"
    assert evidence[0].found is None
    assert "killed by signal" in evidence[0].detail


@pytest.mark.system
def test_hanging_driver(tmp_path: Path) -> None:
    lib = _fake(tmp_path, "hang", HANG)
    evidence = probe_cuda_driver(_system(timeout=2), library=lib)
    assert evidence[0].found is None
    assert "timed out after 2s" in evidence[0].detail


def test_no_driver_at_all(tmp_path: Path) -> None:
    evidence = probe_cuda_driver(_system(), library=str(tmp_path / "libcuda.so.1"))
    assert evidence[0].found is False
    assert evidence[0].detail.startswith("cannot load")


@pytest.mark.parametrize(("value", "found", "version"), [("12.4", True, "12.4"), ("", False, None)])
def test_override(value: str, found: bool, version: str | None) -> None:
    system = System(environ={"EXTDEPS_OVERRIDE_CUDA": value}, cache_dir=None)
    [evidence] = probe_cuda_driver(system)
    assert (evidence.found, evidence.version) == (found, version)
