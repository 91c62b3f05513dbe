"""The PEP 517 wrappers: settings, the check before building, the hooks, real builds.

The unit tests use a fake backend and a fake conda environment; the system tests
build examples/zlib-ext (meson-python) and examples/setuptools-ext (setuptools)
through ``extdeps.backends.*`` with pip, install and import the result.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import types
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from extdeps.build.wrapper import (
    Wrapper,
    build_check,
    check_enabled,
    split_settings,
)
from extdeps.model.errors import ExtdepsError
from extdeps.sources import load_project
from extdeps.system.machine import System
from tests.conftest import MINIDATA, REPO, need

pytestmark = pytest.mark.usefixtures("minidata")

SKIP_HINT = (
    "hint: to build anyway: -Cextdeps-check=false, EXTDEPS_BUILD_CHECK=0 "
    "or build-check = false in [tool.extdeps]"
)


# -- settings --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("settings", "environ", "tool", "enabled"),
    [
        pytest.param({}, {}, {}, True, id="default"),
        pytest.param({"extdeps-check": "false"}, {}, {}, False, id="setting"),
        pytest.param({"extdeps-check": ["true", "OFF"]}, {}, {}, False, id="repeated-setting"),
        pytest.param({}, {"EXTDEPS_BUILD_CHECK": "0"}, {}, False, id="variable"),
        pytest.param(
            {}, {"EXTDEPS_BUILD_CHECK": ""}, {"build-check": False}, False, id="empty-var"
        ),
        pytest.param({}, {}, {"build-check": False}, False, id="pyproject"),
        pytest.param(
            {"extdeps-check": "1"}, {"EXTDEPS_BUILD_CHECK": "0"}, {}, True, id="setting-wins"
        ),
        pytest.param(
            {}, {"EXTDEPS_BUILD_CHECK": "yes"}, {"build-check": False}, True, id="var-wins"
        ),
    ],
)
def test_check_enabled(
    settings: dict[str, Any], environ: dict[str, str], tool: dict[str, Any], enabled: bool
) -> None:
    assert check_enabled(settings, environ, tool) is enabled


@pytest.mark.parametrize(
    ("settings", "environ", "message"),
    [
        pytest.param(
            {"extdeps-check": "maybe"},
            {},
            "config setting 'extdeps-check': expected true or false, got 'maybe'",
            id="setting",
        ),
        pytest.param(
            {},
            {"EXTDEPS_BUILD_CHECK": "2"},
            "environment variable EXTDEPS_BUILD_CHECK: expected true or false, got '2'",
            id="variable",
        ),
    ],
)
def test_check_enabled_errors(
    settings: dict[str, Any], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ExtdepsError) as info:
        check_enabled(settings, environ, {})
    assert str(info.value) == message


def test_split_settings() -> None:
    assert split_settings(None) == ({}, None)
    ours, theirs = split_settings(
        {"extdeps-check": "false", "extdeps-metadata": "0", "setup-args": ["-Dx=1"]}
    )
    assert ours == {"extdeps-check": "false", "extdeps-metadata": "0"}
    assert theirs == {"setup-args": ["-Dx=1"]}


# -- the check, on a fake conda environment -------------------------------------------------
PROJECT = """\
[project]
name = "demo"
version = "1.0"

[external]
build-requires = ["dep:generic/notpackaged"]
host-requires = [{host}]
dependencies = ["dep:generic/zlib@>=1.2.11"]
optional-dependencies = {{ gpu = ["dep:virtual/driver/cuda"] }}
{tool}"""


@pytest.fixture
def conda_env(tmp_path: Path) -> dict[str, str]:
    """A conda environment holding zlib 1.3.1, and no pkg-config on PATH."""
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "conda-meta" / "zlib-1.3.1-h0.json").write_text(
        json.dumps({"name": "zlib", "version": "1.3.1"})
    )
    return {"CONDA_PREFIX": str(prefix), "PATH": str(tmp_path / "bin")}


def _project(tmp_path: Path, host: str, tool: str = "") -> Path:
    directory = tmp_path / "project"
    directory.mkdir(exist_ok=True)
    (directory / "pyproject.toml").write_text(PROJECT.format(host=host, tool=tool))
    return directory


def _check(
    tmp_path: Path, env: dict[str, str], host: str, tool: str = "", **kwargs: Any
) -> tuple[str | None, list[str]]:
    warnings: list[str] = []
    message = build_check(
        load_project(_project(tmp_path, host, tool)),
        environ=env,
        system=System(environ=env, cache_dir=None),
        warn=warnings.append,
        **kwargs,
    )
    return message, warnings


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        pytest.param(
            '"dep:generic/zlib@>=1.3", "dep:generic/libffi"',
            [
                "extdeps: error: 1 external build dependency of demo is not met on conda-forge",
                "  external.host-requires[1]: dep:generic/libffi: missing (not installed (conda): libffi; no header ffi.h)",
                "hint: install it with: conda install --yes libffi",
                SKIP_HINT,
            ],
            id="missing",
        ),
        pytest.param(
            '"dep:generic/zlib@>=2", "dep:generic/libffi@>=3"',
            [
                "extdeps: error: 2 external build dependencies of demo are not met on conda-forge",
                "  external.host-requires[0]: dep:generic/zlib@>=2: found 1.3.1, wanted >=2",
                "  external.host-requires[1]: dep:generic/libffi@>=3: missing (not installed (conda): libffi; no header ffi.h)",
                "hint: install them with: conda install --yes 'zlib>=2' 'libffi>=3'",
                SKIP_HINT,
            ],
            id="wrong-version-and-missing",
        ),
    ],
)
def test_build_check_fails(
    tmp_path: Path, conda_env: dict[str, str], host: str, expected: list[str]
) -> None:
    message, warnings = _check(tmp_path, conda_env, host)
    assert message is not None
    assert message.splitlines() == expected
    assert warnings == []


@pytest.mark.parametrize(
    ("host", "tool", "options"),
    [
        pytest.param('"dep:generic/zlib@>=1.3"', "", {}, id="satisfied"),
        pytest.param("", "", {}, id="unknown-does-not-fail"),
        pytest.param('"dep:generic/libffi"', "", {"extdeps-check": "false"}, id="setting"),
        pytest.param('"dep:generic/libffi"', "", {"EXTDEPS_BUILD_CHECK": "0"}, id="variable"),
        pytest.param(
            '"dep:generic/libffi"', "[tool.extdeps]\nbuild-check = false\n", {}, id="pyproject"
        ),
    ],
)
def test_build_check_passes(
    tmp_path: Path, conda_env: dict[str, str], host: str, tool: str, options: dict[str, str]
) -> None:
    """``options``: config settings (lower case) and environment variables (upper case)."""
    settings = {k: v for k, v in options.items() if k.islower()}
    env = {**conda_env, **{k: v for k, v in options.items() if k.isupper()}}
    # dep:generic/notpackaged (build-requires) is "unknown" here: no pkg-config, no package
    assert _check(tmp_path, env, host, tool, settings=settings) == (None, [])


def test_build_check_unknown_ecosystem_warns(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    env = {"EXTDEPS_ROOT": str(root), "PATH": str(tmp_path)}
    message, warnings = _check(tmp_path, env, '"dep:generic/libffi"')
    assert message is None
    assert warnings == [
        f"not checking the external build dependencies: cannot tell the ecosystem: no os-release under {str(root)!r} and no conda or Nix environment\n"
        "hint: set EXTDEPS_ECOSYSTEM to check against a known ecosystem's mapping",
    ]


def test_build_check_invalid_tool_table(tmp_path: Path, conda_env: dict[str, str]) -> None:
    with pytest.raises(ExtdepsError, match=r"tool\.extdeps\.build-check: expected true or false"):
        _check(tmp_path, conda_env, "", '[tool.extdeps]\nbuild-check = "no"\n')


# -- the wrapper, around a fake backend ---------------------------------------------------------
def _hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def _make_wheel(path: Path, metadata: str) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("demo-1.0.dist-info/METADATA", metadata)
        zf.writestr(
            "demo-1.0.dist-info/RECORD",
            "demo-1.0.dist-info/METADATA,,\ndemo-1.0.dist-info/RECORD,,\n",
        )


def _make_sdist(path: Path, metadata: str) -> None:
    with tarfile.open(path, "w:gz") as tf:
        data = metadata.encode()
        info = tarfile.TarInfo("demo-1.0/PKG-INFO")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))


def _fake_backend(calls: list[tuple[str, Any]], *, editable: bool) -> types.ModuleType:
    module = types.ModuleType("fake_backend")
    metadata = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\nThe description.\n"

    def build_wheel(
        wheel_directory: str, config_settings: Any = None, metadata_directory: Any = None
    ) -> str:
        calls.append(("build_wheel", config_settings))
        _make_wheel(Path(wheel_directory) / "demo-1.0-py3-none-any.whl", metadata)
        return "demo-1.0-py3-none-any.whl"

    def build_sdist(sdist_directory: str, config_settings: Any = None) -> str:
        calls.append(("build_sdist", config_settings))
        _make_sdist(Path(sdist_directory) / "demo-1.0.tar.gz", metadata)
        return "demo-1.0.tar.gz"

    def prepare_metadata_for_build_wheel(
        metadata_directory: str, config_settings: Any = None
    ) -> str:
        calls.append(("prepare_metadata_for_build_wheel", config_settings))
        (Path(metadata_directory) / "demo-1.0.dist-info").mkdir()
        (Path(metadata_directory) / "demo-1.0.dist-info" / "METADATA").write_text(metadata)
        return "demo-1.0.dist-info"

    def get_requires_for_build_wheel(config_settings: Any = None) -> list[str]:
        calls.append(("get_requires_for_build_wheel", config_settings))
        return ["ninja"]

    module.build_wheel = build_wheel  # type: ignore[attr-defined]
    module.build_sdist = build_sdist  # type: ignore[attr-defined]
    module.prepare_metadata_for_build_wheel = prepare_metadata_for_build_wheel  # type: ignore[attr-defined]
    module.get_requires_for_build_wheel = get_requires_for_build_wheel  # type: ignore[attr-defined]
    if editable:
        module.build_editable = build_wheel  # type: ignore[attr-defined]
    return module


@pytest.fixture
def fake(
    tmp_path: Path, conda_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> tuple[Wrapper, list[tuple[str, Any]], Path]:
    calls: list[tuple[str, Any]] = []
    monkeypatch.setitem(sys.modules, "fake_backend", _fake_backend(calls, editable=True))
    for key, value in conda_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("EXTDEPS_BUILD_CHECK", raising=False)
    monkeypatch.chdir(_project(tmp_path, '"dep:generic/zlib@>=1.3"'))
    out = tmp_path / "out"
    out.mkdir()
    return Wrapper("fake_backend", requirement="fake>=1", extra="fake"), calls, out


def test_wrapper_writes_an_external_file_by_default(
    fake: tuple[Wrapper, list[tuple[str, Any]], Path],
) -> None:
    wrapper, calls, out = fake
    expected = (
        "Provides-External-Extra: gpu\n"
        "Requires-External-Dep: dep:generic/zlib@>=1.2.11\n"
        "Requires-External-Dep: dep:virtual/driver/cuda; extra == 'gpu'\n"
    )
    original = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\nThe description.\n"

    name = wrapper.prepare_metadata_for_build_wheel(str(out), {"extdeps-check": "0", "x": "1"})
    assert (out / name / "METADATA").read_text() == original
    assert (out / name / "EXTERNAL").read_text() == expected

    for hook in (wrapper.build_wheel, wrapper.build_editable):
        wheel = out / hook(str(out), {"x": "1"})
        with zipfile.ZipFile(wheel) as zf:
            assert zf.read("demo-1.0.dist-info/METADATA").decode() == original
            external = zf.read("demo-1.0.dist-info/EXTERNAL")
            assert external.decode() == expected
            record = zf.read("demo-1.0.dist-info/RECORD").decode().splitlines()
            names = zf.namelist()
        assert f"demo-1.0.dist-info/EXTERNAL,{_hash(external)},{len(external)}" in record
        assert names.index("demo-1.0.dist-info/EXTERNAL") < names.index("demo-1.0.dist-info/RECORD")
        wheel.unlink()

    # the sdist carries pyproject.toml's [external]: PKG-INFO is left alone
    sdist = out / wrapper.build_sdist(str(out), None)
    with tarfile.open(sdist) as tf:
        handle = tf.extractfile("demo-1.0/PKG-INFO")
        assert handle is not None
        assert handle.read().decode() == original

    assert wrapper.get_requires_for_build_wheel({"extdeps-metadata": "false"}) == ["ninja"]
    assert wrapper.get_requires_for_build_sdist() == []  # the backend has no such hook
    # our settings never reach the wrapped backend
    assert calls == [
        ("prepare_metadata_for_build_wheel", {"x": "1"}),
        ("build_wheel", {"x": "1"}),
        ("build_wheel", {"x": "1"}),
        ("build_sdist", None),
        ("get_requires_for_build_wheel", {}),
    ]


def test_wrapper_core_metadata_on_request(
    fake: tuple[Wrapper, list[tuple[str, Any]], Path],
) -> None:
    wrapper, _, out = fake
    expected = [
        "Provides-External-Extra: gpu",
        "Requires-External-Dep: dep:generic/zlib@>=1.2.11",
        "Requires-External-Dep: dep:virtual/driver/cuda; extra == 'gpu'",
    ]
    core = {"extdeps-check": "0", "extdeps-metadata": "core"}
    name = wrapper.prepare_metadata_for_build_wheel(str(out), core)
    prepared = (out / name / "METADATA").read_text()
    assert prepared.splitlines()[3:6] == expected
    assert prepared.endswith("\nThe description.\n")
    wheel = out / wrapper.build_wheel(str(out), core)
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("demo-1.0.dist-info/METADATA").decode() == prepared
        assert "demo-1.0.dist-info/EXTERNAL" not in zf.namelist()
    sdist = out / wrapper.build_sdist(str(out), core)
    with tarfile.open(sdist) as tf:
        handle = tf.extractfile("demo-1.0/PKG-INFO")
        assert handle is not None
        assert handle.read().decode() == prepared


def test_wrapper_metadata_opt_out(fake: tuple[Wrapper, list[tuple[str, Any]], Path]) -> None:
    wrapper, _, out = fake
    wheel = out / wrapper.build_wheel(str(out), {"extdeps-metadata": "false"})
    with zipfile.ZipFile(wheel) as zf:
        assert "External" not in zf.read("demo-1.0.dist-info/METADATA").decode()
        assert "demo-1.0.dist-info/EXTERNAL" not in zf.namelist()


def test_wrapper_check_fails_before_building(
    fake: tuple[Wrapper, list[tuple[str, Any]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrapper, calls, out = fake
    _project(out.parent, '"dep:generic/libffi"')
    for hook in (wrapper.build_wheel, wrapper.build_editable):
        with pytest.raises(SystemExit) as info:
            hook(str(out))
        assert str(info.value.code).splitlines()[1] == (
            "  external.host-requires[0]: dep:generic/libffi: missing (not installed (conda): libffi; no header ffi.h)"
        )
    assert calls == []
    assert wrapper.build_sdist(str(out)) == "demo-1.0.tar.gz"  # sdists are not checked
    assert wrapper.build_wheel(str(out), {"extdeps-check": "false"}).endswith(".whl")
    monkeypatch.setenv("EXTDEPS_BUILD_CHECK", "0")
    assert wrapper.build_editable(str(out)).endswith(".whl")


@pytest.mark.parametrize(
    ("pyproject", "settings", "first_line"),
    [
        pytest.param(
            '[external]\nhost-requires = ["zlib"]\n',
            {},
            "extdeps: error: pyproject.toml: external.host-requires[0]: ",
            id="invalid-external",
        ),
        pytest.param(
            "[external]\n",
            {"extdeps-metadata": "perhaps"},
            "extdeps: error: config setting 'extdeps-metadata': expected file, core or false, got 'perhaps'",
            id="invalid-setting",
        ),
    ],
)
def test_wrapper_user_errors_are_one_clean_message(
    fake: tuple[Wrapper, list[tuple[str, Any]], Path],
    pyproject: str,
    settings: dict[str, str],
    first_line: str,
) -> None:
    wrapper, calls, out = fake
    Path("pyproject.toml").write_text(pyproject)
    calls_to_make: list[Callable[[], str]] = [
        lambda: wrapper.build_wheel(str(out), settings),
        lambda: wrapper.build_sdist(str(out), settings),
        lambda: wrapper.prepare_metadata_for_build_wheel(str(out), settings),
    ]
    for call in calls_to_make:
        with pytest.raises(SystemExit) as info:
            call()
        assert isinstance(info.value.code, str)
        assert info.value.code.startswith(first_line)
    assert calls == []


def test_wrapper_modules_expose_only_the_hooks_the_backend_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "fake_backend", _fake_backend([], editable=False))
    wrapper = Wrapper("fake_backend", requirement="fake>=1", extra="fake")
    assert wrapper.provides("build_wheel")
    assert wrapper.provides("prepare_metadata_for_build_wheel")
    assert not wrapper.provides("build_editable")
    assert not wrapper.provides("prepare_metadata_for_build_editable")


def test_wrapper_names_the_missing_backend() -> None:
    with pytest.raises(ModuleNotFoundError) as info:
        Wrapper("no_such_backend_module", requirement="meson-python>=0.15", extra="meson")
    assert str(info.value) == (
        "extdeps' no_such_backend_module wrapper needs meson-python>=0.15: "
        'list "extdeps[meson]" in [build-system] requires'
    )


# -- real builds ------------------------------------------------------------------------------------
CRC32_ABC = 891568578  # zlib.crc32(b"abc")


def _have_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _need_c_toolchain() -> None:
    need(
        shutil.which("cc") is not None or shutil.which("gcc") is not None,
        "needs a C compiler (apt-get install gcc)",
    )
    need(os.path.exists("/usr/include/zlib.h"), "needs zlib headers (apt-get install zlib1g-dev)")
    need(
        os.path.exists("/var/lib/dpkg/status"),
        "needs a Debian system (the check uses the debian+12 fixture mapping)",
    )


def _need_meson() -> None:
    _need_c_toolchain()
    need(
        _have_module("mesonpy"),
        "needs meson-python in this environment (pip install 'meson-python>=0.15')",
    )
    need(
        shutil.which("ninja", path=_path()) is not None,
        "needs ninja (apt-get install ninja-build)",
    )
    need(shutil.which("pkg-config") is not None, "needs pkg-config (apt-get install pkgconf)")


def _need_setuptools() -> None:
    _need_c_toolchain()
    import importlib.metadata

    from packaging.version import Version

    need(
        Version(importlib.metadata.version("setuptools")) >= Version("77"),
        "needs setuptools>=77 in this environment (ext-modules in pyproject.toml, license expressions)",
    )


def _path() -> str:
    """This interpreter's scripts first (meson from the meson-python install), as in a venv."""
    return os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])


@pytest.fixture(scope="module")
def installed_layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """extdeps as its wheel installs it: backends/ under the package, as extdeps/backends."""
    site = tmp_path_factory.mktemp("site")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "extdeps", site / "extdeps", ignore=ignore)
    shutil.copytree(REPO / "backends", site / "extdeps" / "backends", ignore=ignore)
    return site


@pytest.fixture
def build_env(installed_layout: Path, tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("EXTDEPS_") and k not in ("CONDA_PREFIX", "PIP_CONFIG_FILE")
    }
    env.update(
        PYTHONPATH=str(installed_layout),
        PATH=_path(),
        EXTDEPS_DATA_DIR=str(MINIDATA),
        EXTDEPS_CACHE_DIR=str(tmp_path / "cache"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
    )
    return env


def _copy_example(name: str, tmp_path: Path, *, add_host: str | None = None) -> Path:
    project = tmp_path / name
    shutil.copytree(
        REPO / "examples" / name,
        project,
        ignore=shutil.ignore_patterns("build", "*.egg-info", ".mesonpy-*"),
    )
    if add_host is not None:
        pyproject = project / "pyproject.toml"
        text = pyproject.read_text()
        assert "host-requires = [\n" in text
        pyproject.write_text(
            text.replace("host-requires = [\n", f'host-requires = [\n  "{add_host}",\n', 1)
        )
    return project


def _pip_wheel(
    project: Path, out: Path, env: dict[str, str], *options: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-build-isolation",
            "--no-deps",
            "--no-index",
            "-w",
            str(out),
            *options,
            str(project),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def _call_hook(
    project: Path,
    out: Path,
    env: dict[str, str],
    backend: str,
    hook: str,
    *,
    settings: dict[str, str] | None = None,
) -> Path:
    """Call a hook the way a frontend does: in a subprocess, in the project directory."""
    code = (
        "import importlib, json, sys; backend = importlib.import_module(sys.argv[1]); "
        "print(getattr(backend, sys.argv[2])(sys.argv[3], json.loads(sys.argv[4])))"
    )
    out.mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", code, backend, hook, str(out), json.dumps(settings)],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out / result.stdout.strip().splitlines()[-1]


def _assert_sdist(project: Path, tmp_path: Path, env: dict[str, str], backend: str) -> None:
    """By default the sdist passes twine check and still declares its [external]
    (in pyproject.toml); with -Cextdeps-metadata=core PKG-INFO gets the fields."""
    sdist = _call_hook(project, tmp_path, env, backend, "build_sdist")
    assert "External" not in _pkg_info(sdist)
    _twine_check(sdist, env)
    checked = subprocess.run(
        [sys.executable, "-m", "extdeps", "show", str(sdist), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["external"]["dependencies"]
    sdist.unlink()
    core = _call_hook(
        project, tmp_path, env, backend, "build_sdist", settings={"extdeps-metadata": "core"}
    )
    lines = _pkg_info(core).splitlines()
    for line in _expected_lines(project):
        assert line in lines


def _twine_check(distribution: Path, env: dict[str, str]) -> None:
    """What PyPI would say of the file: twine validates with packaging.metadata."""
    need(importlib.util.find_spec("twine") is not None, "needs twine (pip install twine)")
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(distribution)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _pkg_info(sdist: Path) -> str:
    with tarfile.open(sdist) as tf:
        [member] = [m for m in tf if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")]
        handle = tf.extractfile(member)
        assert handle is not None
        return handle.read().decode()


def _expected_lines(project: Path) -> list[str]:
    from extdeps.model.metadata import metadata_fields

    lines = [f"{n}: {v}" for n, v in metadata_fields(load_project(project).external)]
    assert lines  # the example has runtime dependencies
    return lines


def _assert_wheel(
    out: Path, project: Path, env: dict[str, str], tmp_path: Path, module: str
) -> None:
    [wheel] = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        [metadata] = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        external = metadata.replace("METADATA", "EXTERNAL")
        data = zf.read(external)
        record = zf.read(metadata.replace("METADATA", "RECORD")).decode()
        assert "External" not in zf.read(metadata).decode()
    assert data.decode().splitlines() == _expected_lines(project)
    assert f"{external},{_hash(data)},{len(data)}" in record.splitlines()
    _twine_check(wheel, env)

    target = tmp_path / "target"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    imported = subprocess.run(
        [sys.executable, "-c", f"import {module}; print({module}.crc32(b'abc'))"],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(target)},
        timeout=60,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == str(CRC32_ABC)

    checked = subprocess.run(
        [sys.executable, "-m", "extdeps", "check", str(wheel), "--ecosystem", "debian+12"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "run   dep:generic/zlib@>=1.2.11  found" in checked.stdout


def _assert_fails_cleanly(result: subprocess.CompletedProcess[str], seconds: float) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert seconds < 30, f"the check took {seconds:.1f}s"
    assert "1 external build dependency of" in output
    assert "external.host-requires[0]: dep:generic/libsodium: missing" in output
    assert "hint: install it with: " in output
    assert "apt-get install --yes --no-install-recommends libsodium-dev" in output
    assert "Traceback" not in output
    for building in ("The Meson build system", "running build_ext"):  # stopped before building
        assert building not in output


def _need_libsodium_absent() -> None:
    need(
        not os.path.exists("/usr/include/sodium.h"),
        "libsodium-dev must be absent for this test",
    )


@pytest.mark.system
def test_mesonpy_wheel_installs_imports_and_checks(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    _need_meson()
    project = _copy_example("zlib-ext", tmp_path)
    out = tmp_path / "out"
    result = _pip_wheel(project, out, build_env)
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_wheel(out, project, build_env, tmp_path, "_zlib_ext")


@pytest.mark.system
def test_mesonpy_sdist(tmp_path: Path, build_env: dict[str, str]) -> None:
    _need_meson()
    need(shutil.which("git") is not None, "needs git (meson dist works on a git repository)")
    project = _copy_example("zlib-ext", tmp_path)
    git = [
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "-c",
        "init.defaultBranch=main",
    ]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "example"]):
        subprocess.run([*git, *args], cwd=project, check=True, capture_output=True, timeout=60)
    _assert_sdist(project, tmp_path, build_env, "extdeps.backends.mesonpy")


@pytest.mark.system
def test_mesonpy_missing_host_dependency_fails_fast(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    _need_meson()
    _need_libsodium_absent()
    project = _copy_example("zlib-ext", tmp_path, add_host="dep:generic/libsodium")
    start = time.monotonic()
    result = _pip_wheel(project, tmp_path / "out", build_env)
    _assert_fails_cleanly(result, time.monotonic() - start)

    # the check can be turned off; meson.build does not use libsodium, so the build succeeds
    wheel = _call_hook(
        project,
        tmp_path / "out",
        build_env,
        "extdeps.backends.mesonpy",
        "build_wheel",
        settings={"extdeps-check": "false"},
    )
    assert wheel.name.startswith("zlib_ext-1.0.0-")


@pytest.mark.system
def test_setuptools_wheel_installs_imports_and_checks(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    _need_setuptools()
    project = _copy_example("setuptools-ext", tmp_path)
    out = tmp_path / "out"
    result = _pip_wheel(project, out, build_env)
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_wheel(out, project, build_env, tmp_path, "_setuptools_zlib")


@pytest.mark.system
def test_setuptools_sdist(tmp_path: Path, build_env: dict[str, str]) -> None:
    _need_setuptools()
    project = _copy_example("setuptools-ext", tmp_path)
    _assert_sdist(project, tmp_path, build_env, "extdeps.backends.setuptools")


@pytest.mark.system
def test_setuptools_missing_host_dependency_fails_fast(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    _need_setuptools()
    _need_libsodium_absent()
    project = _copy_example("setuptools-ext", tmp_path, add_host="dep:generic/libsodium")
    start = time.monotonic()
    result = _pip_wheel(project, tmp_path / "out", {**build_env, "EXTDEPS_BUILD_CHECK": "1"})
    _assert_fails_cleanly(result, time.monotonic() - start)
    result = _pip_wheel(project, tmp_path / "out", {**build_env, "EXTDEPS_BUILD_CHECK": "0"})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.system
def test_wrappers_import_from_the_source_checkout() -> None:
    need(_have_module("mesonpy"), "needs meson-python in this environment")
    init = (REPO / "extdeps" / "__init__.py").read_text()
    if "backends" not in init:
        pytest.skip("extdeps/__init__.py does not map the checkout's backends/ yet")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import extdeps.backends.mesonpy as m, extdeps.backends.setuptools as s; "
            "print(m.__file__); print(s.__file__)",
        ],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        str(REPO / "backends" / "mesonpy.py"),
        str(REPO / "backends" / "setuptools.py"),
    ]
