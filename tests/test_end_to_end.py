"""End to end on this Debian machine: install with apt, then build a real sdist.

`extdeps install --execute --yes` installs what a project declaring zlib,
libyaml, libffi, snappy and a C compiler needs and is missing (snappy, removed
first), checks again, and PyYAML's sdist builds its C extension against
libyaml. Needs root, apt and PyPI access (CI has all three).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import need

pytestmark = pytest.mark.system

PROJECT = """\
[project]
name = "needs-yaml"
version = "1.0"

[external]
build-requires = ["dep:virtual/compiler/c"]
host-requires = [
  "dep:generic/zlib",
  "dep:generic/libyaml",
  "dep:generic/libffi",
  "dep:generic/snappy",
]
"""


def test_install_then_build_pyyaml_from_sdist(
    write_project: Callable[[str], Path], tmp_path: Path
) -> None:
    need(shutil.which("apt-get") is not None, "needs apt-get (a Debian system)")
    need(hasattr(os, "geteuid") and os.geteuid() == 0, "needs root to install Debian packages")
    project = write_project(PROJECT)
    env = {**os.environ}
    # snappy is what this test installs: make sure it is missing
    subprocess.run(
        ["apt-get", "remove", "-y", "-qq", "libsnappy-dev"],
        capture_output=True,
        check=False,
        timeout=300,
    )
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "extdeps",
            "install",
            str(project),
            "--ecosystem",
            "debian+12",
            "--execute",
            "--yes",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    # only what check found missing: snappy, not the libraries already there
    assert install.stdout.splitlines()[-1] == (
        "apt-get install --yes --no-install-recommends libsnappy-dev"
    )
    assert "zlib1g-dev" not in install.stdout
    assert "+ apt-get install --yes --no-install-recommends libsnappy-dev" in install.stderr
    assert "still unmet" not in install.stderr
    check = subprocess.run(
        [sys.executable, "-m", "extdeps", "check", str(project), "--ecosystem", "debian+12"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-binary",
            "pyyaml",
            "--no-cache-dir",
            "-w",
            str(wheels),
            "pyyaml==6.0.2",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**env, "PYYAML_FORCE_CYTHON": "0"},
        timeout=600,
    )
    need(
        build.returncode == 0 or "No matching distribution" not in build.stderr,
        "PyPI is not reachable to fetch the PyYAML sdist",
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    [wheel] = sorted(wheels.glob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        extensions = [n for n in zf.namelist() if n.startswith("yaml/_yaml") and n.endswith(".so")]
    assert extensions, "PyYAML was built without its libyaml C extension"
