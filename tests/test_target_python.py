"""check, map and install answer for the target interpreter (--python, $VIRTUAL_ENV).

System tests with real interpreters: Debian's Python 3 (its headers come from
python3-dev, which CI installs), a virtual environment of it, and a real Python
without headers: Debian's python3.11 binary copied under a prefix of its own
whose lib/ links to the standard library and whose include/ is empty.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from extdeps.cli.main import main
from tests.conftest import need

pytestmark = pytest.mark.system

DEBIAN_PYTHON = "/usr/bin/python3.11"
PROJECT = """\
[project]
name = "target"
version = "1.0"

[external]
build-requires = ["dep:virtual/compiler/c"]
host-requires = ["dep:generic/python@>=3.10"]
dependencies = [
  "dep:generic/zlib; python_version < '3.0'",
  "dep:generic/libffi; implementation_name == 'cpython'",
]
"""


def _debian_python() -> None:
    need(os.path.exists("/var/lib/dpkg/status"), "needs a Debian system")
    need(os.path.exists(DEBIAN_PYTHON), f"needs {DEBIAN_PYTHON} (apt-get install python3)")


def _venv(base: str, target: Path) -> Path:
    subprocess.run([base, "-m", "venv", "--without-pip", str(target)], check=True, timeout=120)
    return target


@pytest.fixture
def headerless(tmp_path: Path) -> Path:
    """A real Python 3.11 whose include directory has no Python.h."""
    _debian_python()
    prefix = tmp_path / "headerless"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "lib").mkdir()
    shutil.copy2(DEBIAN_PYTHON, prefix / "bin" / "python3.11")
    (prefix / "lib" / "python3.11").symlink_to("/usr/lib/python3.11")
    return prefix / "bin" / "python3.11"


def _check(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["check", *args, "--ecosystem", "debian+12", "--json"])
    return code, json.loads(capsys.readouterr().out)


def _results(document: dict[str, object]) -> dict[str, dict[str, object]]:
    results = document["results"]
    assert isinstance(results, list)
    return {str(r["requirement"]): r for r in results}


def test_venv_of_a_python_without_headers(
    write_project: Callable[[str], Path],
    tmp_path: Path,
    headerless: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = write_project(PROJECT)
    venv = _venv(str(headerless), tmp_path / "venv")
    code, doc = _check([str(project), "--python", str(venv)], capsys)
    python = _results(doc)["dep:generic/python@>=3.10"]
    assert code == 1
    assert python["status"] == "missing"
    assert python["installable"] is False
    assert "no Python.h in" in str(python["reason"])
    assert "reinstall it with them" in str(python["reason"])
    assert doc["python"] == {
        "path": str(venv / "bin" / "python"),
        "version": "3.11.2",
        "chosen_by": "--python",
    }
    # nothing of Debian's would fix it: no install command for it
    install = doc["install"]
    assert install is None or "python3-dev" not in json.dumps(install)


def test_active_virtual_environment_is_the_default(
    write_project: Callable[[str], Path],
    tmp_path: Path,
    headerless: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = write_project(PROJECT)
    venv = _venv(str(headerless), tmp_path / "venv")
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    code, doc = _check([str(project)], capsys)
    assert code == 1
    assert doc["python"] == {
        "path": str(venv / "bin" / "python"),
        "version": "3.11.2",
        "chosen_by": "the active virtual environment",
    }
    main(["check", str(project), "--ecosystem", "debian+12"])
    text = capsys.readouterr().out.splitlines()
    assert (
        f"for Python 3.11.2 at {venv / 'bin' / 'python'} (the active virtual environment)"
        in (text[0])
    )


def test_venv_of_debian_python_with_headers(
    write_project: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _debian_python()
    need(os.path.exists("/usr/include/python3.11/Python.h"), "needs python3-dev")
    project = write_project(PROJECT)
    venv = _venv(DEBIAN_PYTHON, tmp_path / "venv")
    code, doc = _check([str(project), "--python", str(venv / "bin" / "python")], capsys)
    python = _results(doc)["dep:generic/python@>=3.10"]
    assert python["status"] == "satisfied"
    assert python["found_version"] == "3.11.2"
    assert python["decided_by"] == "interpreter"
    assert code == 0


def test_markers_are_evaluated_for_the_target(
    write_project: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _debian_python()
    project = write_project(
        "[external]\ndependencies = [\n"
        "  \"dep:generic/zlib; python_full_version == '3.11.2'\",\n"
        "  \"dep:generic/libffi; python_full_version != '3.11.2'\",\n"
        "]\n"
    )
    venv = _venv(DEBIAN_PYTHON, tmp_path / "venv")
    for _ in range(2):  # the second run answers from the cached facts and outcomes
        main(["map", str(project), "--ecosystem", "debian+12", "--json", "--python", str(venv)])
        doc = json.loads(capsys.readouterr().out)
        statuses = {d["id"]: d["status"] for d in doc["dependencies"]}
        assert statuses == {"dep:generic/zlib": "mapped", "dep:generic/libffi": "skipped"}


def test_not_a_python(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    code = main(["detect", "--ecosystem", "debian+12", "--python", str(fake)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: {fake}: cannot ask this Python for its facts: exit code 3\n" + (
        "hint: --python takes a Python interpreter or a virtual environment directory\n"
    )
    (tmp_path / "pyproject.toml").write_text("[external]\n", encoding="utf-8")
    code = main(["check", str(tmp_path), "--python", str(tmp_path / "nope")])
    assert code == 2
    assert "--python" in capsys.readouterr().err


def test_installed_distribution_in_the_target_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _debian_python()
    venv = _venv(DEBIAN_PYTHON, tmp_path / "venv")
    site = next((venv / "lib").glob("python3*/site-packages"))
    dist = site / "demo_dist-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: demo-dist\nVersion: 1.0\n"
        "Requires-External-Dep: dep:generic/zlib\n",
        encoding="utf-8",
    )
    code, doc = _check(["--installed", "demo-dist", "--python", str(venv)], capsys)
    assert doc["source"] == "demo-dist (installed)"
    assert list(_results(doc)) == ["dep:generic/zlib"]
    assert code == 0
    # not in the environment running the tests
    code = main(["check", "--installed", "demo-dist", "--python", sys.executable])
    assert code == 2
    assert "no installed distribution named 'demo-dist'" in capsys.readouterr().err
    # a .dist-info directory as PATH
    code, doc = _check([str(dist)], capsys)
    assert doc["source"] == str(dist / "METADATA")
    assert code == 0
