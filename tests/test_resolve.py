"""Resolution, map and install on the fixture data (tests/data/minidata)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from extdeps.choices import resolve_choices
from extdeps.cli.main import main
from extdeps.data.mapping import load_mapping
from extdeps.data.registry import load_registry
from extdeps.model.external import External
from extdeps.resolution import plan_install, resolve, select
from tests.conftest import need

pytestmark = pytest.mark.usefixtures("minidata")

SCIPY_LIKE = {
    "build-requires": [
        "dep:virtual/compiler/c",
        "dep:virtual/compiler/cxx",
        "dep:virtual/compiler/fortran",
        "dep:generic/ninja",
        "dep:generic/pkgconf",
    ],
    "host-requires": ["dep:virtual/interface/blas", "dep:virtual/interface/lapack@>=3.7.1"],
}


def _resolve(
    table: Mapping[str, object], **kwargs: object
) -> list[tuple[str, str, str, tuple[str, ...]]]:
    external = External.from_table(table)
    items = resolve(
        select(external, **kwargs),  # type: ignore[arg-type]
        registry=load_registry(),
        mapping=load_mapping("debian+12"),
        providers={"blas": "blas"} if kwargs.pop("reference", False) else None,
    )
    return [(i.category, str(i.requirement.url), i.status, i.specs) for i in items]


def test_scipy_like_on_debian() -> None:
    assert _resolve(SCIPY_LIKE) == [
        ("build", "dep:virtual/compiler/c", "mapped", ("gcc",)),
        ("build", "dep:virtual/compiler/cxx", "mapped", ("g++",)),
        ("build", "dep:virtual/compiler/fortran", "mapped", ("gfortran",)),
        ("build", "dep:generic/ninja", "mapped", ("ninja-build",)),
        ("build", "dep:generic/pkgconf", "mapped", ("pkgconf",)),
        ("host", "dep:virtual/interface/blas", "mapped", ("libopenblas-dev",)),
        ("host", "dep:virtual/interface/lapack@>=3.7.1", "mapped", ("libopenblas-dev",)),
        ("host", "dep:generic/python", "mapped", ("python3-dev",)),
    ]


def test_provider_choice() -> None:
    external = External.from_table(SCIPY_LIKE)
    items = resolve(
        select(external, categories=("host",)),
        registry=load_registry(),
        mapping=load_mapping("debian+12"),
        providers={"blas": "blas", "dep:virtual/interface/lapack": "dep:generic/lapack"},
    )
    assert [(i.provider, i.specs) for i in items[:2]] == [
        ("dep:generic/blas", ("libblas-dev",)),
        ("dep:generic/lapack", ("liblapack-dev",)),
    ]


def test_never_dropped() -> None:
    table = {
        "host-requires": [
            "dep:generic/notpackaged",
            "dep:generic/unheardof",
            "dep:generic/zlb",
            "dep:generic/zlib; sys_platform == 'nonexistent'",
        ]
    }
    got = [(url, status) for _, url, status, _ in _resolve(table)]
    assert got == [
        ("dep:generic/notpackaged", "unavailable"),
        ("dep:generic/unheardof", "unknown"),
        ("dep:generic/zlb", "unknown"),
        ("dep:generic/zlib", "skipped"),
    ]


def test_extras_groups_and_categories() -> None:
    table = {
        "dependencies": ["dep:generic/zlib"],
        "optional-dependencies": {"yaml": ["dep:generic/libyaml"]},
        "dependency-groups": {"dev": ["dep:generic/libffi"]},
    }
    assert [s for _, s, _, _ in _resolve(table, categories=("run",))] == ["dep:generic/zlib"]
    assert [s for _, s, _, _ in _resolve(table, categories=("run",), extras=("yaml",))] == [
        "dep:generic/zlib",
        "dep:generic/libyaml",
    ]
    assert [s for _, s, _, _ in _resolve(table, categories=("run",), groups=("dev",))] == [
        "dep:generic/zlib",
        "dep:generic/libffi",
    ]


def test_install_plan_versions_apt_by_name() -> None:
    external = External.from_table(
        {"host-requires": ["dep:generic/zlib@>=1.2.11", "dep:generic/libffi"]}
    )
    mapping = load_mapping("debian+12")
    items = resolve(select(external), registry=load_registry(), mapping=mapping)
    plan = plan_install(items, mapping.package_manager(), is_root=False)
    assert plan.commands == (
        (
            "sudo",
            "apt-get",
            "install",
            "--yes",
            "--no-install-recommends",
            "zlib1g-dev",
            "libffi-dev",
        ),
    )
    assert plan.notes == (
        "apt cannot express '>=1.2.11' for zlib1g-dev; installing it by name (dep:generic/zlib); "
        "`extdeps check` verifies the version afterwards",
    )
    root_plan = plan_install(items, mapping.package_manager(), is_root=True)
    assert root_plan.commands[0][0] == "apt-get"


def test_install_plan_conda_ranges() -> None:
    external = External.from_table(
        {"host-requires": ["dep:generic/zlib@>=1.2.11,<2", "dep:generic/libffi@3.4"]}
    )
    mapping = load_mapping("conda-forge")
    items = resolve(select(external), registry=load_registry(), mapping=mapping)
    plan = plan_install(items, mapping.package_manager("conda"), is_root=False)
    assert plan.commands == (("conda", "install", "--yes", "zlib>=1.2.11,<2", "libffi==3.4"),)
    pixi = plan_install(items, mapping.package_manager("pixi"), is_root=False)
    # pixi's syntax has no 'and': the two constraints become two tokens
    assert pixi.commands == (("pixi", "add", "zlib>=1.2.11", "zlib<2", "libffi==3.4"),)


def _project(write_project: Callable[[str], Path], body: str) -> str:
    return str(write_project(body))


def test_map_cli(write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = _project(
        write_project,
        '[external]\nhost-requires = ["dep:github/madler/zlib", "dep:generic/libffi"]\n',
    )
    assert main(["map", path, "--ecosystem", "debian+12"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "host   dep:github/madler/zlib -> zlib1g-dev",
        "host   dep:generic/libffi -> libffi-dev",
    ]
    assert main(["map", path, "--ecosystem", "debian+12", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["dependencies"][0]["id"] == "dep:generic/zlib"


def test_map_unmapped_exit_3(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _project(
        write_project,
        '[external]\nhost-requires = ["dep:generic/notpackaged", "dep:generic/zlib"]\n',
    )
    assert main(["map", path, "--ecosystem", "debian+12"]) == 3
    err = capsys.readouterr().err
    assert "dep:generic/notpackaged (external.host-requires[0]): unavailable" in err
    assert main(["map", path, "--ecosystem", "debian+12", "--allow-unmapped"]) == 0


def test_install_cli_dry_run(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _project(
        write_project,
        '[external]\nbuild-requires = ["dep:virtual/compiler/c"]\nhost-requires = ["dep:generic/zlib", "dep:generic/libyaml", "dep:generic/libffi"]\n',
    )
    argv = ["install", path, "--ecosystem", "debian+12", "--package-manager", "apt-get", "--all"]
    assert main(argv) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1].split()
    assert (
        out
        == [
            "sudo",
            "apt-get",
            "install",
            "--yes",
            "--no-install-recommends",
            "gcc",
            "zlib1g-dev",
            "libyaml-dev",
            "libffi-dev",
            "python3-dev",
        ][(1 if os.geteuid() == 0 else 0) :]
    )


@pytest.mark.system
def test_install_prints_only_what_is_missing(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    need(os.path.exists("/var/lib/dpkg/status"), "needs a Debian system")
    need(not os.path.exists("/usr/include/sodium.h"), "libsodium-dev must be absent")
    path = _project(
        write_project,
        '[external]\nhost-requires = ["dep:generic/zlib", "dep:generic/libsodium"]\n',
    )
    assert main(["install", path, "--ecosystem", "debian+12"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].split()[-4:] == ["install", "--yes", "--no-install-recommends", "libsodium-dev"]
    assert "zlib1g-dev" not in "\n".join(out)


@pytest.mark.system
def test_install_nothing_missing(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    need(os.path.exists("/var/lib/dpkg/status"), "needs a Debian system")
    path = _project(write_project, '[external]\nhost-requires = ["dep:generic/zlib"]\n')
    assert main(["install", path, "--ecosystem", "debian+12", "--execute"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nothing to install: every selected dependency is present" in captured.err


@pytest.mark.system
def test_install_refuses_without_yes(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    need(os.path.exists("/var/lib/dpkg/status"), "needs a Debian system")
    need(not os.path.exists("/usr/include/sodium.h"), "libsodium-dev must be absent")
    path = _project(write_project, '[external]\nhost-requires = ["dep:generic/libsodium"]\n')
    assert main(["install", path, "--ecosystem", "debian+12", "--execute"]) == 2
    assert "refusing to run install commands without confirmation" in capsys.readouterr().err


def test_patch_extend_and_replace_mapping(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """PEP 804's three overrides: --mapping uses another file, --patch-mapping
    replaces the entries of the ids it lists, --extend-mapping appends them as
    further alternatives (the shipped one stays first; a provider can pick one)."""
    override = tmp_path / "override.mapping.json"
    override.write_text(
        json.dumps(
            {
                "name": "override",
                "mappings": [
                    {"id": "dep:generic/zlib", "specs": "zlib-custom-dev"},
                    {
                        "id": "dep:virtual/interface/blas",
                        "specs": "libcustomblas-dev",
                        "extra_metadata": {"provider": "dep:generic/customblas"},
                    },
                ],
                "package_managers": [],
            }
        )
    )
    path = _project(
        write_project,
        '[external]\nhost-requires = ["dep:generic/zlib", "dep:generic/libffi", '
        '"dep:virtual/interface/blas"]\n',
    )
    base = ["map", path, "--ecosystem", "debian+12", "--json"]
    assert main([*base, "--patch-mapping", str(override)]) == 0
    packages = {d["id"]: d["packages"] for d in json.loads(capsys.readouterr().out)["dependencies"]}
    assert packages["dep:generic/zlib"] == ["zlib-custom-dev"]
    assert packages["dep:generic/libffi"] == ["libffi-dev"]
    assert packages["dep:virtual/interface/blas"] == ["libcustomblas-dev"]
    assert main([*base, "--extend-mapping", str(override)]) == 0
    packages = {d["id"]: d["packages"] for d in json.loads(capsys.readouterr().out)["dependencies"]}
    assert packages["dep:generic/zlib"] == ["zlib1g-dev"]  # the shipped entry stays first
    assert packages["dep:virtual/interface/blas"] != ["libcustomblas-dev"]
    assert main([*base, "--extend-mapping", str(override), "--provider", "blas=customblas"]) == 0
    packages = {d["id"]: d["packages"] for d in json.loads(capsys.readouterr().out)["dependencies"]}
    assert packages["dep:virtual/interface/blas"] == ["libcustomblas-dev"]  # an added option
    assert main(["map", path, "--mapping", str(override)]) == 3
    assert "libffi" in capsys.readouterr().err


def test_hostile_mapping_rejected(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.mapping.json"
    hostile.write_text(
        json.dumps(
            {
                "name": "hostile",
                "mappings": [
                    {"id": "dep:generic/zlib", "specs": ["zlib; rm -rf /", "--reinstall"]}
                ],
                "package_managers": [
                    {
                        "name": "apt",
                        "commands": {
                            "install": {"command": ["sudo", "apt-get", "install", "{}"]},
                            "query": {"command": ["sh", "-c", "{}"]},
                        },
                        "specifier_syntax": {
                            "name_only": ["{name}"],
                            "exact_version": None,
                            "version_ranges": None,
                        },
                    }
                ],
            }
        )
    )
    path = _project(write_project, '[external]\nhost-requires = ["dep:generic/zlib"]\n')
    assert main(["install", path, "--mapping", str(hostile), "--execute", "--yes"]) == 2
    err = capsys.readouterr().err
    assert (
        "mappings[0].specs[0]: package spec 'zlib; rm -rf /' refused: ';' is not in the plain "
        "spec syntax" in err
    )
    assert (
        "mappings[0].specs[1]: package spec '--reinstall' refused: it starts with '-', which "
        "the package manager would read as an option" in err
    )
    assert "package_managers[0].commands.install.command[0]: 'sudo' cannot start a command" in err
    assert (
        "package_managers[0].commands.query.command[0]: 'sh': commands are argument lists, never shell strings"
        in err
    )
    assert "Traceback" not in err


def test_tool_config_providers(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _project(
        write_project,
        '[external]\nhost-requires = ["dep:virtual/interface/blas"]\n[tool.extdeps]\nproviders = {blas = "blas"}\n',
    )
    assert main(["map", path, "--ecosystem", "debian+12"]) == 0
    assert "via dep:generic/blas -> libblas-dev" in capsys.readouterr().out
    bad = _project(
        write_project, '[external]\nhost-requires = []\n[tool.extdeps]\nprovider = {blas = "x"}\n'
    )
    assert main(["map", bad, "--ecosystem", "debian+12"]) == 2
    err = capsys.readouterr().err
    assert "tool.extdeps.provider: unknown key" in err
    assert "hint: did you mean 'providers'?" in err


def test_choices_env_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTDEPS_ECOSYSTEM", "conda-forge")
    monkeypatch.setenv("EXTDEPS_PROVIDERS", "blas=mkl,mpi=mpich")
    choices = resolve_choices()
    assert choices.detection.mapping == "conda-forge"
    assert choices.providers == {"blas": "mkl", "mpi": "mpich"}


def test_detect_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["detect", "--ecosystem", "debian+12", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ecosystem"] == "debian+12"
    assert doc["package_manager"] == "apt"
    assert main(["detect", "--ecosystem", "gentoo"]) == 3
    assert "no mapping for this system: tried gentoo" in capsys.readouterr().err


def test_unverified_empty_entry_is_unknown_not_unavailable() -> None:
    from extdeps.data.mapping import EcosystemMapping

    mapping = EcosystemMapping.from_document(
        {
            "name": "example",
            "mappings": [
                {
                    "id": "dep:generic/zlib",
                    "specs": [],
                    "extra_metadata": {"unverified": "index unreachable"},
                },
                {"id": "dep:generic/libffi", "specs": []},
            ],
            "package_managers": [],
        }
    )
    external = External.from_table({"host-requires": ["dep:generic/zlib", "dep:generic/libffi"]})
    items = resolve(select(external), registry=load_registry(), mapping=mapping)
    assert [(i.status, i.reason) for i in items] == [
        ("unknown", "the example mapping has no verified package names for it: index unreachable"),
        ("unavailable", "the example mapping says it has no package for the host category"),
    ]
