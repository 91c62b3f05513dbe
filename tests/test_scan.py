"""extdeps scan: build-file readers on captured text, fixtures shaped like real projects,
meson introspect (real and fake), the proposed TOML and --diff."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from extdeps import External
from extdeps.authoring.buildfiles import Use
from extdeps.authoring.buildfiles.cargo import parse_cargo
from extdeps.authoring.buildfiles.cmake import cmake_commands
from extdeps.authoring.buildfiles.meson import (
    parse_meson,
    parse_meson_options,
    parse_meson_scan,
    run_meson_scan,
)
from extdeps.authoring.buildfiles.setuptools import parse_setup_cfg, parse_setup_py
from extdeps.authoring.scan import scan
from extdeps.cli.author import render_scan
from extdeps.cli.main import main
from extdeps.data.registry import load_registry
from extdeps.system.machine import System
from tests.conftest import REPO, need

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

FIXTURES = REPO / "tests" / "data" / "scan"
REGISTRY = load_registry(REPO / "mappings" / "registry.json")


@pytest.fixture(autouse=True)
def _no_meson_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MESON", raising=False)


def _entries(root: Path) -> list[tuple[str, str, str, bool]]:
    result = scan(str(root), registry=REGISTRY, use_meson=False)
    return [(e.requirement, e.category, ", ".join(e.where), e.optional) for e in result.entries]


def _notes(root: Path) -> list[str]:
    return [str(n) for n in scan(str(root), registry=REGISTRY, use_meson=False).notes]


# -- fixtures shaped like real projects ---------------------------------------------

EXPECTED = {
    "scipy-like": [
        ("dep:virtual/compiler/c", "build", "meson.build:2", False),
        ("dep:virtual/compiler/cxx", "build", "meson.build:2", False),
        ("dep:virtual/compiler/fortran", "build", "meson.build:22", False),
        ("dep:generic/pkg-config", "build", "scipy/meson.build:8", False),
        ("dep:generic/ninja", "build", "meson.build", False),
        ("dep:generic/openblas", "host", "scipy/meson.build:6", True),
        ("dep:virtual/interface/blas", "host", "scipy/meson.build:8", False),
        ("dep:virtual/interface/lapack", "host", "scipy/meson.build:9", False),
        ("dep:generic/boost", "host", "scipy/meson.build:14", True),
    ],
    "numpy-like": [
        ("dep:virtual/compiler/c", "build", "meson.build:2", False),
        ("dep:virtual/compiler/cxx", "build", "meson.build:2", False),
        ("dep:generic/pkg-config", "build", "numpy/meson.build:15", True),
        ("dep:generic/ninja", "build", "meson.build", False),
        ("dep:generic/mkl", "host", "numpy/meson.build:15", True),
        ("dep:generic/openblas", "host", "numpy/meson.build:17", True),
        ("dep:virtual/interface/blas", "host", "numpy/meson.build:23", True),
        ("dep:generic/accelerate", "host", "numpy/meson.build:27", True),
        ("dep:virtual/interface/lapack", "host", "numpy/meson.build:30", True),
    ],
    "cmake-project": [
        ("dep:virtual/compiler/c", "build", "CMakeLists.txt:4", False),
        ("dep:virtual/compiler/cxx", "build", "CMakeLists.txt:4", False),
        ("dep:virtual/compiler/cuda", "build", "src/cuda/CMakeLists.txt:1", False),
        ("dep:generic/zlib@>=1.2.11", "host", "CMakeLists.txt:16", False),
        ("dep:generic/libpng", "host", "CMakeLists.txt:17", False),
        ("dep:generic/libjpeg-turbo", "host", "CMakeLists.txt:18", False),
        ("dep:generic/openssl@3.0", "host", "CMakeLists.txt:19", False),
        ("dep:virtual/interface/openmp", "host", "CMakeLists.txt:20", False),
        ("dep:virtual/interface/blas", "host", "CMakeLists.txt:21", False),
        ("dep:virtual/interface/lapack", "host", "CMakeLists.txt:22", False),
        (
            "dep:generic/pkg-config",
            "build",
            "CMakeLists.txt:24, CMakeLists.txt:25, CMakeLists.txt:26",
            False,
        ),
        ("dep:generic/fftw@>=3.3.8", "host", "CMakeLists.txt:25", False),
        ("dep:generic/libyaml", "host", "CMakeLists.txt:26", False),
        ("dep:generic/swig", "build", "CMakeLists.txt:29", False),
        ("dep:generic/cuda-toolkit@>=12.0", "host", "src/cuda/CMakeLists.txt:2", False),
    ],
    "setuptools-project": [
        ("dep:virtual/compiler/c", "build", "setup.py:12", False),
        ("dep:virtual/compiler/cxx", "build", "setup.py:17", False),
        ("dep:generic/zlib", "host", "setup.py:15", False),
        ("dep:generic/libpng", "host", "setup.py:15", False),
        ("dep:generic/openssl", "host", "setup.py:21", False),
        ("dep:generic/libyaml", "host", "setup.cfg:6", False),
        ("dep:generic/libffi", "host", "setup.cfg:7", False),
    ],
    "rust-project": [
        ("dep:virtual/compiler/rust", "build", "Cargo.toml:1", False),
        ("dep:generic/openssl", "host", "Cargo.toml:11", False),
        ("dep:generic/zlib", "host", "Cargo.toml:12", False),
    ],
}


@pytest.mark.parametrize("name", EXPECTED, ids=EXPECTED.keys())
def test_fixture_entries(name: str) -> None:
    assert _entries(FIXTURES / name) == EXPECTED[name]


@pytest.mark.parametrize("name", EXPECTED, ids=EXPECTED.keys())
def test_fixture_proposal_validates(name: str) -> None:
    result = scan(str(FIXTURES / name), registry=REGISTRY, use_meson=False)
    text = render_scan(result)
    external = External.from_pyproject(tomllib.loads(text), source=name)
    proposed = {str(r) for _, r in external.iter_requirements()}
    assert proposed == {e.requirement for e in result.entries if not e.optional}


NOTES = {
    "scipy-like": [
        "meson.build:2: language 'cython': a PyPI package: list it in [build-system] requires",
        "meson.build:16: 'python': Python's headers are implied by a compiler entry (PEP 725); "
        "no entry needed",
        "meson.build:25: 'm': part of the C toolchain; no entry needed",
        "meson.build:26: 'threads': part of the C toolchain; no entry needed",
        "meson.build:28: 'cython': a PyPI package: list it in [build-system] requires",
        "meson.build:29: 'pythran': a PyPI package: list it in [build-system] requires",
        "scipy/meson.build:11: 'numpy': a PyPI package: list it in [build-system] requires",
        "scipy/meson.build:12: 'pybind11': a PyPI package: list it in [build-system] requires",
        "scipy/meson.build:13: 'xsf': not a known name; find its DepURL and add it by hand",
    ],
    "numpy-like": [
        "meson.build:2: language 'cython': a PyPI package: list it in [build-system] requires",
        "meson.build:16: 'python': Python's headers are implied by a compiler entry (PEP 725); "
        "no entry needed",
        "numpy/meson.build:1: 'm': part of the C toolchain; no entry needed",
        "numpy/meson.build:19: dependency(_name): the name is not written literally; "
        "add its DepURL by hand",
        "numpy/meson.build:33: 'highway': not a known name; find its DepURL and add it by hand",
        "numpy/meson.build:34: 'dl': part of the C toolchain; no entry needed",
        "numpy/meson.build:35: 'threads': part of the C toolchain; no entry needed",
    ],
    "cmake-project": [
        "CMakeLists.txt:14: 'Python': Python's headers are implied by a compiler entry "
        "(PEP 725); no entry needed",
        "CMakeLists.txt:15: 'pybind11': a PyPI package: list it in [build-system] requires",
        "CMakeLists.txt:23: 'Threads': part of the C toolchain; no entry needed",
        "CMakeLists.txt:27: 'Frobnicator': not a known name; find its DepURL and add it by hand",
        "CMakeLists.txt:30: 'm': part of the C toolchain; no entry needed",
        "CMakeLists.txt:31: find_library(EXTRA_LIBRARY NAMES ${EXTRA_NAME} PATHS /opt/extra): "
        "the name is not written literally; add its DepURL by hand",
    ],
    "setuptools-project": ["setup.py:15: 'm': part of the C toolchain; no entry needed"],
    "rust-project": [],
}


@pytest.mark.parametrize("name", NOTES, ids=NOTES.keys())
def test_fixture_notes_keep_every_name(name: str) -> None:
    assert _notes(FIXTURES / name) == NOTES[name]


def test_render_scan_comments() -> None:
    result = scan(str(FIXTURES / "scipy-like"), registry=REGISTRY, use_meson=False)
    assert render_scan(result) == (
        "# Proposed by `extdeps scan` from meson.build, scipy/linalg/meson.build, "
        "scipy/meson.build\n"
        "# meson introspect not used: meson.build read by extdeps's own reader\n"
        "[external]\n"
        "build-requires = [\n"
        '  "dep:virtual/compiler/c",  # meson.build:2\n'
        '  "dep:virtual/compiler/cxx",  # meson.build:2\n'
        '  "dep:virtual/compiler/fortran",  # meson.build:22\n'
        '  "dep:generic/pkg-config",  # scipy/meson.build:8: '
        "meson's dependency() finds libraries with pkg-config\n"
        '  "dep:generic/ninja",  # meson.build: meson\'s backend\n'
        "]\n"
        "host-requires = [\n"
        '  # "dep:generic/openblas",  # scipy/meson.build:6: optional in the build\n'
        '  "dep:virtual/interface/blas",  # scipy/meson.build:8: '
        "get_option('blas') picks the library (default 'openblas')\n"
        '  "dep:virtual/interface/lapack",  # scipy/meson.build:9: '
        "get_option('lapack') picks the library (default 'openblas'); "
        "its version must be >=3.7.1\n"
        '  # "dep:generic/boost",  # scipy/meson.build:14: optional in the build\n'
        "]\n"
        "\n"
        "# Not added; check these by hand:\n" + "".join(f"# {n}\n" for n in NOTES["scipy-like"])
    )


def test_render_without_build_files(tmp_path: Path) -> None:
    result = scan(str(tmp_path), registry=REGISTRY)
    text = render_scan(result, root=str(tmp_path))
    assert text == (
        f"# No build files found in {tmp_path} (looked for meson.build, CMakeLists.txt, "
        "setup.py, setup.cfg, Cargo.toml)\n[external]\n"
    )
    assert External.from_pyproject(tomllib.loads(text)).is_empty


# -- readers on captured text -------------------------------------------------------


def _meson(
    tmp_path: Path, text: str, options: str = ""
) -> list[tuple[str, tuple[str, ...], int | None, bool]]:
    (tmp_path / "meson.build").write_text(text, encoding="utf-8")
    if options:
        (tmp_path / "meson_options.txt").write_text(options, encoding="utf-8")
    uses, _ = parse_meson(str(tmp_path))
    return [(u.kind, tuple(u.names), u.line, u.optional) for u in uses]


MESON = {
    "languages-in-a-list": (
        "project('x', ['c', 'cpp'])\nadd_languages('cuda', required: false)\n",
        [("language", ("c", "cpp"), 1, False), ("language", ("cuda",), 2, True)],
    ),
    "dependency-keywords": (
        "d = dependency('zlib', version: ['>=1.2', '<2'],\n  required: get_option('z'))\n",
        [("dependency", ("zlib",), 1, True)],
    ),
    "nested-calls": (
        "executable('x', 'x.c', dependencies: [dependency('libpng'), dependency('zlib')])\n",
        [("dependency", ("libpng",), 1, False), ("dependency", ("zlib",), 1, False)],
    ),
    "string-variable": (
        "name = 'fftw3'\nfftw = dependency(name)\n",
        [("dependency", ("fftw3",), 2, False)],
    ),
    "computed-name": (
        "fftw = dependency('fft' + 'w3')\n",
        [("unresolved", ("dependency('fft' + 'w3')",), 1, False)],
    ),
    "comments-and-strings": (
        "# dependency('commented')\nx = '''dependency('in a string')'''\ny = 'a # b'\n",
        [],
    ),
    "compiler-method": (
        "cc = meson.get_compiler('c')\nm = cc.find_library('m', required: false)\n",
        [("library", ("m",), 2, True)],
    ),
    "find-program-alternatives": (
        "swig = find_program('swig4.0', 'swig', native: true)\n",
        [("program", ("swig4.0", "swig"), 1, False)],
    ),
    "python-dependency": (
        "py = import('python').find_installation()\ndep = py.dependency(embed: true)\n",
        [("dependency", ("python",), 2, False)],
    ),
    "string-with-paren": (
        "x = dependency('zlib', version: '>=1.2') # ) (\nmessage(')')\n",
        [("dependency", ("zlib",), 1, False)],
    ),
}


@pytest.mark.parametrize(("text", "expected"), MESON.values(), ids=MESON.keys())
def test_meson_reader(tmp_path: Path, text: str, expected: list[object]) -> None:
    assert _meson(tmp_path, text) == expected


def test_meson_version_and_option_default(tmp_path: Path) -> None:
    (tmp_path / "meson.build").write_text(
        "b = get_option('blas')\nblas = dependency(b, version: '>=3.7')\n"
        "z = dependency('zlib', version: ['>=1.2', '<2'])\n",
        encoding="utf-8",
    )
    (tmp_path / "meson_options.txt").write_text(
        "option('blas', type: 'string', value: 'openblas')\n", encoding="utf-8"
    )
    uses, files = parse_meson(str(tmp_path))
    assert files == ["meson.build"]
    assert [(u.names, u.version, u.via) for u in uses] == [
        (("openblas",), ">=3.7", "get_option('blas')"),
        (("zlib",), ">=1.2,<2", None),
    ]


def test_meson_subdir_shares_variables(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "meson.build").write_text("name = 'zlib'\nsubdir('sub')\n", encoding="utf-8")
    (tmp_path / "sub" / "meson.build").write_text("z = dependency(name)\n", encoding="utf-8")
    uses, files = parse_meson(str(tmp_path))
    assert files == ["meson.build", "sub/meson.build"]
    assert [(u.names, u.where) for u in uses] == [(("zlib",), "sub/meson.build:1")]


def test_meson_options() -> None:
    text = (
        "option('blas', type: 'string', value: 'openblas', description: 'a, b')\n"
        "option('use-x', type: 'boolean', value: true)\n"
        "option('mode', type: 'combo', choices: ['a', 'b'], value: 'b')\n"
    )
    assert parse_meson_options(text) == {"blas": "openblas", "mode": "b"}


# Captured from `meson introspect --scan-dependencies meson.build` (meson 1.0.1).
MESON_SCAN_OUTPUT = (
    '[{"name": "zlib", "required": true, "version": [">=1.2.11"], "has_fallback": false, '
    '"conditional": false}, {"name": "libpng", "required": false, "version": [], '
    '"has_fallback": false, "conditional": false}, {"name": "dl", "required": true, '
    '"version": [], "has_fallback": false, "conditional": true}]'
)


def test_parse_meson_scan() -> None:
    assert [(u.names, u.optional, u.version) for u in parse_meson_scan(MESON_SCAN_OUTPUT)] == [
        (("zlib",), False, ">=1.2.11"),
        (("libpng",), True, None),
        (("dl",), False, None),
    ]
    combined = '{"scan_dependencies": [{"name": "x"}]}'
    assert [u.names for u in parse_meson_scan(combined)] == [("x",)]


@pytest.mark.parametrize("text", ["", "{}", "[1]", '[{"nom": "x"}]', "not json"])
def test_parse_meson_scan_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r".+"):
        parse_meson_scan(text)


def test_cmake_commands() -> None:
    text = (
        'project(demo VERSION 1.0 DESCRIPTION "a (b) #c" LANGUAGES C)\n'
        "#[[ find_package(Hidden)\n]]\n"
        "# find_package(Commented)\n"
        "if ((A) AND B)\n"
        "  find_package(ZLIB [[1.2]]\n    REQUIRED)\n"
        "endif ()\n"
    )
    assert list(cmake_commands(text)) == [
        ("project", ["demo", "VERSION", "1.0", "DESCRIPTION", "a (b) #c", "LANGUAGES", "C"], 1),
        ("if", ["(", "A", ")", "AND", "B"], 5),
        ("find_package", ["ZLIB", "1.2", "REQUIRED"], 6),
        ("endif", [], 8),
    ]


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        ("project(x)", ["C", "CXX"]),
        ("project(x C Fortran)", ["C", "Fortran"]),
        ("project(x VERSION 1.0)", ["C", "CXX"]),
        ("project(x VERSION 1.0 LANGUAGES CXX DESCRIPTION d)", ["CXX"]),
        ("project(x LANGUAGES NONE)", []),
    ],
)
def test_cmake_project_languages(tmp_path: Path, text: str, languages: list[str]) -> None:
    from extdeps.authoring.buildfiles.cmake import parse_cmake

    (tmp_path / "CMakeLists.txt").write_text(text, encoding="utf-8")
    uses = parse_cmake(str(tmp_path))
    assert [n for u in uses for n in u.names] == languages


def test_setup_py() -> None:
    text = (
        "from setuptools import Extension, setup\n"
        "setup(ext_modules=[\n"
        "    Extension('a', ['a.c'], libraries=['z']),\n"
        "    Extension('b', sources=['b.f90']),\n"
        "])\n"
    )
    assert [(u.kind, u.names, u.line) for u in parse_setup_py(text)] == [
        ("language", ("c",), 3),
        ("library", ("z",), 3),
        ("language", ("fortran",), 4),
    ]


def test_setup_py_that_does_not_parse() -> None:
    (use,) = parse_setup_py("setup(\n")
    assert use.kind == "unresolved"
    assert use.names[0].startswith("setup.py cannot be parsed: ")


def test_setup_cfg() -> None:
    text = "[build_ext]\nlibraries = z, png\n  m\n[other]\nlibraries = nope\n"
    assert [(u.names, u.line) for u in parse_setup_cfg(text)] == [
        (("z",), 2),
        (("png",), 2),
        (("m",), 3),
    ]


def test_cargo() -> None:
    uses = parse_cargo('[dependencies]\nopenssl-sys = "0.9"\npyo3 = "0.22"\n')
    assert [(u.kind, u.names, u.line) for u in uses] == [
        ("language", ("rust",), 1),
        ("library", ("openssl",), 2),
    ]


# -- meson introspect -------------------------------------------------------------


def _fake_meson(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "fake-meson"
    script.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return [str(script)]


def test_run_meson_scan_success(tmp_path: Path) -> None:
    command = _fake_meson(
        tmp_path,
        "assert sys.argv[1:] == ['introspect', '--scan-dependencies', 'meson.build']\n"
        f"print({MESON_SCAN_OUTPUT!r})",
    )
    found, what = run_meson_scan(str(tmp_path), command, System())
    assert what == "meson introspect --scan-dependencies"
    assert found is not None
    assert [u.names[0] for u in found] == ["zlib", "libpng", "dl"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "print('meson.build:1:0: ERROR: Unknown compiler(s)', file=sys.stderr); sys.exit(1)",
            "meson introspect failed with exit status 1: meson.build:1:0: ERROR: Unknown compiler(s)",
        ),
        (
            "print('oops')",
            "meson introspect printed unexpected output: Expecting value: line 1 column 1 (char 0)",
        ),
        ("time.sleep(10)", "meson introspect could not run: {meson}: timed out after 1s"),
    ],
    ids=["fails", "garbage", "timeout"],
)
def test_run_meson_scan_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    monkeypatch.setattr("extdeps.authoring.buildfiles.meson._MESON_TIMEOUT", 1)
    command = _fake_meson(tmp_path, body)
    expected = (None, message.format(meson=command[0]))
    assert run_meson_scan(str(tmp_path), command, System()) == expected


def test_run_meson_scan_missing_program(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-meson")
    found, what = run_meson_scan(str(tmp_path), [missing], System())
    assert found is None
    assert what == f"meson introspect could not run: {missing}: not found"


def test_scan_merges_meson_introspect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "meson.build").write_text(
        "project('x', 'c')\nz = dependency('zlib')\nf = dependency('fft' + 'w3')\n"
        "g = dependency(get_option('gl'))  # 'libglvnd'\n",
        encoding="utf-8",
    )
    output = '[{"name": "zlib"}, {"name": "fftw3", "version": [">=3"]}, {"name": "gl"}]'
    command = _fake_meson(tmp_path, f"print({output!r})")
    monkeypatch.setenv("MESON", command[0])
    result = scan(str(tmp_path), registry=REGISTRY)
    assert result.info == ("meson introspect --scan-dependencies",)
    assert [(e.requirement, ", ".join(e.where), e.detail) for e in result.entries] == [
        ("dep:virtual/compiler/c", "meson.build:1", None),
        (
            "dep:generic/pkg-config",
            "meson.build:2",
            "meson's dependency() finds libraries with pkg-config",
        ),
        ("dep:generic/ninja", "meson.build", "meson's backend"),
        ("dep:generic/zlib", "meson.build:2", None),
        ("dep:generic/fftw@>=3", "meson.build", "meson introspect"),
        ("dep:generic/libglvnd", "meson.build:4", "meson introspect"),
    ]
    assert result.notes == ()  # meson evaluated the names the reader could not


def test_scan_falls_back_when_meson_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "meson.build").write_text(
        "project('x', 'c')\nz = dependency('zlib')\n", encoding="utf-8"
    )
    monkeypatch.setenv("MESON", _fake_meson(tmp_path, "sys.exit(3)")[0])
    result = scan(str(tmp_path), registry=REGISTRY)
    assert result.info == (
        "meson introspect failed with exit status 3: no output; used extdeps's own reader",
    )
    assert "dep:generic/zlib" in [e.requirement for e in result.entries]


@pytest.mark.system
def test_real_meson_introspect(tmp_path: Path) -> None:
    need(shutil.which("meson") is not None, "meson is not installed")
    need(shutil.which("cc") is not None, "no C compiler (meson checks the project's languages)")
    (tmp_path / "meson.build").write_text(
        "project('demo', 'c')\n"
        "zlib = dependency('zlib', version: '>=1.2.11')\n"
        "fftw = dependency('fft' + 'w3', required: false)\n",
        encoding="utf-8",
    )
    result = scan(str(tmp_path), registry=REGISTRY)
    assert result.info == ("meson introspect --scan-dependencies",)
    assert [(e.requirement, e.optional) for e in result.entries if e.category == "host"] == [
        ("dep:generic/zlib@>=1.2.11", False),
        ("dep:generic/fftw", True),
    ]


# -- the command --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("scipy-like", 0),
        ("numpy-like", 0),
        ("setuptools-project", 0),
        ("rust-project", 0),
        ("cmake-project", 1),
    ],
)
def test_cli_diff_exit_codes(name: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--diff", "--no-meson", str(FIXTURES / name)]) == code
    out = capsys.readouterr().out
    assert ("[external] matches the build files (" in out) is (code == 0)


def test_cli_diff_reports_both_ways(capsys: pytest.CaptureFixture[str]) -> None:
    root = FIXTURES / "cmake-project"
    assert main(["scan", "--diff", "--no-meson", str(root)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "src/cuda/CMakeLists.txt:1: [undeclared] 'dep:virtual/compiler/cuda' is used but not declared",
        "hint: add it to [external] build-requires",
    ]
    assert lines[-2:] == [
        f"{root / 'pyproject.toml'}: external.host-requires[2]: [unused] 'dep:generic/hdf5' is "
        "declared but no build file uses it",
        "hint: remove it, unless the build finds it in a way scan cannot see",
    ]


def test_cli_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--no-meson", str(FIXTURES / "rust-project")]) == 0
    assert capsys.readouterr().out == (
        "# Proposed by `extdeps scan` from Cargo.toml\n"
        "[external]\n"
        "build-requires = [\n"
        '  "dep:virtual/compiler/rust",  # Cargo.toml:1\n'
        "]\n"
        "host-requires = [\n"
        '  "dep:generic/openssl",  # Cargo.toml:11: openssl-sys crate (it may build its own copy)\n'
        '  "dep:generic/zlib",  # Cargo.toml:12: libz-sys crate (it may build its own copy)\n'
        "]\n"
    )


def test_cli_accepts_a_file_in_the_project(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--no-meson", str(FIXTURES / "rust-project" / "pyproject.toml")]) == 0
    assert "Cargo.toml:1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("demo-1.0.tar.gz", "scan reads a source tree, not an sdist\nhint: unpack the sdist first"),
        ("missing", "not found (expected a project directory)"),
    ],
)
def test_cli_bad_paths(
    tmp_path: Path, arg: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / arg
    if arg.endswith(".gz"):
        path.write_bytes(b"")
    assert main(["scan", str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path}: {message}\n"


def test_cli_diff_without_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "setup.py").write_text("", encoding="utf-8")
    assert main(["scan", "--diff", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'pyproject.toml'}: file not found\n"


def test_use_is_frozen() -> None:
    use = Use(kind="library", names=["z"], file="setup.py", line=3)
    assert use.names == ("z",)
    assert use.where == "setup.py:3"
    with pytest.raises(AttributeError):
        use.line = 4  # type: ignore[misc]
