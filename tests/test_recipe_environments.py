"""``extdeps recipe --format pixi`` and ``--format conda-env``.

A pixi manifest is validated against pixi's published manifest schema (a copy
in tests/data/pixi, with its source); an ``environment.yml`` is parsed with
PyYAML and checked against the structure ``conda env create`` reads: ``name``,
``channels`` and ``dependencies``, whose items are match specs or one ``pip``
list. The golden files of the examples are in tests/data/recipes (see
test_recipe.py).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from extdeps.cli.main import main
from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SCHEMA = REPO / "tests" / "data" / "pixi" / "manifest.schema.json"
# a conda match spec as environment files carry them: a name, then a version
# (operators, wildcards, ranges) and optionally a build string
_MATCH_SPEC = re.compile(r"[a-z0-9_][a-z0-9_.-]*(=[^\s=]*(=[^\s=]+)?| [<>=!~*0-9][^\s]*)?")
_CONDA_ENV_KEYS = {"name", "channels", "dependencies", "prefix", "variables"}


def check_pixi(text: str) -> dict[str, Any]:
    """Parse a pixi.toml and validate it against pixi's schema; the document."""
    document = tomllib.loads(text)
    validator = Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    return document


def check_conda_env(text: str) -> dict[str, Any]:
    """Parse an environment.yml and check conda's structure; the document."""
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    assert set(document) <= _CONDA_ENV_KEYS, set(document) - _CONDA_ENV_KEYS
    assert isinstance(document["name"], str)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", document["name"])
    assert isinstance(document["channels"], list)
    assert all(isinstance(c, str) and c for c in document["channels"])
    dependencies = document["dependencies"]
    assert isinstance(dependencies, list)
    pips = [d for d in dependencies if isinstance(d, dict)]
    assert len(pips) <= 1
    for item in dependencies:
        if isinstance(item, dict):
            assert list(item) == ["pip"]
            assert all(isinstance(p, str) and p for p in item["pip"])
        else:
            assert isinstance(item, str)
            assert _MATCH_SPEC.fullmatch(item), item
    if pips:
        assert "pip" in dependencies, "a pip section needs pip installed"
    return document


def _render(tmp_path: Path, fmt: str, project: Path | str) -> str:
    out = tmp_path / f"out-{fmt}"
    assert main(["recipe", str(project), "--format", fmt, "--output", str(out)]) == 0
    name = "pixi.toml" if fmt == "pixi" else "environment.yml"
    return (out / name).read_text(encoding="utf-8")


def _project(tmp_path: Path, external: str, extra: str = "") -> Path:
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "pyproject.toml").write_text(
        '[project]\nname = "Demo_Project"\nversion = "2.0"\nrequires-python = ">=3.11"\n'
        f"{extra}[external]\n{external}",
        encoding="utf-8",
    )
    return directory


def test_the_schema_copy_is_pixis() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"].startswith("https://pixi.sh/")
    assert "system-requirements" in schema["properties"]
    source = (SCHEMA.parent / "SOURCE.md").read_text(encoding="utf-8")
    assert "github.com/prefix-dev/pixi" in source
    assert re.search(r"\b[0-9a-f]{40}\b", source)


def test_cuda_runtime_pixi_has_the_cuda_system_requirement(tmp_path: Path) -> None:
    document = check_pixi(_render(tmp_path, "pixi", REPO / "examples" / "cuda-runtime"))
    assert document["system-requirements"] == {"cuda": "12.4"}
    # CUDA exists on Linux and Windows only: the workspace says so
    assert document["workspace"]["platforms"] == ["linux-64", "linux-aarch64", "win-64"]
    assert document["dependencies"] == {
        "python": ">=3.10",
        "cuda-cudart": ">=12.4",
        "libcublas": ">=12.4",
    }
    assert document["feature"] == {
        "dnn": {"dependencies": {"libcudnn": ">=9"}},
        "fft": {"dependencies": {"libcufft": "*"}},
    }
    assert document["environments"] == {"dnn": ["dnn"], "fft": ["fft"]}
    assert document["pypi-dependencies"] == {
        "cuda-runtime-example": {"path": ".", "editable": True}
    }


def test_cuda_runtime_conda_env(tmp_path: Path) -> None:
    text = _render(tmp_path, "conda-env", REPO / "examples" / "cuda-runtime")
    document = check_conda_env(text)
    assert document["name"] == "cuda-runtime-example"
    assert document["channels"] == ["conda-forge"]
    assert document["dependencies"] == [
        "python >=3.10",
        "cuda-cudart >=12.4",
        "libcublas >=12.4",
        "pip",
        {"pip": ["-e ."]},
    ]
    assert (
        "which conda reads from the machine as __cuda >=12.4 (CONDA_OVERRIDE_CUDA overrides it)"
        in text
    )
    assert "# optional, extra 'dnn': libcudnn >=9, pip: -e .[dnn]" in text


def test_categories_facts_markers_and_extras(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        'build-requires = ["dep:virtual/compiler/c", "dep:generic/ninja; sys_platform == \'linux\'"]\n'
        'host-requires = ["dep:virtual/interface/blas", "dep:generic/zlib@>=1.2.11",'
        " \"dep:generic/libffi; python_version < '3.12'\"]\n"
        "dependencies = [\"dep:generic/glibc@>=2.28,<3; platform_system == 'Linux'\","
        ' "dep:virtual/driver/rocm@>=6.0", "dep:generic/not-in-registry"]\n'
        "[external.optional-dependencies]\n"
        'gpu = ["dep:virtual/driver/cuda@>=12", "dep:generic/cuda-cudart@>=12"]\n',
        extra='[project.optional-dependencies]\ngpu = ["cupy>=13"]\n',
    )
    text = _render(tmp_path, "pixi", project)
    document = check_pixi(text)
    assert document["workspace"]["name"] == "demo-project"
    assert document["workspace"]["platforms"] == ["linux-64", "linux-aarch64"]
    assert document["system-requirements"] == {"libc": {"family": "glibc", "version": "2.28"}}
    assert "# TODO(extdeps): pixi cannot express <3 of dep:generic/glibc@>=2.28,<3" in text
    assert (
        "# TODO(extdeps): pixi has no system requirement for dep:virtual/driver/rocm@>=6.0; "
        "check it with `extdeps check`"
    ) in text
    assert document["build-dependencies"] == {"c-compiler": "*"}
    assert document["target"] == {"linux": {"build-dependencies": {"ninja": "*"}}}
    assert document["host-dependencies"] == {
        "libblas": "*",
        "blas-devel": "*",
        "zlib": ">=1.2.11",
        "libffi": "*",
    }
    assert 'TODO(extdeps): dep:generic/libffi applies only when python_version < "3.12"' in text
    assert "TODO(extdeps): dep:generic/not-in-registry (run) has no package here" in text
    assert document["dependencies"] == {"python": ">=3.11"}
    assert document["feature"]["gpu"] == {
        "system-requirements": {"cuda": "12"},
        "dependencies": {"cuda-cudart": ">=12"},
    }
    assert "`pip install -e .[gpu]`: cupy>=13" in text
    assert document["environments"] == {"gpu": ["gpu"]}

    env = _render(tmp_path, "conda-env", project)
    conda = check_conda_env(env)
    assert conda["dependencies"][:3] == ["python >=3.11", "c-compiler", "ninja"]
    assert "zlib >=1.2.11" in conda["dependencies"]
    assert "which conda reads from the machine as __glibc >=2.28,<3" in env
    assert "dep:virtual/driver/rocm@>=6.0, a fact of the machine conda does not check" in env
    assert "# optional, extra 'gpu': cuda-cudart >=12, dep:virtual/driver/cuda@>=12" in env


def test_build_strings_become_pixi_tables(tmp_path: Path) -> None:
    project = _project(tmp_path, 'host-requires = ["dep:generic/blas"]\n')
    document = check_pixi(_render(tmp_path, "pixi", project))
    assert document["host-dependencies"]["libblas"] == {"version": "*", "build": "*_netlib"}
    conda = check_conda_env(_render(tmp_path, "conda-env", project))
    assert "libblas=*=*_netlib" in conda["dependencies"]


def test_a_driver_without_a_version(tmp_path: Path) -> None:
    project = _project(tmp_path, 'dependencies = ["dep:virtual/driver/cuda"]\n')
    text = _render(tmp_path, "pixi", project)
    document = check_pixi(text)
    assert document["system-requirements"] == {}  # the TODO stands in its table
    assert (
        "# TODO(extdeps): dep:virtual/driver/cuda names no lowest version, which pixi needs "
        '(cuda = "VERSION")'
    ) in text


@pytest.mark.parametrize("fmt", ["pixi", "conda-env"])
def test_hostile_text_stays_text(tmp_path: Path, fmt: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "evil"\nversion = "1.0"\n'
        'description = "a \\" quote ]] [x] # not a comment \\\\ ${{ x }}"\n'
        'authors = [{ name = "E\'v\\"e" }]\n'
        '[external]\nhost-requires = ["dep:generic/zlib"]\n',
        encoding="utf-8",
    )
    text = _render(tmp_path, fmt, project)
    if fmt == "pixi":
        document = check_pixi(text)
        assert document["workspace"]["description"] == (
            'a " quote ]] [x] # not a comment \\ ${{ x }}'
        )
        assert document["workspace"]["authors"] == ["E'v\"e"]
    else:
        check_conda_env(text)
