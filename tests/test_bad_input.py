"""Bad input, table-driven: every case gives exactly the expected lines and exit code 2.

Each case is a pyproject.toml body (bytes where encoding matters) and the exact
first line ``extdeps validate`` prints for it (plus a hint where there is one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extdeps.cli.main import main

P = "pyproject.toml"

CASES: list[tuple[str, str | bytes, list[str]]] = [
    # -- files and TOML --------------------------------------------------------
    (
        "toml-syntax",
        "[external\n",
        [
            f"error: {P}: invalid TOML: expected ']' at the end of a table declaration (at line 1, column 10)"
        ],
    ),
    (
        "toml-duplicate-key",
        "[external]\ndependencies = []\ndependencies = []\n",
        [f"error: {P}: invalid TOML: cannot overwrite a value (at line 3, column 18)"],
    ),
    (
        "not-utf8",
        b'[external]\ndependencies = ["dep:generic/caf\xe9"]\n',
        [f"error: {P}: not valid UTF-8 (byte 43, line 2); TOML files must be UTF-8"],
    ),
    (
        "external-not-table",
        "external = 3\n",
        [
            f"{P}: external: expected a table, got an integer",
            "hint: write the dependencies under an [external] header",
        ],
    ),
    (
        "external-array",
        'external = ["dep:generic/x"]\n',
        [
            f"{P}: external: expected a table, got an array",
            "hint: write the dependencies under an [external] header",
        ],
    ),
    # -- keys -------------------------------------------------------------------
    (
        "unknown-key-typo",
        "[external]\ndependncies = []\n",
        [f"{P}: external.dependncies: unknown key", "hint: did you mean 'dependencies'?"],
    ),
    (
        "unknown-key-typo-2",
        "[external]\nhost-require = []\n",
        [f"{P}: external.host-require: unknown key", "hint: did you mean 'host-requires'?"],
    ),
    (
        "unknown-key-far",
        "[external]\nfoo = []\n",
        [
            f"{P}: external.foo: unknown key",
            "hint: allowed keys: build-requires, host-requires, dependencies, "
            "optional-build-requires, optional-host-requires, optional-dependencies, dependency-groups",
        ],
    ),
    (
        "legacy-build-host",
        "[external]\nbuild-host-requires = []\n",
        [
            f"{P}: external.build-host-requires: unknown key (a legacy spelling)",
            "hint: 'build-host-requires' was a withdrawn draft name; rename it to 'host-requires'",
        ],
    ),
    (
        "legacy-optional-build-host",
        "[external]\noptional-build-host-requires = {}\n",
        [
            f"{P}: external.optional-build-host-requires: unknown key (a legacy spelling)",
            "hint: 'optional-build-host-requires' was a withdrawn draft name; rename it to 'optional-host-requires'",
        ],
    ),
    (
        "underscore-key",
        "[external]\nhost_requires = []\n",
        [
            f"{P}: external.host_requires: unknown key",
            "hint: keys use dashes, not underscores: rename it to 'host-requires'",
        ],
    ),
    (
        "underscore-legacy-key",
        "[external]\nbuild_host_requires = []\n",
        [
            f"{P}: external.build_host_requires: unknown key",
            "hint: keys use dashes, not underscores: rename it to 'host-requires'",
        ],
    ),
    (
        "underscore-optional",
        "[external]\noptional_dependencies = {}\n",
        [
            f"{P}: external.optional_dependencies: unknown key",
            "hint: keys use dashes, not underscores: rename it to 'optional-dependencies'",
        ],
    ),
    ("quoted-key-path", '[external]\n"a.b" = []\n', [f'{P}: external."a.b": unknown key']),
    # -- value types ------------------------------------------------------------
    (
        "list-is-string",
        '[external]\ndependencies = "dep:generic/git"\n',
        [f"{P}: external.dependencies: expected an array of strings, got a string"],
    ),
    (
        "list-is-table",
        "[external]\nbuild-requires = {a = 1}\n",
        [f"{P}: external.build-requires: expected an array of strings, got a table"],
    ),
    (
        "item-integer",
        '[external]\nhost-requires = ["dep:generic/zlib", 3]\n',
        [
            f"{P}: external.host-requires[1]: expected a string (an external dependency specifier), got an integer"
        ],
    ),
    (
        "item-bool",
        "[external]\nhost-requires = [true]\n",
        [
            f"{P}: external.host-requires[0]: expected a string (an external dependency specifier), got a boolean"
        ],
    ),
    (
        "item-table",
        '[external]\ndependencies = [{name = "x"}]\n',
        [
            f"{P}: external.dependencies[0]: expected a string (an external dependency specifier), got a table"
        ],
    ),
    (
        "optional-not-table",
        '[external]\noptional-dependencies = ["dep:generic/x"]\n',
        [
            f"{P}: external.optional-dependencies: expected a table of extra names to arrays, got an array"
        ],
    ),
    (
        "optional-value-string",
        '[external.optional-dependencies]\ngui = "dep:generic/tk"\n',
        [f"{P}: external.optional-dependencies.gui: expected an array of strings, got a string"],
    ),
    (
        "extra-invalid-name",
        '[external.optional-host-requires]\n"-bad" = []\n',
        [
            f"{P}: external.optional-host-requires.-bad: invalid extra name '-bad': use letters, digits, '-', '_' "
            "and '.', starting and ending with a letter or digit"
        ],
    ),
    (
        "extra-duplicate",
        '[external.optional-dependencies]\nFoo_Bar = []\n"foo.bar" = []\n',
        [
            f"{P}: external.optional-dependencies.\"foo.bar\": duplicate extra name: 'foo.bar' and 'Foo_Bar' both "
            "normalize to 'foo-bar'"
        ],
    ),
    # -- dependency groups ------------------------------------------------------
    (
        "groups-not-table",
        "[external]\ndependency-groups = []\n",
        [
            f"{P}: external.dependency-groups: expected a table of dependency group names to arrays, got an array"
        ],
    ),
    (
        "group-not-array",
        '[external.dependency-groups]\ndev = "dep:generic/gdb"\n',
        [f"{P}: external.dependency-groups.dev: expected an array, got a string"],
    ),
    (
        "group-unknown-include",
        '[external.dependency-groups]\ndev = [{include-group = "tset"}]\ntest = []\n',
        [
            f"{P}: external.dependency-groups.dev[0].include-group: includes unknown dependency group 'tset'",
            "hint: did you mean 'test'?",
        ],
    ),
    (
        "group-cycle",
        '[external.dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "a"}]\n',
        [
            f"{P}: external.dependency-groups.a: dependency groups include each other in a cycle: a -> b -> a"
        ],
    ),
    (
        "group-self-include",
        '[external.dependency-groups]\na = [{include-group = "A"}]\n',
        [
            f"{P}: external.dependency-groups.a: dependency groups include each other in a cycle: a -> a"
        ],
    ),
    (
        "group-include-not-string",
        "[external.dependency-groups]\na = [{include-group = 1}]\n",
        [f"{P}: external.dependency-groups.a[0].include-group: expected a string, got an integer"],
    ),
    (
        "group-table-extra-key",
        '[external.dependency-groups]\na = [{include-group = "b", x = 1}]\nb = []\n',
        [
            f"{P}: external.dependency-groups.a[0].x: unknown key in a dependency group table; only 'include-group' "
            "is allowed"
        ],
    ),
    (
        "group-table-missing-key",
        "[external.dependency-groups]\na = [{}]\n",
        [f"{P}: external.dependency-groups.a[0]: an include table needs an 'include-group' key"],
    ),
    (
        "group-entry-integer",
        "[external.dependency-groups]\na = [1]\n",
        [
            f'{P}: external.dependency-groups.a[0]: expected a string or an {{include-group = "..."}} table, got an integer'
        ],
    ),
    (
        "group-duplicate-name",
        "[external.dependency-groups]\nDev = []\ndev = []\n",
        [
            f"{P}: external.dependency-groups.dev: duplicate dependency group name: 'dev' and 'Dev' both normalize to 'dev'"
        ],
    ),
    # -- DepURLs inside the table ----------------------------------------------
    (
        "pkg-scheme",
        '[external]\nbuild-requires = ["pkg:generic/ninja"]\n',
        [
            f"{P}: external.build-requires[0]: a DepURL starts with 'dep:', not 'pkg:'",
            "    pkg:generic/ninja",
            "    ^^^^",
            "hint: the 2023 draft used PURLs; write 'dep:generic/ninja'",
        ],
    ),
    (
        "virtual-scheme",
        '[external]\nbuild-requires = ["virtual:compiler/cpp"]\n',
        [
            f"{P}: external.build-requires[0]: a DepURL starts with 'dep:', not 'virtual:'",
            "    virtual:compiler/cpp",
            "    ^^^^^^^^",
            "hint: the 2023 draft syntax is replaced by 'dep:virtual/compiler/cxx'",
        ],
    ),
    (
        "virtual-interface-legacy",
        '[external]\nhost-requires = ["virtual:interface/blas"]\n',
        [
            f"{P}: external.host-requires[0]: a DepURL starts with 'dep:', not 'virtual:'",
            "    virtual:interface/blas",
            "    ^^^^^^^^",
            "hint: the 2023 draft syntax is replaced by 'dep:virtual/interface/blas'",
        ],
    ),
    (
        "missing-type",
        '[external]\nbuild-requires = ["dep:this-is-missing-the-type"]\n',
        [
            f"{P}: external.build-requires[0]: missing name; expected 'dep:<type>/<name>'",
            "    dep:this-is-missing-the-type",
            "        ^^^^^^^^^^^^^^^^^^^^^^^^",
            "hint: generic packages are written 'dep:generic/<name>'",
        ],
    ),
    (
        "tilde-operator",
        '[external]\nhost-requires = ["dep:generic/zlib@~=1.2"]\n',
        [
            f"{P}: external.host-requires[0]: operator '~=' is not allowed in a DepURL version; allowed: >=, >, <=, <, ==",
            "    dep:generic/zlib@~=1.2",
            "                     ^^^^^",
        ],
    ),
    (
        "not-equal-operator",
        '[external]\nhost-requires = ["dep:generic/zlib@>=1,!=1.3"]\n',
        [
            f"{P}: external.host-requires[0]: operator '!=' is not allowed in a DepURL version; allowed: >=, >, <=, <, ==",
            "    dep:generic/zlib@>=1,!=1.3",
            "                         ^^^^^",
        ],
    ),
    (
        "wildcard",
        '[external]\nhost-requires = ["dep:generic/zlib@==1.*"]\n',
        [
            f"{P}: external.host-requires[0]: wildcard versions are not allowed in a DepURL version; "
            "use a range with >=, >, <=, <, ==",
            "    dep:generic/zlib@==1.*",
            "                     ^^^^^",
            "hint: '==1.*' can be written as '>=1' plus an upper bound",
        ],
    ),
    (
        "distro-version",
        '[external]\nhost-requires = ["dep:generic/zlib@1:1.2.13.dfsg-1"]\n',
        [
            f"{P}: external.host-requires[0]: '1:1.2.13.dfsg-1' is not a valid PEP 440 version",
            "    dep:generic/zlib@1:1.2.13.dfsg-1",
            "                     ^^^^^^^^^^^^^^^",
        ],
    ),
    (
        "unknown-type",
        '[external]\nhost-requires = ["dep:genric/zlib"]\n',
        [
            f"{P}: external.host-requires[0]: unknown type 'genric': not a PURL type and not 'virtual'",
            "    dep:genric/zlib",
            "        ^^^^^^",
            "hint: did you mean 'generic'?",
        ],
    ),
    (
        "virtual-version-c-two-digits",
        '[external]\nbuild-requires = ["dep:virtual/compiler/c@>=11"]\n',
        [
            f"{P}: external.build-requires[0]: versions of dep:virtual/compiler/c are C standard years (>=2011 accepts C11), not '11'",
            "    dep:virtual/compiler/c@>=11",
            "                           ^^^^",
            "hint: C11 is 2011: write 'dep:virtual/compiler/c@>=2011'",
        ],
    ),
    (
        "virtual-version-cxx-pin",
        '[external]\nbuild-requires = ["dep:virtual/compiler/cxx@98"]\n',
        [
            f"{P}: external.build-requires[0]: versions of dep:virtual/compiler/cxx are C++ standard years (>=2011 accepts C++11), not '98'",
            "    dep:virtual/compiler/cxx@98",
            "                             ^^",
            "hint: C++98 is 1998: write 'dep:virtual/compiler/cxx@1998'",
        ],
    ),
    (
        "virtual-version-c-compiler-release",
        '[external]\nbuild-requires = ["dep:virtual/compiler/c@>=13"]\n',
        [
            f"{P}: external.build-requires[0]: versions of dep:virtual/compiler/c are C standard years (>=2011 accepts C11), not '13'",
            "    dep:virtual/compiler/c@>=13",
            "                           ^^^^",
            "hint: to require a compiler release, name the compiler, e.g. 'dep:generic/gcc@>=13'",
        ],
    ),
    (
        "virtual-version-fortran-compiler-release",
        '[external]\nbuild-requires = ["dep:virtual/compiler/fortran@>=12.2"]\n',
        [
            f"{P}: external.build-requires[0]: versions of dep:virtual/compiler/fortran are Fortran standard years (>=2008 accepts Fortran 2008), not '12.2'",
            "    dep:virtual/compiler/fortran@>=12.2",
            "                                 ^^^^^^",
            "hint: to require a compiler release, name the compiler, e.g. 'dep:generic/gcc@>=12.2'",
        ],
    ),
    (
        "virtual-version-rust-edition",
        '[external]\nbuild-requires = ["dep:virtual/compiler/rust@>=2021"]\n',
        [
            f"{P}: external.build-requires[0]: rust versions are releases (1.70), not years or editions ('2021')",
            "    dep:virtual/compiler/rust@>=2021",
            "                              ^^^^^^",
            "hint: require the release that brought what you need",
        ],
    ),
    (
        "virtual-version-openmp-date",
        '[external]\nhost-requires = ["dep:virtual/interface/openmp@>=201511"]\n',
        [
            f"{P}: external.host-requires[0]: OpenMP versions are specification versions (4.5, 5.0), not '201511'",
            "    dep:virtual/interface/openmp@>=201511",
            "                                 ^^^^^^^^",
            "hint: _OPENMP 201511 is OpenMP 4.5: write 'dep:virtual/interface/openmp@>=4.5'",
        ],
    ),
    (
        "virtual-version-lapack-implementation",
        '[external]\nhost-requires = ["dep:virtual/interface/lapack@>=0.3.21"]\n',
        [
            f"{P}: external.host-requires[0]: lapack interface versions are Reference LAPACK releases (3.x), not '0.3.21'",
            "    dep:virtual/interface/lapack@>=0.3.21",
            "                                 ^^^^^^^^",
            "hint: to require a release of one implementation, name it: 'dep:generic/openblas'",
        ],
    ),
    (
        "virtual-version-mpi-year",
        '[external]\nhost-requires = ["dep:virtual/interface/mpi@>=2021"]\n',
        [
            f"{P}: external.host-requires[0]: MPI versions are standard versions (3.1, 4.0), not '2021'",
            "    dep:virtual/interface/mpi@>=2021",
            "                              ^^^^^^",
            "hint: to require a release of one implementation, name it: 'dep:generic/openmpi'",
        ],
    ),
    (
        "virtual-version-cuda-driver-release",
        '[external]\ndependencies = ["dep:virtual/driver/cuda@>=535.104"]\n',
        [
            f"{P}: external.dependencies[0]: CUDA versions are CUDA releases (12.4), not '535.104'",
            "    dep:virtual/driver/cuda@>=535.104",
            "                            ^^^^^^^^^",
            "hint: a driver release number (535.104) is not a CUDA version",
        ],
    ),
    (
        "virtual-no-namespace",
        '[external]\nhost-requires = ["dep:virtual/blas"]\n',
        [
            f"{P}: external.host-requires[0]: a 'virtual' DepURL needs a namespace; expected e.g. "
            "'dep:virtual/<compiler|driver|interface>/blas'",
            "    dep:virtual/blas",
            "                ^^^^",
        ],
    ),
    (
        "virtual-bad-namespace",
        '[external]\nbuild-requires = ["dep:virtual/compilers/c"]\n',
        [
            f"{P}: external.build-requires[0]: unknown virtual namespace 'compilers'; expected one of "
            "compiler, driver, interface",
            "    dep:virtual/compilers/c",
            "                ^^^^^^^^^",
        ],
    ),
    (
        "space-in-url",
        '[external]\nhost-requires = ["dep:generic/lib jpeg"]\n',
        [
            f"{P}: external.host-requires[0]: whitespace is not allowed inside a DepURL",
            "    dep:generic/lib jpeg",
            "                   ^",
            "hint: percent-encode a space as %20; put environment markers after ';'",
        ],
    ),
    (
        "bad-marker",
        "[external]\nhost-requires = [\"dep:generic/zlib; os_name = 'nt'\"]\n",
        [
            f"{P}: external.host-requires[0]: invalid environment marker: Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in",
            "    dep:generic/zlib; os_name = 'nt'",
            "                      ^^^^^^^^^^^^^^",
        ],
    ),
    (
        "empty-marker",
        '[external]\nhost-requires = ["dep:generic/zlib;"]\n',
        [
            f"{P}: external.host-requires[0]: expected an environment marker after ';'",
            "    dep:generic/zlib;",
            "                    ^",
        ],
    ),
    (
        "empty-string",
        '[external]\nhost-requires = [""]\n',
        [
            f"{P}: external.host-requires[0]: empty DepURL; expected 'dep:<type>/<name>'",
            "    ",
            "    ^",
        ],
    ),
    (
        "bad-percent",
        '[external]\nhost-requires = ["dep:generic/a%2"]\n',
        [
            f"{P}: external.host-requires[0]: invalid percent-encoding in name: '%' must be followed by two hex digits",
            "    dep:generic/a%2",
            "                 ^^",
        ],
    ),
    (
        "optional-item-error",
        '[external.optional-dependencies]\ngpu = ["dep:virtual/driver/cuda@>=12.*"]\n',
        [
            f"{P}: external.optional-dependencies.gpu[0]: wildcard versions are not allowed in a DepURL version; "
            "use a range with >=, >, <=, <, ==",
            "    dep:virtual/driver/cuda@>=12.*",
            "                            ^^^^^^",
            "hint: '>=12.*' can be written as '>=12' plus an upper bound",
        ],
    ),
]


@pytest.mark.parametrize(
    ("body", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(
    body: str | bytes,
    expected: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw = body if isinstance(body, bytes) else body.encode()
    (tmp_path / P).write_bytes(raw)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "."]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[: len(expected)] == expected
    assert "Traceback" not in err


def test_case_count() -> None:
    assert len(CASES) >= 40


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"error: {tmp_path / 'nope'}: file not found (expected a directory, pyproject.toml or sdist)\n"
    )


def test_directory_without_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / P}: file not found\n"


def test_broken_sdist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x-1.0.tar.gz"
    bad.write_bytes(b"not a tarball")
    assert main(["validate", str(bad)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {bad}: not a readable sdist archive: ")
