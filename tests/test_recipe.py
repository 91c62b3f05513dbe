"""extdeps recipe: golden files per format for three example projects, each checked by
that ecosystem's own parser where this machine has it.

Regenerate the golden files after a deliberate change with
``EXTDEPS_REGEN_GOLDEN=1 python -m pytest tests/test_recipe.py`` and review the diff.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from extdeps.cli.main import main

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib
from extdeps.recipes import FORMATS
from tests.conftest import REPO, need

EXAMPLES = ["pillow-like", "scipy-like", "cuda-runtime", "zlib-ext", "setuptools-ext"]
GOLDEN = REPO / "tests" / "data" / "recipes"
DATA = REPO / "mappings"
EPOCH = "1764780000"


@pytest.fixture(autouse=True)
def _fixed_packager(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recipes are reproducible: a fixed date, no packager from the environment."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    for name in ("DEBEMAIL", "DEBFULLNAME", "RPM_PACKAGER"):
        monkeypatch.delenv(name, raising=False)


def _files(path: Path | str, fmt: str, out: Path, *extra: str) -> dict[str, str]:
    """Render into ``out`` and read every file back: relative path -> text."""
    assert main(["recipe", str(path), "--format", fmt, "--output", str(out), *extra]) == 0
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def _joined(files: dict[str, str]) -> str:
    return "".join(f"==> {path} <==\n{text}" for path, text in files.items())


def _mapping_shipped(fmt: str) -> bool:
    ecosystem = FORMATS[fmt][0]
    return ecosystem is None or (DATA / f"{ecosystem}.mapping.json").exists()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("example", EXAMPLES)
def test_golden(example: str, fmt: str, tmp_path: Path) -> None:
    if not _mapping_shipped(fmt):
        pytest.skip(f"the {FORMATS[fmt][0]} mapping is not shipped yet")
    out = tmp_path / "out"
    files = _files(REPO / "examples" / example, fmt, out)
    text = _joined(files)
    golden = GOLDEN / example / f"{fmt}.golden"
    if os.environ.get("EXTDEPS_REGEN_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    _parse(fmt, out, files)


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done: subprocess.CompletedProcess[str] = subprocess.run(  # type: ignore[call-overload]
        command, capture_output=True, text=True, check=False, **kwargs
    )
    return done


def _parse(fmt: str, out: Path, files: dict[str, str]) -> None:
    """Check the generated files with the ecosystem's own parser."""
    if fmt == "conda-forge":
        import rattler_build

        recipe = rattler_build.Stage0Recipe.from_file(out / "recipe.yaml")
        variants = rattler_build.VariantConfig(
            {
                "c_compiler": ["gcc"],
                "c_compiler_version": ["14"],
                "cxx_compiler": ["gxx"],
                "cxx_compiler_version": ["14"],
                "fortran_compiler": ["gfortran"],
                "fortran_compiler_version": ["14"],
                "c_stdlib": ["sysroot"],
                "c_stdlib_version": ["2.17"],
                "python": ["3.12"],
                "python_min": ["3.10"],
            }
        )
        rendered = recipe.render(variants)
        assert rendered, "rattler-build rendered no variant"
        for patch in re.findall(r"^    - (\S+\.patch)$", files["recipe.yaml"], re.MULTILINE):
            assert patch in files
    elif fmt == "conda-forge-meta":
        import yaml

        # conda-build renders Jinja first: emulate the two constructs the file uses
        text = files["meta.yaml"]
        plain = "\n".join(line for line in text.splitlines() if not line.startswith("{%"))
        document = yaml.safe_load(re.sub(r"\{\{[^}]*\}\}", "x", plain))
        assert set(document) >= {"package", "source", "requirements", "about"}
    elif fmt == "debian":
        _parse_debian(out, files)
    elif fmt == "fedora":
        need(shutil.which("rpmspec") is not None, "rpmspec is needed (apt-get install rpm)")
        (spec,) = [out / p for p in files if p.endswith(".spec")]
        done = _run(
            [
                "rpmspec",
                "-P",
                str(spec),
                "--define",
                "pypi_source(n:) https://files.pythonhosted.org/%1-%{?2}%{!?2:%{version}}.tar.gz",
            ]
        )
        assert done.returncode == 0, done.stderr
    elif fmt in ("arch", "alpine"):
        need(shutil.which("bash") is not None, "bash is needed")
        name = "PKGBUILD" if fmt == "arch" else "APKBUILD"
        sums = "sha256sums" if fmt == "arch" else "sha512sums"
        done = _run(["bash", "-n", str(out / name)])
        assert done.returncode == 0, done.stderr
        # sourced as makepkg and abuild do: one checksum per source, or none at all
        done = _run(
            [
                "bash",
                "-c",
                f'source ./{name}; printf "%s\\n" ${{source[@]}}; echo ---; '
                f'printf "%s\\n" "${{{sums}[@]}}"',
            ],
            cwd=out,
        )
        assert done.returncode == 0, done.stderr
        before, after = done.stdout.split("---\n")
        sources = before.split()
        checksums = [line for line in after.splitlines() if line.strip()]
        assert len(checksums) in (0, len(sources)), done.stdout
        assert all("TODO" not in s for s in sources)
    elif fmt == "homebrew":
        need(shutil.which("ruby") is not None, "ruby is needed (apt-get install ruby)")
        (formula,) = [out / p for p in files if p.endswith(".rb")]
        done = _run(["ruby", "-c", str(formula)])
        assert done.returncode == 0, done.stderr
    elif fmt == "nix":
        need(
            shutil.which("nix-instantiate") is not None,
            "nix-instantiate is needed (apt-get install nix-bin)",
        )
        done = _run(["nix-instantiate", "--parse", str(out / "default.nix")])
        assert done.returncode == 0, done.stderr
    elif fmt == "spack":
        ast.parse(files["package.py"])
    elif fmt == "pixi":
        from tests.test_recipe_environments import check_pixi

        check_pixi(files["pixi.toml"])
    elif fmt == "conda-env":
        from tests.test_recipe_environments import check_conda_env

        check_conda_env(files["environment.yml"])


def _parse_debian(out: Path, files: dict[str, str]) -> None:
    from debian.copyright import Copyright
    from debian.deb822 import Deb822, PkgRelation

    paragraphs = list(Deb822.iter_paragraphs(files["debian/control"].splitlines()))
    assert [("Source" in p, "Package" in p) for p in paragraphs] == [(True, False), (False, True)]
    for field in ("Build-Depends",):
        for relation in PkgRelation.parse_relations(paragraphs[0][field]):
            for alternative in relation:
                assert re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", alternative["name"]), alternative
    assert not {"gcc", "g++", "make", "build-essential"} & {
        a["name"] for r in PkgRelation.parse_relations(paragraphs[0]["Build-Depends"]) for a in r
    }
    with (out / "debian" / "copyright").open(encoding="utf-8") as handle:
        copyright_ = Copyright(handle, strict=True)
    assert copyright_.header.upstream_name
    assert files["debian/source/format"] == "3.0 (quilt)\n"
    assert os.access(out / "debian" / "rules", os.X_OK)
    if shutil.which("dpkg-parsechangelog"):
        done = _run(["dpkg-parsechangelog", "-l", str(out / "debian" / "changelog")])
        assert done.returncode == 0, done.stderr
        assert "Distribution: UNRELEASED" in done.stdout
    series = files.get("debian/patches/series", "")
    for patch in series.split():
        assert f"debian/patches/{patch}" in files


def _sdist(project: Path, out: Path) -> Path:
    """An sdist of a project: its files under ``{name}-{version}/`` and a PKG-INFO."""
    data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    name = re.sub(r"[-_.]+", "_", data["project"]["name"]).lower()
    root = f"{name}-{data['project']['version']}"
    path = out / f"{root}.tar.gz"
    info = (
        f"Metadata-Version: 2.4\nName: {data['project']['name']}\n"
        f"Version: {data['project']['version']}\n"
    ).encode()
    with tarfile.open(path, "w:gz") as tf:
        member = tarfile.TarInfo(f"{root}/PKG-INFO")
        member.size = len(info)
        tf.addfile(member, io.BytesIO(info))
        for file in sorted(project.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                tf.add(file, f"{root}/{file.relative_to(project).as_posix()}")
    return path


# what extdeps cannot know even from the sdist: the feedstock's GitHub handles, and
# CUDA libraries that only NVIDIA's own repositories package
_ALLOWED_TODO = re.compile(
    r"GitHub handles|dep:generic/(cuda-cudart|cublas|cufft|cudnn)\S* \(run\) has no package"
)


@pytest.mark.parametrize("example", EXAMPLES)
def test_sdist_from_anywhere_has_no_todo(
    example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sdist as PATH, from an unrelated working directory: name, version, URL,
    sha256, license and dependencies are all known, in every format."""
    sdist = _sdist(REPO / "examples" / example, tmp_path)
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for fmt in sorted(FORMATS):
        out = tmp_path / fmt
        files = _files(sdist, fmt, out)
        text = _joined(files)
        todos = [
            line for line in text.splitlines() if "TODO" in line and not _ALLOWED_TODO.search(line)
        ]
        assert todos == [], (fmt, todos)
        if fmt == "alpine":
            assert hashlib.sha512(sdist.read_bytes()).hexdigest() in text
        elif fmt == "nix":
            assert "sha256-" + base64.b64encode(bytes.fromhex(digest)).decode() in text
        elif fmt in ("pixi", "conda-env"):
            # an environment to work on the project's source in: no release to fetch
            _parse(fmt, out, files)
            continue
        elif fmt not in ("fedora", "debian"):
            # Fedora checks the sdist by its own `sources` file, Debian by the .dsc that
            # dpkg-source writes for the orig tarball: neither format carries a digest.
            assert digest in text, fmt
        assert (
            sdist.name in text
            or "$pkgver" in text
            or "{{ version }}" in text
            or ("%{pypi_source" in text)
            or sdist.name.replace("-1.0.0.tar.gz", "-@ANY_VERSION@@ARCHIVE_EXT@") in text
            or f'fetchPypi {{\n    pname = "{sdist.name.removesuffix("-1.0.0.tar.gz")}"' in text
        ), fmt
        _parse(fmt, out, files)


def test_unmappable_is_a_todo_never_dropped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
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


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    """A recipe is code: a summary, readme, author or URL that tries command
    substitution, Ruby or Nix interpolation, RPM macros or Jinja stays literal
    text when each format's own tool reads (or, for shell, sources) the file."""
    marker = tmp_path / "pwned"
    project = tmp_path / "evil"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        "[project]\n"
        'name = "evil"\nversion = "1.0"\nlicense = "MIT"\n'
        f'description = "$(touch {marker}) `touch {marker}` #{{x}} %(touch {marker}) '
        '\\" \' ${{{{ x }}}} {{{{ y }}}} \\\\N"\n'
        f'readme = {{ text = "%post\\ntouch {marker}\\n${{{{ z }}}}\\n{{% x %}}\\n\\"\\"\\"", '
        'content-type = "text/plain" }\n'
        'authors = [{ name = "E\'v\\"e #{x} %{y} ${z}", email = "e@example.org" }]\n'
        f'urls = {{ Homepage = "https://example.org/$(touch%20{marker.name})" }}\n'
        '[external]\nhost-requires = ["dep:generic/zlib"]\n',
        encoding="utf-8",
    )
    for fmt in sorted(FORMATS):
        out = tmp_path / fmt
        files = _files(project, fmt, out)
        _parse(fmt, out, files)
        if fmt in ("arch", "alpine"):
            name = "PKGBUILD" if fmt == "arch" else "APKBUILD"
            done = _run(["bash", "-c", f'source ./{name}; printf "%s" "$pkgdesc"'], cwd=out)
            assert done.stdout.startswith(f"$(touch {marker})"), done.stdout
        if fmt == "conda-forge":
            import rattler_build

            (rendered,) = rattler_build.Stage0Recipe.from_file(out / "recipe.yaml").render(
                rattler_build.VariantConfig({"python": ["3.12"], "python_min": ["3.10"]})
            )
            about = rendered.recipe.about
            assert (about.summary or "").startswith(f"$(touch {marker})")
            assert "{% x %}" in (about.description or "")
        if fmt == "conda-forge-meta":
            import jinja2
            import yaml

            text = (
                jinja2.Environment()
                .from_string(files["meta.yaml"])
                .render(PYTHON="python", compiler=str, stdlib=str, python_min="3.10")
            )
            document = yaml.safe_load(text)
            assert document["about"]["summary"].startswith(f"$(touch {marker})")
            assert "{% x %}" in document["about"]["description"]
        if fmt == "fedora":
            (spec,) = [out / p for p in files if p.endswith(".spec")]
            done = _run(["rpmspec", "-q", "--qf", "%{summary}\\n", str(spec)])
            assert done.returncode == 0, done.stderr
            assert f"%(touch {marker})" in done.stdout
    assert not marker.exists()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("description", '"two\\nlines"', "project.description: a line break"),
        ("license", '"MIT OR Bogus-1"', "project.license: Unknown license"),
        ("urls", '{ Homepage = "javascript:alert(1)" }', "project.urls.Homepage: not an http(s)"),
        ("authors", '[{ name = "a\\u0007b" }]', "project.authors[0].name: a line break"),
    ],
)
def test_unsafe_fields_are_refused(
    key: str, value: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "1.0"\n{key} = {value}\n', encoding="utf-8"
    )
    assert main(["recipe", str(tmp_path), "--format", "arch"]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err
