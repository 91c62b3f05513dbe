"""extdeps migrate: a corpus of 2023-draft tables, one-string rewrites, --check, --write."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from extdeps import External
from extdeps.authoring.migrate import migrate_requirement, migrate_text
from extdeps.cli.main import main
from extdeps.model.errors import InvalidDocument
from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

pytest.importorskip("tomlkit")

CORPUS = REPO / "tests" / "data" / "migrate"
CORPUS_FILES = sorted(CORPUS.glob("*.toml"))
_DRAFT_RE = re.compile(r"(?i)[\"'](pkg|virtual):")


def _comments(text: str) -> list[str]:
    """The comments of a corpus file (no corpus string contains '#')."""
    return [line[line.index("#") :].strip() for line in text.splitlines() if "#" in line]


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS_FILES) >= 10


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_corpus_migrates_to_a_valid_table(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    with pytest.raises(InvalidDocument):  # the draft syntax is not valid any more
        External.from_pyproject(tomllib.loads(text))
    migration = migrate_text(text, source=path.name)
    assert migration.needed
    assert migration.problems == ()
    new = migration.new_text
    assert new == (CORPUS / "expected" / path.name).read_text(encoding="utf-8")
    # validate accepts the result
    data = tomllib.loads(new)
    External.from_pyproject(data, source=path.name)
    # no draft syntax is left, every comment is kept, nothing outside [external] changed
    assert not _DRAFT_RE.search(new)
    assert _comments(new) == _comments(text)
    old = tomllib.loads(text)
    old.pop("external")
    data.pop("external")
    assert data == old


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_corpus_migration_is_idempotent(path: Path) -> None:
    once = migrate_text(path.read_text(encoding="utf-8")).new_text
    twice = migrate_text(once)
    assert not twice.needed
    assert twice.changes == ()
    assert twice.new_text == once


def test_changes_name_key_paths() -> None:
    text = (CORPUS / "08-h5py.toml").read_text(encoding="utf-8")
    changes = [str(c) for c in migrate_text(text).changes]
    assert changes[:3] == [
        "external.build-requires[0]: 'virtual:compiler/c' -> 'dep:virtual/compiler/c'",
        "external.build-requires[1]: 'pkg:generic/pkg-config' -> 'dep:generic/pkg-config'",
        "external.build-host-requires: 'build-host-requires' -> 'host-requires'",
    ]
    assert "external.dependency-groups.dev[0]: 'include_group' -> 'include-group'" in changes


REQUIREMENTS = {
    "pkg-generic": ("pkg:generic/zlib", "dep:generic/zlib"),
    "pkg-other-type": ("pkg:github/madler/zlib@1.3", "dep:github/madler/zlib@1.3"),
    "pkg-double-slash": ("pkg://generic/zlib", "dep:generic/zlib"),
    "pkg-uppercase": ("PKG:generic/zlib", "dep:generic/zlib"),
    "virtual": ("virtual:interface/blas", "dep:virtual/interface/blas"),
    "virtual-cpp": ("virtual:compiler/cpp", "dep:virtual/compiler/cxx"),
    "virtual-c++": ("virtual:compiler/c++@>=2017", "dep:virtual/compiler/cxx@>=2017"),
    "current-but-cpp": ("dep:virtual/compiler/cpp", "dep:virtual/compiler/cxx"),
    "marker-kept-as-written": (
        "pkg:generic/zlib ;sys_platform=='linux'",
        "dep:generic/zlib ;sys_platform=='linux'",
    ),
    "vers-range": ("pkg:generic/x?vers=vers:generic/>=1.2|<2", "dep:generic/x@>=1.2,<2"),
    "vers-pin": ("pkg:generic/x?vers=vers:generic/1.2", "dep:generic/x@==1.2"),
    "vers-encoded": ("pkg:generic/x?vers=vers:generic/%3E%3D1.2", "dep:generic/x@>=1.2"),
    "vers-and-other-qualifiers": (
        "pkg:generic/x?arch=x86_64&vers=vers:generic/>=1#sub",
        "dep:generic/x@>=1?arch=x86_64#sub",
    ),
    "vers-union-left-alone": (
        "pkg:generic/x?vers=vers:generic/1.0|2.0",
        "dep:generic/x?vers=vers:generic/1.0|2.0",
    ),
    "current-untouched": ("dep:generic/zlib@>=1.2", "dep:generic/zlib@>=1.2"),
    "not-a-depurl-untouched": ("zlib", "zlib"),
}


@pytest.mark.parametrize(("old", "new"), REQUIREMENTS.values(), ids=REQUIREMENTS.keys())
def test_migrate_requirement(old: str, new: str) -> None:
    assert migrate_requirement(old) == new


def test_a_current_table_is_left_alone() -> None:
    text = '[external]\nbuild-requires = ["dep:virtual/compiler/c"]  # keep\n'
    migration = migrate_text(text)
    assert not migration.needed
    assert migration.new_text == text
    assert migration.diff() == ""


def test_only_the_top_level_external_table_is_touched() -> None:
    text = (
        "[tool.other]\n"
        'build_requires = ["pkg:generic/zlib"]\n'
        "[tool.other.external]\n"
        'build-host-requires = ["virtual:compiler/c"]\n'
    )
    assert not migrate_text(text).needed


def test_unmigratable_entry_is_a_problem() -> None:
    text = '[external]\nhost-requires = ["pkg:generic/x@~=1.2"]\n'
    migration = migrate_text(text, source="p.toml")
    assert migration.needed
    (problem,) = migration.problems
    assert str(problem).startswith(
        "p.toml: external.host-requires[0]: operator '~=' is not allowed"
    )


def test_conflicting_keys_are_an_error() -> None:
    text = (
        '[external]\nhost-requires = ["dep:generic/a"]\nbuild-host-requires = ["pkg:generic/b"]\n'
    )
    with pytest.raises(InvalidDocument) as info:
        migrate_text(text, source="p.toml")
    (error,) = info.value.errors
    assert str(error) == (
        "p.toml: external.build-host-requires: both 'host-requires' and 'build-host-requires' "
        "become 'host-requires'"
    )
    assert error.hint == "merge them into one 'host-requires' by hand, then run migrate again"


def test_crlf_and_bom_are_kept() -> None:
    text = '\ufeff[external]\r\nbuild-requires = [\r\n  "virtual:compiler/c",  # C\r\n]\r\n'
    new = migrate_text(text).new_text
    assert (
        new == '\ufeff[external]\r\nbuild-requires = [\r\n  "dep:virtual/compiler/c",  # C\r\n]\r\n'
    )


def test_invalid_toml_is_an_input_error() -> None:
    from extdeps import InputError

    with pytest.raises(InputError, match=r"^p.toml: invalid TOML: "):
        migrate_text("[external\n", source="p.toml")


def test_tomlkit_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from extdeps import ExtdepsError

    monkeypatch.setitem(sys.modules, "tomlkit", None)
    with pytest.raises(ExtdepsError) as info:
        migrate_text('[external]\nbuild-requires = ["virtual:compiler/c"]\n')
    assert info.value.hint is not None
    assert "reinstall extdeps" in info.value.hint


# -- the command --------------------------------------------------------------------

DRAFT = (CORPUS / "02-scipy.toml").read_text(encoding="utf-8")


def test_cli_plain_prints_a_diff(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project(DRAFT)
    path = project / "pyproject.toml"
    assert main(["migrate", str(project)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"--- {path}\n+++ {path}\n@@ ")
    assert '-  "virtual:compiler/cpp",     # C++17 is required\n' in out
    assert '+  "dep:virtual/compiler/cxx",     # C++17 is required\n' in out
    assert path.read_text(encoding="utf-8") == DRAFT  # nothing written


def test_cli_check(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project(DRAFT)
    path = project / "pyproject.toml"
    assert main(["migrate", "--check", str(project)]) == 1
    captured = capsys.readouterr()
    assert (
        f"{path}: external.build-requires[1]: 'virtual:compiler/cpp' -> 'dep:virtual/compiler/cxx'"
        in captured.out
    )
    assert captured.err == f"{path}: needs migration (8 changes)\n"
    assert path.read_text(encoding="utf-8") == DRAFT
    path.write_text(
        (CORPUS / "expected" / "02-scipy.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert main(["migrate", "--check", str(path)]) == 0
    assert capsys.readouterr().err == f"{path}: up to date\n"


def test_cli_write_is_atomic_and_keeps_permissions(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project(DRAFT)
    path = project / "pyproject.toml"
    path.chmod(0o640)
    before = os.stat(path).st_ino
    assert main(["migrate", "--write", str(project)]) == 0
    assert capsys.readouterr().err == f"{path}: migrated (8 changes)\n"
    assert path.read_text(encoding="utf-8") == (CORPUS / "expected" / "02-scipy.toml").read_text(
        encoding="utf-8"
    )
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert os.stat(path).st_ino != before  # a new file took the old one's place
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml"]
    assert main(["migrate", "--write", str(project)]) == 0
    assert capsys.readouterr().err == f"{path}: up to date; nothing written\n"


def test_cli_write_through_a_symlink(
    write_project: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project(DRAFT)
    link = tmp_path / "link.toml"
    link.symlink_to(project / "pyproject.toml")
    assert main(["migrate", "--write", str(link)]) == 0
    assert link.is_symlink()
    assert "dep:virtual/compiler/cxx" in (project / "pyproject.toml").read_text(encoding="utf-8")


def test_cli_write_failure_leaves_the_file_and_no_temp_file(
    write_project: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = write_project(DRAFT)

    def fail(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", fail)
    assert main(["migrate", "--write", str(project)]) == 2
    assert capsys.readouterr().err == (
        f"error: {project / 'pyproject.toml'}: cannot write: Permission denied\n"
    )
    assert (project / "pyproject.toml").read_text(encoding="utf-8") == DRAFT
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml"]


def test_cli_leftover_problems_write_nothing(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    text = '[external]\nhost-requires = ["pkg:generic/x@~=1.2"]\n'
    project = write_project(text)
    assert main(["migrate", "--write", str(project)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{project / 'pyproject.toml'}: external.host-requires[0]: ")
    assert err.endswith("1 problem left after migration; fix them by hand (nothing was written)\n")
    assert (project / "pyproject.toml").read_text(encoding="utf-8") == text


def test_cli_conflict_exits_2(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project("[external]\nhost-requires = []\nbuild_host_requires = []\n")
    assert main(["migrate", "--check", str(project)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "hint: merge them into one 'host-requires' by hand" in err


@pytest.mark.parametrize("name", ["demo-1.0.tar.gz", "demo-1.0.zip"])
def test_cli_refuses_sdists(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    sdist = tmp_path / name
    sdist.write_bytes(b"")
    assert main(["migrate", "--write", str(sdist)]) == 2
    assert capsys.readouterr().err == (
        f"error: {sdist}: can only migrate a pyproject.toml or a project directory, not an sdist\n"
        "hint: migrate the project's source tree, then build a new sdist\n"
    )


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'pyproject.toml'}: file not found\n"


def test_cli_check_and_write_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["migrate", "--check", "--write"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
