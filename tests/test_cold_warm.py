"""Cold and warm runs give the same answers.

Every cache (projects, sdists, shipped data, probes) only saves time: ``show``,
``map`` and ``check`` print the same document with no cache at all
(``EXTDEPS_CACHE_DIR=none``), with an empty cache directory (the run that fills
it) and with that directory filled. Run on the examples and on the real-world
tables of ``tests/data/migrate/expected``, each also packed as an sdist.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import REPO

EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if (p / "pyproject.toml").is_file())
TABLES = sorted((REPO / "tests" / "data" / "migrate" / "expected").glob("*.toml"))
COMMANDS = (["show", "--json"], ["map", "--json", "--allow-unmapped"], ["check", "--json"])


def _project(tmp_path: Path, source: Path) -> Path:
    """A project directory holding ``source`` (a directory or a TOML file)."""
    pyproject = source / "pyproject.toml" if source.is_dir() else source
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "pyproject.toml").write_bytes(pyproject.read_bytes())
    return directory


def _sdist(tmp_path: Path, directory: Path) -> Path:
    path = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for name, data in (
            ("demo-1.0/PKG-INFO", b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"),
            ("demo-1.0/pyproject.toml", (directory / "pyproject.toml").read_bytes()),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def _run(args: list[str], cache: str) -> tuple[int, dict[str, object]]:
    env = {
        **os.environ,
        "EXTDEPS_CACHE_DIR": cache,
        "EXTDEPS_ECOSYSTEM": os.environ.get("EXTDEPS_ECOSYSTEM", "debian+12"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "extdeps", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize(
    "source", [*EXAMPLES, *TABLES], ids=lambda p: p.name if p.is_dir() else p.stem
)
def test_same_answers_cold_and_warm(tmp_path: Path, source: Path) -> None:
    project = _project(tmp_path, source)
    sdist = _sdist(tmp_path, project)
    for target in (project, sdist):
        for command in COMMANDS:
            args = [*command, str(target)]
            cache = str(tmp_path / f"cache-{target.name}-{command[0]}")
            none = _run(args, "none")
            filling = _run(args, cache)
            filled = _run(args, cache)
            assert none == filling == filled, args
