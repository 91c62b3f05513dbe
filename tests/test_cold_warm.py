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


def test_a_run_writes_each_cache_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command-line run keeps its cache writes to the end and writes each file
    once: the probes' entries share one file, written once however many probes
    ran (a cold run's writes were a tenth of its time)."""
    from extdeps.cli.main import main
    from extdeps.data import cache as _cache
    from extdeps.system import machine
    from tests.conftest import clear_data_caches

    writes: list[str] = []
    real = _cache._write

    def write(path: str, value: object) -> None:
        writes.append(path)
        real(path, value)

    monkeypatch.setattr(_cache, "_write", write)
    monkeypatch.setattr(machine, "_documents", {})
    clear_data_caches()
    directory = tmp_path / "cache"
    monkeypatch.setenv("EXTDEPS_CACHE_DIR", str(directory))
    monkeypatch.setenv("EXTDEPS_ECOSYSTEM", "debian+12")
    assert main(["check", "--json", str(REPO / "examples" / "zlib-ext")]) in (0, 1)
    names = [os.path.relpath(p, directory) for p in writes]
    assert len(names) == len(set(names)), names
    assert {"projects.marshal", "system.marshal"} <= set(names)
    assert _cache._pending is None  # later writes (a library caller's) happen at once


@pytest.mark.system
def test_a_cold_check_begins_its_programs_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version queries and pkg-config's search path are begun before the first
    verdict, and each begun program is the one a verdict then runs; a warm check
    begins none."""
    import shutil

    from extdeps.cli.main import main
    from extdeps.system import machine
    from tests.conftest import clear_data_caches, need

    need(bool(shutil.which("cc") and shutil.which("pkg-config")), "needs cc and pkg-config")
    started: list[tuple[str, ...]] = []
    abandoned: list[tuple[int, int, int]] = []
    real_start, real_abandon = machine.System.start, machine._abandon

    def start(self: machine.System, argv: list[str]) -> None:
        started.append(tuple(argv))
        real_start(self, argv)

    def abandon(begun: tuple[int, int, int]) -> None:
        abandoned.append(begun)
        real_abandon(begun)

    monkeypatch.setattr(machine.System, "start", start)
    monkeypatch.setattr(machine, "_abandon", abandon)
    monkeypatch.setattr(machine, "_documents", {})
    clear_data_caches()
    monkeypatch.setenv("EXTDEPS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("EXTDEPS_ECOSYSTEM", "debian+12")
    example = str(REPO / "examples" / "zlib-ext")
    assert main(["check", "--json", example]) in (0, 1)
    names = {(os.path.basename(a[0]), *a[1:]) for a in started}
    assert {("cc", "--version"), ("pkg-config", "--version")} <= names
    assert ("pkg-config", "--variable", "pc_path", "pkg-config") in names
    assert abandoned == []  # every begun program was needed
    started.clear()
    monkeypatch.setattr(machine, "_documents", {})
    assert main(["check", "--json", example]) in (0, 1)
    assert started == []


@pytest.mark.system
def test_a_cold_check_asks_pkg_config_once_for_all_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The host requirements' pkg-config modules are asked for in one run, and
    each answer is the one a run of its own gives."""
    import shutil

    from extdeps.cli.main import main
    from extdeps.system import machine
    from tests.conftest import clear_data_caches, need

    need(shutil.which("pkg-config") is not None, "needs pkg-config")
    for module in ("zlib", "libffi", "yaml-0.1"):
        need(
            subprocess.run(["pkg-config", "--exists", module], check=False).returncode == 0,
            f"needs the pkg-config module {module} (zlib1g-dev, libffi-dev, libyaml-dev)",
        )
    project = tmp_path / "several"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "several"\nversion = "1"\n[external]\n'
        'host-requires = ["dep:generic/zlib", "dep:generic/libffi", "dep:generic/libyaml"]\n',
        encoding="utf-8",
    )
    asked: list[list[str]] = []
    real = machine._begin

    def begin(argv: list[str], environ: dict[str, str]) -> object:
        if "--modversion" in argv:
            asked.append(argv[argv.index("--modversion") + 1 :])
        return real(argv, environ)

    monkeypatch.setattr(machine, "_begin", begin)
    monkeypatch.setattr(machine, "_documents", {})
    clear_data_caches()
    monkeypatch.setenv("EXTDEPS_CACHE_DIR", "none")
    monkeypatch.setenv("EXTDEPS_ECOSYSTEM", "debian+12")
    assert main(["check", str(project)]) == 0
    assert len(asked) == 1
    assert sorted(asked[0]) == ["libffi", "yaml-0.1", "zlib"]
    batched = _run(["check", "--json", str(project)], "none")
    monkeypatch.setattr(machine, "_begin", real)
    for module in ("zlib", "libffi", "yaml-0.1"):
        alone = subprocess.run(
            ["pkg-config", "--modversion", module], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert alone in json.dumps(batched[1])
