"""The show and validate commands, inputs (directory, file, sdist), JSON documents."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from extdeps.cli.main import main
from tests.conftest import REPO

TABLE = """\
[project]
name = "demo"
version = "1.0"

[external]
build-requires = ["dep:virtual/compiler/c", "DEP:generic/Ninja"]
host-requires = ["dep:generic/zlib@%3E%3D1.2", "dep:github/AbiWord/enchant; platform_system!='Windows'"]

[external.optional-dependencies]
GPU_Support = ["dep:virtual/driver/cuda@>=12.4"]

[external.dependency-groups]
test = ["dep:generic/valgrind"]
dev = [{include-group = "test"}, "dep:generic/gdb"]
"""

SHOWN = """\
[external]
build-requires = [
  "dep:virtual/compiler/c",
  "dep:generic/Ninja",
]
host-requires = [
  "dep:generic/zlib@>=1.2",
  "dep:github/abiword/enchant; platform_system != \\"Windows\\"",
]

[external.optional-dependencies]
gpu-support = [
  "dep:virtual/driver/cuda@>=12.4",
]

[external.dependency-groups]
test = [
  "dep:generic/valgrind",
]
dev = [
  { include-group = "test" },
  "dep:generic/gdb",
]
"""


def test_show(write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    project = write_project(TABLE)
    assert main(["show", str(project)]) == 0
    out = capsys.readouterr().out
    assert out == f"# {project / 'pyproject.toml'}\n" + SHOWN


def test_show_output_is_valid_and_stable(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_project(TABLE)
    main(["show", str(first)])
    shown = capsys.readouterr().out.split("\n", 1)[1]
    second = write_project(shown)
    assert main(["show", str(second)]) == 0
    assert capsys.readouterr().out.split("\n", 1)[1] == shown


def test_show_json(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project(TABLE)
    assert main(["show", "--json", str(project / "pyproject.toml")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1
    assert doc["command"] == "show"
    assert doc["project"] == {"name": "demo", "version": "1.0"}
    assert doc["external"]["host-requires"][0] == "dep:generic/zlib@>=1.2"
    assert doc["external"]["dependency-groups"]["dev"][0] == {"include-group": "test"}


def test_show_without_external(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project('[project]\nname = "x"\n')
    assert main(["show", str(project)]) == 0
    assert "no [external] dependencies" in capsys.readouterr().out
    assert main(["validate", str(project)]) == 0
    assert capsys.readouterr().out.endswith("valid, 0 external dependencies\n")


def test_validate_ok(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project(TABLE)
    assert main(["validate", str(project)]) == 0
    assert (
        capsys.readouterr().out == f"{project / 'pyproject.toml'}: valid, 7 external dependencies\n"
    )
    assert main(["validate", "-q", str(project)]) == 0
    assert capsys.readouterr().out == ""


def test_validate_json_errors(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project('[external]\nhost-requires = ["dep:generic/zlib@~=1", 1]\n')
    assert main(["validate", "--json", str(project)]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is False
    assert [e["key_path"] for e in doc["errors"]] == [
        "external.host-requires[0]",
        "external.host-requires[1]",
    ]
    assert doc["errors"][0]["span"] == [17, 20]


def _sdist_tar(path: Path, body: str, top: str = "demo-1.0") -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in ((f"{top}/pyproject.toml", body), (f"{top}/PKG-INFO", "Name: demo\n")):
            raw = data.encode()
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tf.addfile(info, io.BytesIO(raw))
    return path


def test_sdist_tar_gz_read_in_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sdist = _sdist_tar(tmp_path / "demo-1.0.tar.gz", TABLE)
    before = sorted(p.name for p in tmp_path.iterdir() if p.name != "extdeps-cache")
    for _ in range(2):  # read, then from the cache of valid tables: the same answer
        assert main(["show", str(sdist)]) == 0
        out = capsys.readouterr().out
        assert out == f"# {sdist}!/demo-1.0/pyproject.toml\n" + SHOWN
    after = sorted(p.name for p in tmp_path.iterdir() if p.name != "extdeps-cache")
    assert after == before  # nothing unpacked


def test_sdist_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sdist = tmp_path / "demo-1.0.zip"
    with zipfile.ZipFile(sdist, "w") as zf:
        zf.writestr("demo-1.0/pyproject.toml", TABLE)
    assert main(["validate", str(sdist)]) == 0
    assert "valid, 7 external dependencies" in capsys.readouterr().out


def test_sdist_errors_name_the_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sdist = _sdist_tar(
        tmp_path / "bad-1.0.tar.gz", "[external]\ndependencies = [1]\n", top="bad-1.0"
    )
    assert main(["validate", str(sdist)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"{sdist}!/bad-1.0/pyproject.toml: external.dependencies[0]: expected a string"
    )


def test_sdist_without_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sdist = tmp_path / "x-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tf:
        info = tarfile.TarInfo("x-1.0/setup.py")
        tf.addfile(info, io.BytesIO(b""))
    assert main(["show", str(sdist)]) == 2
    assert (
        capsys.readouterr().err == f"error: {sdist}: no pyproject.toml at the top of this sdist\n"
    )


def test_usage_error_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    assert "error: argument COMMAND: invalid choice" in capsys.readouterr().err


def test_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "extdeps", "validate", str(REPO / "examples" / "zlib-ext")],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


@pytest.mark.parametrize(
    "example", sorted(p.name for p in (REPO / "examples").iterdir() if p.is_dir())
)
def test_examples_are_valid(example: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(REPO / "examples" / example)]) == 0


_MARKED = """\
[project]
name = "marked"
version = "1.0"

[external]
build-requires = ["dep:virtual/compiler/c; sys_platform != 'win32'"]
host-requires = ["dep:generic/zlib@>=1.2; platform_system == 'Linux' and python_version >= '3.8'"]

[external.optional-dependencies]
extra = ["dep:generic/libyaml; os_name == 'posix'"]
"""

_PROBE = """\
import sys
from extdeps.cli.main import main
code = main(sys.argv[1:])
print("MARKERS", "packaging.markers" in sys.modules, code)
"""


def test_cached_project_reads_the_same_and_parses_markers_only_when_needed(
    tmp_path: Path,
) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pyproject.toml").write_text(_MARKED)
    env = {"EXTDEPS_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}

    def run(*words: str, cache: bool = True) -> tuple[str, bool]:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, *words],
            capture_output=True,
            text=True,
            check=False,
            env={
                **env,
                "PYTHONPATH": str(REPO),
                **({} if cache else {"EXTDEPS_CACHE_DIR": "none"}),
            },
        )
        out, _, last = done.stdout.rpartition("MARKERS ")
        return out, last.split()[0] == "True"

    cold_show, cold_markers = run("show", "--json", str(project))
    warm_show, warm_markers = run("show", "--json", str(project))
    assert cold_show == warm_show
    assert '"dep:generic/zlib@>=1.2; platform_system == \\"Linux\\"' in warm_show
    assert cold_markers  # parsing the TOML validates every marker
    assert not warm_markers  # the cached table was valid: nothing to parse
    assert run("validate", str(project))[0] == run("validate", str(project))[0]
    warm_json, warm_markers = run("validate", "--json", str(project))
    assert not warm_markers
    assert (
        warm_json == run("validate", "--json", str(project), cache=False)[0]
    )  # the same document, keys in the same order
    assert json.loads(warm_json)["count"] == 3
    # evaluating them (map) parses them once; their outcomes are remembered for
    # this interpreter and machine, and are the same cold or warm
    mapped, markers = run("map", "--ecosystem", "debian+12", str(project))
    assert markers
    again, markers = run("map", "--ecosystem", "debian+12", str(project))
    assert not markers
    assert again == mapped
    # another target environment is another key: evaluated, not taken from the cache
    windows, markers = run(
        "map", "--ecosystem", "debian+12", "--marker-env", "platform_system=Windows", str(project)
    )
    assert markers
    assert "zlib1g-dev" not in windows
    assert mapped == run("map", "--ecosystem", "debian+12", str(project), cache=False)[0]
    assert "zlib1g-dev" in mapped


def test_public_api_loads_on_first_use() -> None:
    probe = (
        "import sys, extdeps\n"
        "assert [m for m in sys.modules if m.startswith('extdeps.')] == [], sys.modules\n"
        "from extdeps import *\n"
        "missing = [n for n in extdeps.__all__ if getattr(extdeps, n, None) is None]\n"
        "assert not missing, missing\n"
        "assert extdeps.DepURL.parse('dep:generic/zlib@>=1.2').version == '>=1.2'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
