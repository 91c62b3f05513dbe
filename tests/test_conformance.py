"""Interoperability with the published PEP 804 data set (``tests/data/pep804``).

Every published mapping file loads (the one with a real violation fails with
one clear line), and ``map`` with each gives the names the file says, category
by category, with the published registry as the registry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from extdeps.data.mapping import load_mapping
from extdeps.model.depurl import DepURL
from extdeps.model.errors import ExtdepsError
from tests.conftest import REPO

PUBLISHED = REPO / "tests" / "data" / "pep804" / "data"
MAPPINGS = sorted(PUBLISHED.glob("*.mapping.json"))
# the one real violation of the published set: an empty query command
BROKEN = {
    "nix.mapping.json": "package_managers[1].commands.query.command: expected a non-empty list of strings"
}
CATEGORIES = {"build": "build-requires", "host": "host-requires", "run": "dependencies"}


def test_fourteen_mapping_files() -> None:
    assert len(MAPPINGS) == 14


@pytest.mark.parametrize("path", MAPPINGS, ids=lambda p: p.name.split(".")[0])
def test_published_mapping_loads(path: Path) -> None:
    if path.name in BROKEN:
        with pytest.raises(ExtdepsError) as caught:
            load_mapping(str(path))
        lines = caught.value.render()
        assert len([ln for ln in lines if ln.startswith(str(path))]) == 1, lines
        assert BROKEN[path.name] in lines[0]
        return
    mapping = load_mapping(str(path))
    assert mapping.ids()
    for problem in mapping.warnings():  # only what no package manager could be given
        assert "recipe template syntax" in problem.message, problem


def _expected(document: dict[str, Any]) -> dict[str, dict[str, list[str] | None]]:
    """Per id (canonical), per category: the first entry's specs as the file writes
    them, following ``specs_from``; None where the entry holds recipe templates."""
    first: dict[str, dict[str, Any]] = {}
    for entry in document["mappings"]:
        first.setdefault(entry["id"], entry)

    def specs(entry: dict[str, Any], category: str) -> list[str]:
        if "specs_from" in entry:
            return specs(first[entry["specs_from"]], category)
        value = entry["specs"]
        if isinstance(value, dict):
            value = value.get(category, [])
        return [value] if isinstance(value, str) else list(value)

    out: dict[str, dict[str, list[str] | None]] = {}
    for ident, entry in first.items():
        canonical = str(DepURL.parse(ident))
        row: dict[str, list[str] | None] = {}
        for category in CATEGORIES:
            names = specs(entry, category)
            templated = any("{{" in name for c in CATEGORIES for name in specs(entry, c))
            row[category] = None if templated else names
        out[canonical] = row
    return out


@pytest.mark.parametrize(
    "path", [p for p in MAPPINGS if p.name not in BROKEN], ids=lambda p: p.name.split(".")[0]
)
def test_map_gives_the_names_the_file_says(tmp_path: Path, path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    expected = _expected(document)
    ids = sorted(expected)
    table = "[external]\n" + "".join(
        f"{key} = [{', '.join(json.dumps(i) for i in ids)}]\n" for key in CATEGORIES.values()
    )
    (tmp_path / "pyproject.toml").write_text(table, encoding="utf-8")
    env = {**os.environ, "EXTDEPS_DATA_DIR": str(PUBLISHED), "EXTDEPS_CACHE_DIR": "none"}
    done = subprocess.run(
        [sys.executable, "-m", "extdeps", "map", str(tmp_path), "--mapping", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr
    results = json.loads(done.stdout)["dependencies"]
    wrong = []
    for result in results:
        if result["origin"].startswith("implied"):
            continue
        want = expected[result["id"]][result["category"]]
        if want is None:
            ok = result["status"] == "unknown" and "refused" in (result["reason"] or "")
        elif not want:
            ok = result["status"] == "unavailable"
        else:
            ok = result["status"] == "mapped" and result["packages"] == want
        if not ok:
            wrong.append(
                (result["id"], result["category"], want, result["status"], result["packages"])
            )
    assert wrong == []


@pytest.mark.parametrize(
    ("family", "spec", "problem"),
    [
        ("plain", "zlib1g-dev", None),
        ("plain", "python3.12-dev", None),
        ("plain", "libblas * *_mkl", "' ' is not in the plain spec syntax"),
        ("conda", "libblas * *_mkl", None),
        ("conda", "numpy >=1.20,<2", None),
        ("conda", "conda-forge::zlib", None),
        ("conda", "{{ compiler('c') }}", "recipe template syntax"),
        ("conda", "${{ compiler('c') }}", "recipe template syntax"),
        ("conan", "zlib/[*]", None),
        ("conan", "zlib/[>=1.2 <2]", None),
        ("gentoo", "sys-devel/gcc[cxx]", None),
        ("gentoo", ">=dev-libs/libffi-3.4:0", None),
        ("spack", "+clang", None),
        ("spack", "openblas threads=openmp", None),
        ("spack", "^zlib", None),
        ("vcpkg", "curl[ssl,http2]", None),
        ("plain", "--reinstall", "it starts with '-'"),
        ("spack", "-mpi", "it starts with '-'"),
        ("conda", " zlib", "leading or trailing whitespace"),
        ("plain", "zlib; rm -rf /", "';' is not in the plain spec syntax"),
        ("conda", "zlib\n", "leading or trailing whitespace"),
        ("conda", "a\x00b", "'\\x00' is not in the conda spec syntax"),
        ("gentoo", "", "an empty spec"),
    ],
)
def test_spec_syntax_per_package_manager(family: str, spec: str, problem: str | None) -> None:
    from extdeps.data.mapping import spec_problem

    found = spec_problem(spec, family)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)


def test_family_of_a_mappings_managers() -> None:
    from extdeps.data.mapping import spec_family

    assert spec_family(["conda", "mamba", "micromamba", "pixi"]) == "conda"
    assert spec_family(["portage", "pkgcore"]) == "gentoo"
    assert spec_family(["apt", "apt-get"]) == "plain"
    assert spec_family(["conda", "apt"]) == "plain"  # mixed: the strictest
    assert spec_family([]) == "plain"


def test_mixed_case_ids_match() -> None:
    """The published registry and mappings write some ids in mixed case
    (``dep:github/Reference-LAPACK/lapack``): they are read in canonical form, so a
    project's DepURL (always canonical) finds them, and no alias is lost."""
    from extdeps.data.registry import load_registry

    registry = load_registry(str(PUBLISHED / "registry.json"))
    assert "dep:github/reference-lapack/lapack" in registry
    assert (
        "dep:github/OpenMathLib/OpenBLAS",
        "dep:github/openmathlib/openblas",
    ) in registry.normalized
    assert registry.canonical("dep:github/openmathlib/openblas") == "dep:generic/openblas"
    mapping = load_mapping(str(PUBLISHED / "ubuntu.mapping.json"))
    assert "dep:github/reference-lapack/lapack" in mapping


def test_shipped_mappings_refuse_nothing() -> None:
    for path in sorted((REPO / "mappings").glob("*.mapping.json")):
        assert load_mapping(str(path)).warnings() == [], path.name


def test_registry_compare_on_the_published_data(capsys: pytest.CaptureFixture[str]) -> None:
    from extdeps.cli.main import main

    assert main(["registry", "compare", str(PUBLISHED), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    registry = document["registry"]
    assert registry["only_theirs"] == [
        {
            "id": "dep:generic/cmake?repository_url=https:%2F%2Fgitlab.kitware.com%2Fcmake%2Fcmake",
            "resolves_as": "dep:generic/cmake",
        }
    ]
    differ = {row["id"]: (row["ours"], row["theirs"]) for row in registry["differ"]}
    assert differ["dep:generic/libjpeg"] == ("alias of dep:generic/libjpeg-turbo", "canonical")
    assert differ["dep:virtual/compiler/obj-c"][0] == "alias of dep:virtual/compiler/objective-c"
    written = {row["written"]: row["canonical"] for row in registry["normalized"]}
    assert written["dep:github/Kitware/CMake"] == "dep:github/kitware/cmake"
    ecosystems = document["ecosystems"]
    assert len(ecosystems) == 14
    assert ecosystems["nix"]["error"].endswith(BROKEN["nix.mapping.json"])
    assert ecosystems["gentoo"]["shipped"] is False
    ubuntu = ecosystems["ubuntu"]
    assert ubuntu["shipped"] is True
    assert ubuntu["same"] + len({d["id"] for d in ubuntu["differ"]}) > 0
    for row in ubuntu["differ"]:
        assert row["ours"] != row["theirs"]
    assert len(ecosystems["conda-forge"]["refused"]) == 4  # recipe Jinja, never installable
    assert main(["registry", "compare", str(PUBLISHED), "-v"]) == 0
    out = capsys.readouterr().out
    assert "written as dep:github/Kitware/CMake: read as dep:github/kitware/cmake" in out
    assert "nix          cannot be read:" in out


def test_registry_compare_without_a_registry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from extdeps.cli.main import main

    assert main(["registry", "compare", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path}: no registry.json in this directory\n"


# lint's alias and unknown-id findings on PEP 725's own examples, each with the
# errata entry of pep-draft/ that explains it
EXPLAINED = {
    "dep:virtual/compiler/cpp": "E1",
    "dep:generic/XCB": "E9",
    "dep:cran/nat": "E16",
    "dep:cran/nat.nblast": "E16",
    "dep:cargo/ripgrep": "E16",
    "dep:cargo/tree-sitter-cli": "E16",
    "dep:golang/github.com/junegunn/fzf": "E16",
    "dep:generic/libjpeg": "E17",
    "dep:github/abiword/enchant": "E17",
}


def _errata(label: str) -> str:
    text = (REPO / "pep-draft" / "pep-extdeps.rst").read_text(encoding="utf-8")
    start = text.index(f"\n{label}. ")
    end = min(
        (i for i in (text.find("\nE", start + 1), text.find("\nF", start + 1)) if i > 0),
        default=len(text),
    )
    return text[start:end]


def test_lint_on_pep_725_examples_is_explained_by_the_errata(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from extdeps.cli.main import main
    from tests.test_external import PEP725_EXAMPLES

    found: dict[str, str] = {}
    for name, text in sorted(PEP725_EXAMPLES.items()):
        project = tmp_path / name
        project.mkdir()
        (project / "pyproject.toml").write_text(text, encoding="utf-8")
        main(["lint", str(project), "--json"])
        for finding in json.loads(capsys.readouterr().out)["findings"]:
            if finding["rule"] in ("alias", "unknown-id"):
                ident = finding["message"].split("'")[1]
                found[ident] = finding["rule"]
    assert set(found) == set(EXPLAINED)
    for ident, label in EXPLAINED.items():
        assert ident in _errata(label).replace("\n   ", " "), (ident, label)
