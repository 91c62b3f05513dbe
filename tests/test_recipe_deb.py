"""Debian's gate: ``extdeps recipe --format debian`` on a real sdist, then
``dpkg-buildpackage -us -uc -b`` in the unpacked sdist, ``apt-get install ./x.deb``
and the module imported by the system's Python.

Two shapes: ``examples/zlib-ext`` (meson-python through the extdeps wrapper, PEP
639 license metadata that Debian 12's build tools predate) and a setuptools
project whose C extension is declared in ``setup.py``, with a pre-release version.
Needs Debian 12 (or later) with the build tools ``.ci/run`` installs, and root for
``apt-get install``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.conftest import REPO, need

pytestmark = pytest.mark.system

# the build sees the system's tools only (not a virtual environment's python3)
CLEAN_ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": os.environ.get("HOME", "/root"),
    "LANG": "C.UTF-8",
    "SOURCE_DATE_EPOCH": "1764780000",
}
BUILD_TOOLS = (
    "debhelper dh-python pybuild-plugin-pyproject python3-all-dev python3-mesonpy "
    "python3-setuptools meson ninja-build pkgconf zlib1g-dev"
)

CASES = {
    # name: (project, backend module, import test, binary package)
    "zlib-ext": (
        REPO / "examples" / "zlib-ext",
        "extdeps.backends.mesonpy",
        "import _zlib_ext; print(_zlib_ext.crc32(b'abc'))",
        "python3-zlib-ext",
    ),
    "setuppy-zlib": (
        REPO / "tests" / "data" / "projects" / "setuppy-zlib",
        "setuptools.build_meta",
        "import setuppy_zlib; print(setuppy_zlib.crc32(b'abc'))",
        "python3-setuppy-zlib",
    ),
}


def _debian() -> bool:
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return False
    return "ID=debian" in text


@pytest.fixture(scope="module")
def debian_tools() -> None:
    need(_debian() and shutil.which("dpkg-buildpackage") is not None, "needs Debian's dpkg-dev")
    missing = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\n", *BUILD_TOOLS.split()],
        capture_output=True,
        text=True,
        check=False,
    )
    installed = {
        line.split()[0] for line in missing.stdout.splitlines() if line.endswith(" installed")
    }
    absent = sorted(set(BUILD_TOOLS.split()) - installed)
    need(not absent, f"needs the Debian packages {' '.join(absent)} (apt-get install them)")
    need(os.geteuid() == 0, "needs root for apt-get install ./x.deb")


def _sdist(project: Path, backend: str, out: Path) -> Path:
    """Build the sdist the way a frontend does: the backend's hook, in a subprocess."""
    work = out / "project"
    shutil.copytree(project, work, ignore=shutil.ignore_patterns("*.egg-info", "build"))
    # meson dist takes the files from version control, as in a real release
    git = [
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "-c",
        "init.defaultBranch=main",
    ]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "release"]):
        subprocess.run([*git, *command], cwd=work, check=True, capture_output=True)
    code = (
        "import importlib, sys; backend = importlib.import_module(sys.argv[1]); "
        "print(backend.build_sdist(sys.argv[2], {}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, backend, str(out)],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out / done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("case", sorted(CASES))
def test_debian_directory_builds_installs_and_imports(
    case: str, debian_tools: None, tmp_path: Path
) -> None:
    project, backend, check, binary = CASES[case]
    sdist = _sdist(project, backend, tmp_path)
    # unpacked as a packager does (Python before 3.11.4 has no extraction filter)
    subprocess.run(["tar", "-xzf", str(sdist), "-C", str(tmp_path)], check=True)
    source = tmp_path / sdist.name.removesuffix(".tar.gz")

    # the recipe from the sdist, run from elsewhere: nothing depends on the cwd
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "extdeps",
            "recipe",
            str(sdist),
            "--format",
            "debian",
            "--ecosystem",
            "debian+12",
            "--output",
            str(source),
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env={**os.environ, "SOURCE_DATE_EPOCH": CLEAN_ENV["SOURCE_DATE_EPOCH"]},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    control = (source / "debian" / "control").read_text(encoding="utf-8")
    assert "TODO" not in control
    assert "gcc" not in control  # build-essential is never listed
    assert os.access(source / "debian" / "rules", os.X_OK)

    built = subprocess.run(
        ["dpkg-buildpackage", "-us", "-uc", "-b"],
        capture_output=True,
        text=True,
        cwd=source,
        env=CLEAN_ENV,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, (built.stdout + built.stderr)[-6000:]
    debs = list(tmp_path.glob(f"{binary}_*.deb"))
    assert len(debs) == 1, sorted(p.name for p in tmp_path.iterdir())

    installed = subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", str(debs[0])],
        capture_output=True,
        text=True,
        env={**CLEAN_ENV, "DEBIAN_FRONTEND": "noninteractive"},
        timeout=600,
        check=False,
    )
    try:
        assert installed.returncode == 0, installed.stdout + installed.stderr
        imported = subprocess.run(
            ["/usr/bin/python3", "-c", check],
            capture_output=True,
            text=True,
            env=CLEAN_ENV,
            cwd=elsewhere,
            timeout=60,
            check=False,
        )
        assert imported.returncode == 0, imported.stderr
        assert json.loads(imported.stdout) == zlib.crc32(b"abc")
    finally:
        subprocess.run(["dpkg", "--purge", binary], capture_output=True, env=CLEAN_ENV, check=False)
