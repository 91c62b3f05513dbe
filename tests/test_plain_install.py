"""Every command in `extdeps --help` works after a plain `pip install extdeps`.

A fresh virtual environment gets this checkout without extras; each command then
runs for real on the examples. Needs PyPI (for extdeps' dependencies and the
build backend); CI has it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, need

pytestmark = pytest.mark.system

DRAFT = '[external]\nbuild-requires = ["virtual:compiler/c"]\n'


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("plain") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    source = tmp_path_factory.mktemp("src") / "extdeps"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", ".*_cache"),
    )
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    need(
        done.returncode == 0 or "Could not find a version" not in done.stderr,
        "PyPI is not reachable to install extdeps' dependencies",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin" / "extdeps"


def _commands(extdeps: Path) -> list[str]:
    help_text = subprocess.run(
        [str(extdeps), "--help"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    block = help_text.split("COMMAND", 2)[-1]
    return [
        line.split()[0]
        for line in block.splitlines()
        if line.startswith("    ") and not line.startswith("     ")
    ]


def test_every_command_runs(plain: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft"
    draft.mkdir()
    (draft / "pyproject.toml").write_text(DRAFT, encoding="utf-8")
    example = str(REPO / "examples" / "zlib-ext")
    runs = {
        "show": [example],
        "validate": [example],
        "detect": ["--ecosystem", "debian+12"],
        "map": [example, "--ecosystem", "debian+12"],
        "install": [example, "--ecosystem", "debian+12", "--all"],
        "check": [example, "--ecosystem", "debian+12"],
        "metadata": [example],
        "lint": [example],
        "migrate": [str(draft), "--check"],
        "scan": [example, "--no-meson"],
        "recipe": [example, "--format", "conda-forge"],
        "registry": ["coverage"],
        # pip is installed already: nothing to plan, no network
        "preflight": ["--ecosystem", "debian+12", "--", "--no-index", "pip"],
    }
    commands = _commands(plain)
    assert sorted(commands) == sorted(runs)
    for command in commands:
        done = subprocess.run(
            [str(plain), command, *runs[command]],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=tmp_path,
        )
        expected = 1 if command == "migrate" else (0, 1)
        assert done.returncode in (expected if isinstance(expected, tuple) else (expected,)), (
            command,
            done.stdout,
            done.stderr,
        )
        assert "Traceback" not in done.stderr
        assert "extdeps[" not in done.stderr  # no extra to install first


def test_detect_without_the_optional_libraries(plain: Path) -> None:
    """Without archspec (and nvidia-ml-py) the facts they give are unknown, with
    the extra that installs them named; nothing fails."""
    import json

    env = {k: v for k, v in os.environ.items() if "OVERRIDE_" not in k}
    done = subprocess.run(
        [str(plain), "detect", "--json", "--ecosystem", "debian+12"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    facts = {f["name"]: f for f in json.loads(done.stdout)["virtual_packages"]}
    assert facts["__archspec"]["found"] is None
    assert facts["__archspec"]["detail"] == (
        "the archspec package is not installed: pip install 'extdeps[detect]'"
    )
