"""extdeps lint: one table-driven case (or more) per rule, coverage, output and exit codes."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from extdeps import External
from extdeps.authoring.lint import (
    RULES,
    Finding,
    _satisfiable_marker,
    category_of,
    lint_external,
    shipped_mappings,
)
from extdeps.authoring.names import lookup_name
from extdeps.cli.main import main
from extdeps.data.registry import load_registry
from tests.conftest import REPO, clear_data_caches

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

_APT: dict[str, Any] = {
    "name": "apt",
    "commands": {
        "install": {"command": ["apt-get", "install", "--yes", "{}"], "requires_elevation": True},
        "query": {"command": ["dpkg-query", "-W", "{}"]},
    },
    "specifier_syntax": {"name_only": ["{name}"], "exact_version": None, "version_ranges": None},
}


def _virtual(name: str) -> dict[str, Any]:
    return {"id": f"dep:virtual/{name}", "description": name}


REGISTRY: dict[str, Any] = {
    "schema_version": 1,
    "definitions": [
        {"id": "dep:generic/zlib"},
        {"id": "dep:github/madler/zlib", "provides": ["dep:generic/zlib"]},
        {"id": "dep:generic/libjpeg-turbo"},
        {"id": "dep:generic/libjpeg", "provides": ["dep:generic/libjpeg-turbo"]},
        {
            "id": "dep:generic/openblas",
            "provides": ["dep:virtual/interface/blas", "dep:virtual/interface/lapack"],
        },
        {
            "id": "dep:generic/gcc",
            "provides": ["dep:virtual/compiler/c", "dep:virtual/compiler/cxx"],
        },
        {"id": "dep:generic/cmake"},
        {"id": "dep:generic/ninja"},
        {"id": "dep:generic/protobuf"},
        {"id": "dep:generic/libffi"},
        {"id": "dep:generic/openssl"},
        {"id": "dep:generic/notpackaged"},
        _virtual("compiler/c"),
        _virtual("compiler/cxx"),
        _virtual("compiler/fortran"),
        _virtual("compiler/rust"),
        _virtual("interface/blas"),
        _virtual("interface/lapack"),
        _virtual("interface/openmp"),
        _virtual("interface/mpi"),
        _virtual("driver/cuda"),
    ],
}


def _lib(name: str, dev: str, run: str) -> dict[str, Any]:
    return {"id": f"dep:generic/{name}", "specs": {"build": dev, "host": dev, "run": run}}


DEBIAN: dict[str, Any] = {
    "schema_version": 1,
    "name": "Debian 12 (lint fixture)",
    "package_managers": [_APT],
    "mappings": [
        _lib("zlib", "zlib1g-dev", "zlib1g"),
        _lib("libjpeg-turbo", "libjpeg62-turbo-dev", "libjpeg62-turbo"),
        _lib("openblas", "libopenblas-dev", "libopenblas0"),
        _lib("libffi", "libffi-dev", "libffi8"),
        _lib("openssl", "libssl-dev", "libssl3"),
        {"id": "dep:generic/gcc", "specs": ["gcc", "g++"]},
        {"id": "dep:generic/cmake", "specs": "cmake"},
        {"id": "dep:generic/ninja", "specs": "ninja-build"},
        {
            "id": "dep:generic/protobuf",
            "specs": {
                "build": "protobuf-compiler",
                "host": ["libprotobuf-dev", "protobuf-compiler"],
                "run": "libprotobuf32",
            },
        },
        {"id": "dep:generic/notpackaged", "specs": []},
        {"id": "dep:virtual/compiler/c", "specs": "gcc"},
        {"id": "dep:virtual/interface/blas", "specs_from": "dep:generic/openblas"},
    ],
}
CONDA: dict[str, Any] = {
    "schema_version": 1,
    "name": "conda-forge (lint fixture)",
    "package_managers": [{**_APT, "name": "conda"}],
    "mappings": [
        {"id": "dep:generic/zlib", "specs": "zlib"},
        {"id": "dep:generic/libffi", "specs": "libffi"},
        {"id": "dep:generic/openssl", "specs": "openssl"},
        {"id": "dep:generic/notpackaged", "specs": "notpackaged"},
        {"id": "dep:virtual/compiler/c", "specs": "c-compiler"},
    ],
}


@pytest.fixture
def data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A small data directory: the registry and two mappings above."""
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(REPO / "mappings" / "virtual-namespaces.json", root)
    (root / "registry.json").write_text(json.dumps(REGISTRY), encoding="utf-8")
    (root / "debian+12.mapping.json").write_text(json.dumps(DEBIAN), encoding="utf-8")
    (root / "conda-forge.mapping.json").write_text(json.dumps(CONDA), encoding="utf-8")
    known = {"ecosystems": {e: {"mapping": f"{e}.json"} for e in ("debian+12", "conda-forge")}}
    (root / "known-ecosystems.json").write_text(json.dumps(known), encoding="utf-8")
    monkeypatch.setenv("EXTDEPS_DATA_DIR", str(root))
    clear_data_caches()
    yield root
    clear_data_caches()


def _lint(body: str, **kwargs: Any) -> list[Finding]:
    external = External.from_pyproject(tomllib.loads("[external]\n" + body))
    return list(lint_external(external, **kwargs).findings)


def _one(body: str, **kwargs: Any) -> tuple[str, str, str, str, str | None]:
    findings = _lint(body, **kwargs)
    assert len(findings) == 1, findings
    f = findings[0]
    return f.rule, f.severity, f.key, f.message, f.hint


# (table body, rule, severity, key, message, hint)
CASES = {
    "unknown-virtual-known-misspelling": (
        'build-requires = ["dep:virtual/compiler/cpp"]',
        "unknown-id",
        "error",
        "external.build-requires[0]",
        "'dep:virtual/compiler/cpp' is not in the registry",
        "did you mean 'dep:virtual/compiler/cxx'?",
    ),
    "unknown-generic-linker-name": (
        'host-requires = ["dep:generic/libz"]',
        "unknown-id",
        "error",
        "external.host-requires[0]",
        "'dep:generic/libz' is not in the registry",
        "did you mean 'dep:generic/zlib'?",
    ),
    "unknown-generic-typo": (
        'host-requires = ["dep:generic/libfi"]',
        "unknown-id",
        "error",
        "external.host-requires[0]",
        "'dep:generic/libfi' is not in the registry",
        "did you mean 'dep:generic/libffi'?",
    ),
    "unknown-generic-nothing-close": (
        'host-requires = ["dep:generic/qwertyuiop"]',
        "unknown-id",
        "error",
        "external.host-requires[0]",
        "'dep:generic/qwertyuiop' is not in the registry",
        "check the spelling; ids not in the registry cannot be mapped to packages",
    ),
    "unknown-other-type-is-a-warning": (
        'host-requires = ["dep:pypi/numpy"]',
        "unknown-id",
        "warning",
        "external.host-requires[0]",
        "'dep:pypi/numpy' is not in the registry",
        "prefer a registry id: mappings only map ids the registry knows",
    ),
    "alias": (
        "host-requires = [\"dep:generic/libjpeg@>=2; sys_platform == 'linux'\"]",
        "alias",
        "warning",
        "external.host-requires[0]",
        "'dep:generic/libjpeg' is an alias of 'dep:generic/libjpeg-turbo'",
        "write 'dep:generic/libjpeg-turbo@>=2; sys_platform == \"linux\"'",
    ),
    "alias-of-another-type": (
        'host-requires = ["dep:github/madler/zlib"]',
        "alias",
        "warning",
        "external.host-requires[0]",
        "'dep:github/madler/zlib' is an alias of 'dep:generic/zlib'",
        "write 'dep:generic/zlib'",
    ),
    "ecosystem-specific-deb": (
        'host-requires = ["dep:deb/debian/zlib1g-dev@>=1.2"]',
        "ecosystem-specific",
        "warning",
        "external.host-requires[0]",
        "'dep:deb/debian/zlib1g-dev' names a package of one ecosystem (deb)",
        "write 'dep:generic/zlib@>=1.2'",
    ),
    "ecosystem-specific-no-mapping": (
        'host-requires = ["dep:rpm/fedora/zlib-devel"]',
        "ecosystem-specific",
        "warning",
        "external.host-requires[0]",
        "'dep:rpm/fedora/zlib-devel' names a package of one ecosystem (rpm)",
        "use the registry's id for this package so that every ecosystem can map it",
    ),
    "virtual-version-rust-major": (
        'build-requires = ["dep:virtual/compiler/rust@>=2.0"]',
        "virtual-version",
        "warning",
        "external.build-requires[0]",
        "rust versions are 1.x releases, not '2.0'",
        "editions and years are not versions; require the release that has them",
    ),
    "virtual-version-lapack-major": (
        'host-requires = ["dep:virtual/interface/lapack@>=4.0"]',
        "virtual-version",
        "warning",
        "external.host-requires[0]",
        "lapack interface versions follow Reference LAPACK (3.x), not '4.0'",
        "to require a release of one implementation, name it: 'dep:generic/openblas'",
    ),
    "never-true-contradiction": (
        "host-requires = [\"dep:generic/zlib; sys_platform == 'linux' and sys_platform == 'win32'\"]",
        "never-true-marker",
        "error",
        "external.host-requires[0]",
        'marker \'sys_platform == "linux" and sys_platform == "win32"\' can never be true',
        "the dependency is never used; fix the marker or remove the entry",
    ),
    "never-true-version-contradiction": (
        "host-requires = [\"dep:generic/zlib; python_version < '3.9' and python_version > '3.10'\"]",
        "never-true-marker",
        "error",
        "external.host-requires[0]",
        'marker \'python_version < "3.9" and python_version > "3.10"\' can never be true',
        "the dependency is never used; fix the marker or remove the entry",
    ),
    "never-true-unknown-extra": (
        "host-requires = [\"dep:generic/zlib; extra == 'gpu'\"]",
        "never-true-marker",
        "error",
        "external.host-requires[0]",
        "marker 'extra == \"gpu\"' can never be true",
        "'gpu' is not an extra of this project; the dependency is never used; fix the marker "
        "or remove the entry",
    ),
    "never-true-on-common-platforms": (
        "host-requires = [\"dep:generic/zlib; python_version < '3.8'\"]",
        "never-true-marker",
        "warning",
        "external.host-requires[0]",
        "marker 'python_version < \"3.8\"' is false on Linux, macOS and Windows for Python 3.9-3.14",
        "check the marker: the dependency is skipped on every common platform",
    ),
    "compiler-at-runtime-virtual": (
        'dependencies = ["dep:virtual/compiler/fortran"]',
        "compiler-at-runtime",
        "warning",
        "external.dependencies[0]",
        "'dep:virtual/compiler/fortran' is a compiler, listed as a runtime dependency",
        "move it to 'build-requires' unless the package compiles code when it runs",
    ),
    "compiler-at-runtime-provider": (
        "[external.optional-dependencies]\njit = ['dep:generic/gcc']",
        "compiler-at-runtime",
        "warning",
        "external.optional-dependencies.jit[0]",
        "'dep:generic/gcc' is a compiler, listed as a runtime dependency",
        "move it to 'build-requires' unless the package compiles code when it runs",
    ),
    "library-at-build-from-mapping": (
        'build-requires = ["dep:generic/zlib"]',
        "library-at-build",
        "warning",
        "external.build-requires[0]",
        "'dep:generic/zlib' is a library, listed as a build tool",
        "libraries the package links against go in 'host-requires'",
    ),
    "library-at-build-interface": (
        "[external.optional-build-requires]\nfast = ['dep:virtual/interface/blas']",
        "library-at-build",
        "warning",
        "external.optional-build-requires.fast[0]",
        "'dep:virtual/interface/blas' is a library, listed as a build tool",
        "libraries the package links against go in 'host-requires'",
    ),
}


@pytest.mark.usefixtures("data")
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_rule(case: tuple[str, str, str, str, str, str]) -> None:
    body, *expected = case
    assert _one(body) == tuple(expected)


def test_every_rule_has_a_case() -> None:
    assert {case[1] for case in CASES.values()} == set(RULES)


CLEAN = {
    "plain-table": """
build-requires = ["dep:virtual/compiler/c", "dep:generic/cmake", "dep:generic/ninja"]
host-requires = ["dep:generic/zlib@>=1.2.11", "dep:virtual/interface/blas"]
""",
    "compiler-years": 'build-requires = ["dep:virtual/compiler/c@>=1999", "dep:virtual/compiler/cxx@>=2017,<2024"]',
    "interface-versions": 'host-requires = ["dep:virtual/interface/lapack@>=3.7.1", "dep:virtual/interface/openmp@>=4.5"]',
    "tool-with-headers-at-build": 'build-requires = ["dep:generic/protobuf"]',
    "unmapped-generic-at-build": 'build-requires = ["dep:generic/notpackaged"]',
    "platform-marker": "host-requires = [\"dep:generic/zlib; sys_platform == 'win32' or python_version >= '3.12'\"]",
    "extra-of-the-table": "[external.optional-host-requires]\ngpu = [\"dep:generic/zlib; extra == 'gpu'\"]",
    "uncommon-platform-is-fine-with-or": "host-requires = [\"dep:generic/zlib; sys_platform == 'emscripten' or os_name == 'nt'\"]",
    "compiler-in-a-group": '[external.dependency-groups]\ndev = ["dep:virtual/compiler/c"]',
}


@pytest.mark.usefixtures("data")
@pytest.mark.parametrize("body", CLEAN.values(), ids=CLEAN.keys())
def test_clean(body: str) -> None:
    assert _lint(body) == []


@pytest.mark.usefixtures("data")
def test_project_extras_count_for_markers() -> None:
    body = "host-requires = [\"dep:generic/zlib; extra == 'docs'\"]"
    assert _lint(body, extras=("docs",)) == []


@pytest.mark.usefixtures("data")
def test_requires_python_narrows_the_representative_versions() -> None:
    body = "host-requires = [\"dep:generic/zlib; python_version < '3.11'\"]"
    assert _lint(body) == []
    (finding,) = _lint(body, requires_python=">=3.11")
    assert finding.message == (
        "marker 'python_version < \"3.11\"' is false on Linux, macOS and Windows for Python 3.11-3.14"
    )


@pytest.mark.usefixtures("data")
def test_several_findings_for_one_entry() -> None:
    findings = _lint(
        "dependencies = [\"dep:virtual/compiler/rust@>=2.0; os_name == 'nt' and os_name == 'posix'\"]"
    )
    assert [f.rule for f in findings] == [
        "virtual-version",
        "never-true-marker",
        "compiler-at-runtime",
    ]


@pytest.mark.usefixtures("data")
def test_coverage() -> None:
    external = External.from_pyproject(
        tomllib.loads(
            """
[external]
build-requires = ["dep:virtual/compiler/c", "dep:generic/ninja"]
host-requires = ["dep:generic/notpackaged", "dep:github/madler/zlib", "dep:generic/unknown"]
"""
        )
    )
    report = lint_external(external)
    assert report.ecosystems == ("conda-forge", "debian+12")
    rows = {row.id: (row.key, row.unavailable, row.unmapped) for row in report.coverage}
    assert rows == {
        "dep:virtual/compiler/c": ("external.build-requires[0]", (), ()),
        "dep:generic/ninja": ("external.build-requires[1]", (), ("conda-forge",)),
        "dep:generic/notpackaged": ("external.host-requires[0]", ("debian+12",), ()),
        "dep:generic/zlib": ("external.host-requires[1]", (), ()),
    }


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("sys_platform == 'linux' and sys_platform == 'win32'", False),
        ("sys_platform == 'linux' or sys_platform == 'win32'", True),
        ("sys_platform != 'linux' and sys_platform != 'win32'", True),
        ("python_version >= '3.12' and python_version < '3.12'", False),
        ("python_version >= '3.12' and python_version < '3.13'", True),
        ("python_full_version > '3.8.0' and python_full_version < '3.8.1'", True),
        ("'linux' in sys_platform and os_name == 'nt'", True),
        ("platform_machine == 'x86_64' and platform_machine == 'arm64'", False),
        ("python_version == '3.*' and python_version < '3.0'", False),
    ],
)
def test_satisfiable_marker(marker: str, expected: bool) -> None:
    from packaging.markers import Marker

    assert _satisfiable_marker(Marker(marker), ("",)) is expected


@pytest.mark.parametrize(
    ("key", "category"),
    [
        ("external.build-requires[0]", "build"),
        ("external.optional-build-requires.x[1]", "build"),
        ("external.host-requires[0]", "host"),
        ('external.optional-host-requires."a.b"[0]', "host"),
        ("external.dependencies[2]", "run"),
        ("external.optional-dependencies.gpu[0]", "run"),
        ("external.dependency-groups.dev[0]", None),
    ],
)
def test_category_of(key: str, category: str | None) -> None:
    assert category_of(key) == category


# -- the command --------------------------------------------------------------------

BAD = """\
[project]
name = "demo"
version = "1"

[external]
build-requires = ["dep:virtual/compiler/cpp", "dep:generic/zlib"]
host-requires = ["dep:generic/notpackaged"]
"""


@pytest.mark.usefixtures("data")
def test_cli_human_output(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project(BAD)
    source = project / "pyproject.toml"
    assert main(["lint", str(project)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{source}: external.build-requires[0]: [unknown-id] error: 'dep:virtual/compiler/cpp' is not in the registry",
        "hint: did you mean 'dep:virtual/compiler/cxx'?",
        f"{source}: external.build-requires[1]: [library-at-build] warning: 'dep:generic/zlib' is a library, listed as a build tool",
        "hint: libraries the package links against go in 'host-requires'",
        f"{source}: external.host-requires[0]: [coverage] 'dep:generic/notpackaged' is unavailable in debian+12",
        f"{source}: 1 error, 1 warning; 1 of 2 dependencies installable in all 2 shipped ecosystems (conda-forge, debian+12)",
    ]


@pytest.mark.usefixtures("data")
def test_cli_warnings_only_exit_0(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project('[external]\nhost-requires = ["dep:generic/libjpeg"]\n')
    assert main(["lint", str(project)]) == 0
    assert "[alias] warning:" in capsys.readouterr().out


@pytest.mark.usefixtures("data")
def test_cli_json(write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    project = write_project(BAD)
    assert main(["lint", "--json", str(project)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1
    assert doc["command"] == "lint"
    assert doc["source"] == str(project / "pyproject.toml")
    assert doc["summary"] == {"errors": 1, "warnings": 1}
    assert doc["findings"][0] == {
        "rule": "unknown-id",
        "severity": "error",
        "key": "external.build-requires[0]",
        "message": "'dep:virtual/compiler/cpp' is not in the registry",
        "hint": "did you mean 'dep:virtual/compiler/cxx'?",
    }
    assert doc["coverage"]["ecosystems"] == ["conda-forge", "debian+12"]
    assert doc["coverage"]["dependencies"] == [
        {
            "id": "dep:generic/zlib",
            "key": "external.build-requires[1]",
            "unavailable": [],
            "unmapped": [],
        },
        {
            "id": "dep:generic/notpackaged",
            "key": "external.host-requires[0]",
            "unavailable": ["debian+12"],
            "unmapped": [],
        },
    ]


@pytest.mark.usefixtures("data")
def test_cli_invalid_table_exits_2(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project('[external]\nbuild-requires = ["virtual:compiler/c"]\n')
    assert main(["lint", str(project)]) == 2
    err = capsys.readouterr().err
    assert "a DepURL starts with 'dep:', not 'virtual:'" in err
    assert "hint: `extdeps migrate --write` rewrites draft syntax" in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("data")
def test_cli_invalid_table_json(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project('[external]\nbuild-requires = ["pkg:generic/x"]\n')
    assert main(["lint", "--json", str(project)]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is False
    assert doc["errors"][0]["key_path"] == "external.build-requires[0]"


@pytest.mark.usefixtures("data")
def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


# -- the shipped data ----------------------------------------------------------------


def test_name_table_targets_are_canonical_registry_ids() -> None:
    """Every id the build-system name table gives is in the shipped registry, canonical."""
    from extdeps.authoring.names import _names

    registry = load_registry(REPO / "mappings" / "registry.json")
    targets = {t for t in _names().values() if not t.startswith("=")}
    missing = sorted(t for t in targets if t not in registry)
    assert missing == []
    aliases = sorted(t for t in targets if registry.canonical(t) != t)
    assert aliases == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ZLIB", "dep:generic/zlib"),
        ("libpng16", "dep:generic/libpng"),
        ("gtk+-3.0", "dep:generic/gtk3"),
        ("OpenSSL", "dep:generic/openssl"),
        ("hwloc", "dep:generic/hwloc"),
        ("libhwloc", "dep:generic/hwloc"),
        ("Threads", "=toolchain"),
        ("python-3.12-embed", "=python"),
        ("pybind11", "=pypi"),
        ("frobnicator", None),
    ],
)
def test_lookup_name(name: str, expected: str | None) -> None:
    registry = load_registry(REPO / "mappings" / "registry.json")
    assert lookup_name(name, registry) == expected


def test_shipped_mappings_load() -> None:
    mappings = shipped_mappings(str(REPO / "mappings"))
    assert list(mappings) == sorted(mappings)
    assert "debian+12" in mappings
