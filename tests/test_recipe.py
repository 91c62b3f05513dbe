"""extdeps recipe: golden files per format for three example projects, each checked by
that ecosystem's own parser where this machine has it.

Regenerate the golden files after a deliberate change with
``EXTDEPS_REGEN_GOLDEN=1 python -m pytest tests/test_recipe.py`` and review the diff.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from extdeps.cli.main import main
from extdeps.recipes import FORMATS
from tests.conftest import REPO, need

EXAMPLES = ["pillow-like", "scipy-like", "cuda-runtime"]
GOLDEN = REPO / "tests" / "data" / "recipes"
DATA = REPO / "mappings"


def _render(example: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["recipe", str(REPO / "examples" / example), "--format", fmt]) == 0
    return capsys.readouterr().out


def _mapping_shipped(fmt: str) -> bool:
    ecosystem = FORMATS[fmt][0]
    return ecosystem is None or (DATA / f"{ecosystem}.mapping.json").exists()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("example", EXAMPLES)
def test_golden(example: str, fmt: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    if not _mapping_shipped(fmt):
        pytest.skip(f"the {FORMATS[fmt][0]} mapping is not shipped yet")
    text = _render(example, fmt, capsys)
    golden = GOLDEN / example / f"{fmt}.golden"
    if os.environ.get("EXTDEPS_REGEN_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()
    _parse(fmt, text, tmp_path)


def _parse(fmt: str, text: str, tmp_path: Path) -> None:
    """Check a generated file with the ecosystem's own parser."""
    if fmt == "conda-forge":
        import yaml

        document = yaml.safe_load(text)
        assert set(document) >= {"package", "source", "requirements", "about"}
    elif fmt == "conda-forge-meta":
        import yaml

        # conda-build renders Jinja first: emulate the two constructs the file uses
        rendered = "\n".join(line for line in text.splitlines() if not line.startswith("{%"))
        rendered = re.sub(r"\{\{[^}]*\}\}", "x", rendered)
        document = yaml.safe_load(rendered)
        assert set(document) >= {"package", "source", "requirements", "about"}
    elif fmt == "debian":
        from debian.deb822 import Deb822, PkgRelation

        paragraphs = list(Deb822.iter_paragraphs(text.splitlines()))
        assert [("Source" in p, "Package" in p) for p in paragraphs] == [
            (True, False),
            (False, True),
        ]
        for relation in PkgRelation.parse_relations(paragraphs[0]["Build-Depends"]):
            assert relation, "empty relation"
            for alternative in relation:
                assert re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", alternative["name"]), alternative
    elif fmt == "fedora":
        need(shutil.which("rpmspec") is not None, "rpmspec is needed (apt-get install rpm)")
        spec = tmp_path / "x.spec"
        spec.write_text(text)
        done = subprocess.run(
            [
                "rpmspec",
                "-P",
                str(spec),
                "--define",
                "pypi_source(n:) https://example.org/%1.tar.gz",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    elif fmt in ("arch", "alpine"):
        need(shutil.which("bash") is not None, "bash is needed")
        script = tmp_path / "BUILD"
        script.write_text(text)
        done = subprocess.run(
            ["bash", "-n", str(script)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    elif fmt == "homebrew":
        need(shutil.which("ruby") is not None, "ruby is needed (apt-get install ruby)")
        formula = tmp_path / "formula.rb"
        formula.write_text(text)
        done = subprocess.run(
            ["ruby", "-c", str(formula)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    elif fmt == "nix":
        need(
            shutil.which("nix-instantiate") is not None,
            "nix-instantiate is needed (apt-get install nix-bin)",
        )
        expr = tmp_path / "default.nix"
        expr.write_text(text)
        done = subprocess.run(
            ["nix-instantiate", "--parse", str(expr)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    elif fmt == "spack":
        ast.parse(text)


def test_unmappable_is_a_todo_never_dropped(
    write_project: object, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1.0"\n'
        '[external]\nhost-requires = ["dep:generic/not-in-registry", "dep:generic/zlib; platform_machine == \'arm64\'"]\n'
    )
    assert main(["recipe", str(project), "--format", "debian"]) == 0
    out = capsys.readouterr().out
    assert "TODO(extdeps): dep:generic/not-in-registry (host) has no package here" in out
    assert 'TODO(extdeps): dep:generic/zlib applies only when platform_machine == "arm64"' in out


def test_spack_versions_and_gaps(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1.0"\n'
        "[external]\nhost-requires = [\n"
        '  "dep:generic/gdal@>=3.6,<4",\n'
        '  "dep:generic/zlib@>=1.2.11",\n'
        '  "dep:generic/pari",\n'
        '  "dep:generic/cublas",\n'
        '  "dep:generic/cuda-cudart",\n'
        "]\n"
    )
    assert main(["recipe", str(project), "--format", "spack"]) == 0
    out = capsys.readouterr().out
    ast.parse(out)
    # a range Spack cannot say exactly is left to the packager, the name is kept
    assert "TODO(extdeps): translate the version constraint '>=3.6,<4' for Spack" in out
    assert 'depends_on("gdal", type=("build", "link"))' in out
    assert 'depends_on("zlib@1.2.11:", type=("build", "link"))' in out
    # no Spack package: a TODO, never a guessed name
    assert "TODO(extdeps): dep:generic/pari (host) has no package here" in out
    # two ids, one Spack package: one line
    assert out.count('depends_on("cuda", type=("build", "link"))') == 1


def test_invalid_project_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = 3\n')
    assert main(["recipe", str(project), "--format", "spack"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {project / 'pyproject.toml'}: invalid [project] table")
    assert "Traceback" not in err


def test_output_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        main(
            [
                "recipe",
                str(REPO / "examples" / "scipy-like"),
                "--format",
                "spack",
                "--output",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert (tmp_path / "package.py").read_text().startswith("# Generated by extdeps")
