"""The compiled forms of the shipped data are used only when sound.

The build writes ``extdeps/_compiled`` from ``mappings/`` (``hatch_build.py``);
a run takes a form from it only for the package's own data files, only while the
JSON is byte for byte what it was made from, and only when the code that made it
is the code running. Each case compiles into a temporary directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from extdeps.data import compiled
from extdeps.data.cache import read_cache_file
from extdeps.data.compile import compile_data
from extdeps.data.files import data_dir, load_json
from extdeps.data.registry import load_registry
from tests.conftest import REPO, clear_data_caches


@pytest.fixture
def forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Forms compiled from a copy of the shipped data, which stands in for the
    package's own data directory."""
    data = tmp_path / "mappings"
    shutil.copytree(data_dir(), data, ignore=shutil.ignore_patterns("verification", "*.py"))
    target = tmp_path / "_compiled"
    compile_data(str(data), str(target), source_checkout=True)
    monkeypatch.setattr(compiled, "DIRECTORY", str(target))
    monkeypatch.setattr(compiled, "_shipped_data_dirs", lambda: (str(data),))
    monkeypatch.setattr(compiled, "_trusted", None)
    monkeypatch.setenv("EXTDEPS_DATA_DIR", str(data))
    monkeypatch.setenv("EXTDEPS_CACHE_DIR", "none")
    clear_data_caches()
    yield data
    clear_data_caches()


def test_every_shipped_file_has_its_forms(forms: Path) -> None:
    for name in os.listdir(forms):
        if name.endswith(".json"):
            found, value = compiled.shipped_form(str(forms / name), "")
            assert found, name
            assert value == json.loads((forms / name).read_bytes())
    found, _ = compiled.shipped_form(str(forms / "registry.json"), "registry-")
    assert found


def test_the_compiled_registry_is_the_parsed_one(
    forms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = load_registry(str(forms / "registry.json"))
    clear_data_caches()
    monkeypatch.setattr(compiled, "DIRECTORY", str(forms / "nowhere"))
    slow = load_registry(str(forms / "registry.json"))
    assert fast.compact() == slow.compact()


def test_an_edited_json_file_is_read_again(forms: Path) -> None:
    path = forms / "known-ecosystems.json"
    document = json.loads(path.read_bytes())
    document["ecosystems"]["made-up+1"] = {"mapping": "https://example.invalid/m.json"}
    path.write_text(json.dumps(document), encoding="utf-8")
    assert compiled.shipped_form(str(path), "") == (False, None)
    assert "made-up+1" in load_json(str(path))["ecosystems"]
    # the same length, one byte different
    text = path.read_bytes().replace(b"made-up+1", b"made-up+2")
    path.write_bytes(text)
    assert compiled.shipped_form(str(path), "") == (False, None)


def test_forms_made_by_other_code_are_not_used(forms: Path, tmp_path: Path) -> None:
    """In a source checkout the forms name the modules that made them: an edit to
    one (its size or time changes) retires them all."""
    stored = read_cache_file(os.path.join(compiled.DIRECTORY, compiled.IDENTITY))
    assert stored[1], "the modules that made them"
    assert any(entry[0] == os.path.join("data", "registry.py") for entry in stored[1])
    relative, size, mtime = stored[1][0]
    stored[1][0] = [relative, size, mtime + 1]
    from extdeps.data.cache import _write

    _write(os.path.join(compiled.DIRECTORY, compiled.IDENTITY), stored)
    assert compiled.shipped_form(str(forms / "registry.json"), "") == (False, None)


def test_another_version_is_not_used(forms: Path) -> None:
    from extdeps.data.cache import _write

    stored = read_cache_file(os.path.join(compiled.DIRECTORY, compiled.IDENTITY))
    _write(os.path.join(compiled.DIRECTORY, compiled.IDENTITY), ["0.0.0", stored[1]])
    assert compiled.shipped_form(str(forms / "registry.json"), "") == (False, None)


def test_files_outside_the_package_data_are_never_compiled(forms: Path, tmp_path: Path) -> None:
    """A mapping someone else wrote, with forms next to it, is read as JSON."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(forms / "registry.json", elsewhere / "registry.json")
    assert compiled.shipped_form(str(elsewhere / "registry.json"), "") == (False, None)


def test_a_damaged_form_is_a_miss(forms: Path) -> None:
    target = Path(compiled.DIRECTORY) / "probes.json.marshal"
    target.write_bytes(b"\x00garbage")
    assert compiled.shipped_form(str(forms / "probes.json"), "") == (False, None)


def test_the_source_checkout_keeps_its_forms_out_of_git() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "extdeps/_compiled/registry.json.marshal"],
        cwd=REPO,
        check=False,
    )
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.returncode == 0


@pytest.mark.system
def test_a_built_wheel_ships_forms_that_a_cold_run_uses(tmp_path: Path) -> None:
    """The wheel holds a form for every shipped JSON file, made for its version
    (not for the build tree's modules), and a cold check in an environment where
    it is installed parses no JSON."""
    import zipfile

    from tests.conftest import need

    need(shutil.which("git") is not None, "needs git")
    source = tmp_path / "src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", ".*_cache"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("extdeps-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        identity = zf.read("extdeps/_compiled/identity.marshal")
    shipped = {p.name for p in (REPO / "mappings").glob("*.json")}
    assert {f"extdeps/_compiled/{n}.marshal" for n in shipped} <= names
    assert "extdeps/_compiled/registry-registry.json.marshal" in names
    import marshal

    assert marshal.loads(identity)[1][1] == []  # tied to the version only
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "EXTDEPS_CACHE_DIR": "none",
        "EXTDEPS_ECOSYSTEM": "debian+12",
    }
    env.pop("EXTDEPS_DATA_DIR", None)
    args = ["-m", "extdeps", "check", str(REPO / "examples" / "zlib-ext")]
    run = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert run.stdout, run.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}
    assert "extdeps.data.compiled" in imported
    where = subprocess.run(
        [sys.executable, "-c", "import extdeps; print(extdeps.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    assert where.stdout.startswith(str(target))  # the wheel's, not this checkout's
    assert "_json" not in imported
