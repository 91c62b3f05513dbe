"""``extdeps preflight``: a whole pip install, planned by pip, checked at once.

The system test serves a local package directory (``--no-index --find-links``)
built here: a wheel whose metadata has ``Requires-External-Dep``, an sdist with
an ``[external]`` table, and an sdist without one that a project table covers.
The sdists build with a tiny in-tree backend, so nothing comes from the network.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from extdeps.model.external import External
from extdeps.preflight import Found, combine
from extdeps.system.installers import index_options, parse_pip_report
from tests.conftest import REPO, need

# -- pieces -------------------------------------------------------------------------

REPORT = {
    "version": "1",
    "pip_version": "24.0",
    "install": [
        {
            "download_info": {
                "url": "https://files.example/demo-1.0-py3-none-any.whl",
                "archive_info": {"hashes": {"sha256": "ab" * 32}},
            },
            "is_direct": False,
            "requested": True,
            "requested_extras": ["gui"],
            "metadata": {
                "name": "demo",
                "version": "1.0",
                "requires_external_dep": [
                    "dep:generic/zlib",
                    'dep:generic/libpng; extra == "gui"',
                ],
                "provides_external_extra": ["gui"],
            },
        },
        {
            "download_info": {
                "url": "https://files.example/lib-2.0.tar.gz",
                "archive_info": {"hash": "sha256=" + "cd" * 32},
            },
            "is_direct": False,
            "requested": False,
            "metadata": {"name": "lib", "version": "2.0"},
        },
        {
            "download_info": {"url": "file:///src/project", "dir_info": {}},
            "is_direct": True,
            "requested": True,
            "metadata": {"name": "project", "version": "0.1"},
        },
    ],
    "environment": {},
}


def test_pip_report_parsed() -> None:
    wheel, sdist, directory = parse_pip_report(REPORT)
    assert (wheel.kind, wheel.name, wheel.version, wheel.extras) == (
        "wheel",
        "demo",
        "1.0",
        ("gui",),
    )
    assert wheel.sha256 == "ab" * 32
    assert (sdist.kind, sdist.sha256) == ("sdist", "cd" * 32)
    assert (directory.kind, directory.local_path) == ("directory", "/src/project")


@pytest.mark.parametrize(
    "document",
    [None, {"version": "2"}, {"version": "1"}, {"version": "1", "install": [{"metadata": {}}]}],
)
def test_pip_report_of_another_shape(document: object) -> None:
    from extdeps.model.errors import ExtdepsError

    with pytest.raises(ExtdepsError):
        parse_pip_report(document)


def test_index_options() -> None:
    args = ["-r", "req.txt", "-i", "https://x/simple", "--extra-index-url=https://y", "--no-index"]
    args += ["--find-links", "/w", "-f", "/v", "--trusted-host", "x", "numpy"]
    assert index_options(args) == [
        "--index-url=https://x/simple",
        "--extra-index-url=https://y",
        "--no-index",
        "--find-links=/w",
        "--find-links=/v",
        "--trusted-host=x",
    ]


def test_combine_merges_and_names_who_wants_what() -> None:
    wheel, sdist, _ = parse_pip_report(REPORT)
    from extdeps.model.metadata import external_from_metadata

    wheel_external = external_from_metadata(
        wheel.metadata["requires_external_dep"], ["gui"], source="wheel"
    )
    sdist_external = External.from_table(
        {
            "build-requires": ["dep:virtual/compiler/c"],
            "host-requires": ["dep:generic/zlib"],
            "dependencies": ["dep:generic/zlib"],
            "optional-dependencies": {"extra": ["dep:generic/libtiff"]},
        }
    )
    external, origins = combine(
        [
            Found(planned=wheel, external=wheel_external, how="", declared=True),
            Found(planned=sdist, external=sdist_external, how="", declared=True),
        ]
    )
    assert external.to_dict() == {
        "build-requires": ["dep:virtual/compiler/c"],
        "host-requires": ["dep:generic/zlib"],
        "dependencies": ["dep:generic/zlib", "dep:generic/libpng"],  # the wheel's extra is on
    }
    assert origins["external.dependencies[0]"] == ("demo 1.0", "lib 2.0")
    assert origins["external.dependencies[1]"] == ("demo 1.0",)
    assert origins["external.build-requires[0]"] == ("lib 2.0",)


# -- a local package directory -------------------------------------------------------

BACKEND = '''
"""A build backend of a few lines: the wheel holds one module."""
import base64, hashlib, os, zipfile

NAME, VERSION = open("NAME").read().split()

def _metadata():
    return "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (NAME, VERSION)

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    tag = "%s-%s" % (NAME, VERSION)
    files = {
        "%s.py" % NAME: b"x = 1\\n",
        "%s.dist-info/METADATA" % tag: _metadata().encode(),
        "%s.dist-info/WHEEL" % tag: b"Wheel-Version: 1.0\\nGenerator: demo\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    record.append("%s.dist-info/RECORD,," % tag)
    files["%s.dist-info/RECORD" % tag] = ("\\n".join(record) + "\\n").encode()
    filename = "%s-py3-none-any.whl" % tag
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return filename

def build_sdist(sdist_directory, config_settings=None):
    raise NotImplementedError
'''


def _sdist(directory: Path, name: str, external: str) -> None:
    top = f"{name}-1.0"
    pyproject = (
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n\n'
        f'[project]\nname = "{name}"\nversion = "1.0"\n\n{external}'
    )
    members = {
        f"{top}/pyproject.toml": pyproject.encode(),
        f"{top}/backend.py": BACKEND.encode(),
        f"{top}/NAME": f"{name} 1.0\n".encode(),
        f"{top}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode(),
    }
    with tarfile.open(directory / f"{name}-1.0.tar.gz", "w:gz") as tf:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


def _wheel(directory: Path, name: str, requires: list[str]) -> None:
    tag = f"{name}-1.0"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
    metadata += "".join(f"Requires-External-Dep: {r}\n" for r in requires)
    files = {
        f"{name}.py": b"x = 1\n",
        f"{tag}.dist-info/METADATA": metadata.encode(),
        f"{tag}.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for member, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{member},sha256={digest},{len(data)}")
    record.append(f"{tag}.dist-info/RECORD,,")
    files[f"{tag}.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(directory / f"{tag}-py3-none-any.whl", "w") as zf:
        for member, data in files.items():
            zf.writestr(member, data)


DEMOS = ("wheeldemo", "sdistdemo", "tabledemo")


@pytest.fixture
def index(tmp_path: Path) -> Path:
    directory = tmp_path / "index"
    directory.mkdir()
    _wheel(directory, "wheeldemo", ["dep:generic/zlib"])
    _sdist(
        directory,
        "sdistdemo",
        '[external]\nbuild-requires = ["dep:virtual/compiler/c"]\n'
        'host-requires = ["dep:generic/zlib"]\ndependencies = ["dep:generic/zlib"]\n',
    )
    _sdist(directory, "tabledemo", "")
    return directory


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    directory = tmp_path / "tables"
    directory.mkdir()
    (directory / "tabledemo.toml").write_text(
        '[external]\nhost-requires = ["dep:generic/zlib"]\n', encoding="utf-8"
    )
    return directory


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A fresh virtual environment to plan (and install) for."""
    venv = tmp_path / "target"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    return venv / "bin" / "python"


def _debian_with_zlib() -> None:
    need(os.path.exists("/var/lib/dpkg/status"), "needs a Debian system")
    need(shutil.which("cc") is not None, "needs a C compiler (apt-get install gcc)")
    need(os.path.exists("/usr/include/zlib.h"), "needs zlib1g-dev")


def _preflight(
    target: Path, index: Path, *more: str, requirements: tuple[str, ...] = DEMOS
) -> subprocess.CompletedProcess[str]:
    """``extdeps preflight --python TARGET MORE... REQUIREMENTS -- --no-index
    --find-links INDEX``, with this machine's pip settings kept out of it."""
    env = {**os.environ, "EXTDEPS_ECOSYSTEM": "debian+12", "PIP_CONFIG_FILE": os.devnull}
    env.pop("PIP_FIND_LINKS", None)
    argv = [sys.executable, "-m", "extdeps", "preflight", "--python", str(target), *more]
    argv += [*requirements, "--", "--no-index", "--find-links", str(index)]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600, check=False)


@pytest.mark.system
def test_preflight_with_pip(index: Path, tables: Path, target: Path) -> None:
    _debian_with_zlib()
    done = _preflight(target, index, "--project-tables", str(tables), "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    distributions = {d["name"]: d for d in document["distributions"]}
    assert distributions["wheeldemo"]["kind"] == "wheel"
    assert distributions["wheeldemo"]["external"] == {"dependencies": ["dep:generic/zlib"]}
    assert distributions["sdistdemo"]["kind"] == "sdist"
    assert distributions["sdistdemo"]["declared"] is True
    assert distributions["tabledemo"]["declared"] is False
    assert distributions["tabledemo"]["table"] == f"{tables / 'tabledemo.toml'} for tabledemo"
    assert "the project declares none" in distributions["tabledemo"]["how"]
    wanted = {(r["category"], r["requirement"]): r["wanted_by"] for r in document["results"]}
    assert wanted[("run", "dep:generic/zlib")] == ["wheeldemo 1.0", "sdistdemo 1.0"]
    assert wanted[("host", "dep:generic/zlib")] == ["sdistdemo 1.0", "tabledemo 1.0"]
    assert wanted[("build", "dep:virtual/compiler/c")] == ["sdistdemo 1.0"]
    assert all(r["status"] == "satisfied" for r in document["results"])
    assert document["install"] is None

    # in text, each line says who wants it; without the table, tabledemo is not covered
    done = _preflight(target, index, "--no-project-tables", "--strict")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "[wanted by wheeldemo 1.0, sdistdemo 1.0]" in done.stdout
    assert "tabledemo 1.0 is built from source, but nothing says what it needs" in done.stdout

    # --execute: nothing is missing, so pip installs the three into the target
    done = _preflight(target, index, "--project-tables", str(tables), "--execute", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    listed = subprocess.run(
        [str(target), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    names = {p["name"] for p in json.loads(listed.stdout)}
    assert {"wheeldemo", "sdistdemo", "tabledemo"} <= names


@pytest.mark.system
def test_preflight_names_the_missing_and_one_install_command(
    index: Path, tmp_path: Path, target: Path
) -> None:
    _debian_with_zlib()
    need(not os.path.exists("/usr/include/sodium.h"), "libsodium-dev must be absent")
    tables = tmp_path / "more-tables"
    tables.mkdir()
    (tables / "tabledemo.toml").write_text(
        '[external]\nhost-requires = ["dep:generic/libsodium"]\n', encoding="utf-8"
    )
    done = _preflight(target, index, "--project-tables", str(tables))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "MISSING  host  dep:generic/libsodium" in done.stdout
    assert "[wanted by tabledemo 1.0]" in done.stdout
    assert "apt-get install" in done.stdout
    assert "libsodium-dev" in done.stdout


def test_preflight_without_requirements(capsys: pytest.CaptureFixture[str]) -> None:
    from extdeps.cli.main import main

    assert main(["preflight"]) == 2
    assert "nothing to plan" in capsys.readouterr().err


def test_readme_hooks_name_real_options() -> None:
    """The README's recipes for pip, uv, pixi/conda and CI use options that exist."""
    from extdeps.cli.main import build_parser

    parser = build_parser("preflight").subcommand("preflight")
    assert parser is not None
    options = set(parser.option_strings())
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Before a pip install", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]  # the copy-paste recipes
    commands = [ln for b in blocks for ln in b.splitlines() if "extdeps preflight" in ln]
    assert len(commands) >= 5
    for line in commands:
        ours = line.split("extdeps preflight", 1)[1].split(" -- ", 1)[0].split("#", 1)[0]
        for word in ours.split():
            if word.startswith("-"):
                assert word.split("=")[0] in options, (word, line)


PYLOCK = """
lock-version = "1.0"
created-by = "test"

[[packages]]
name = "wheeldemo"
version = "1.0"

[[packages]]
name = "sdistdemo"
version = "1.0"
marker = "python_version >= '3'"

[[packages]]
name = "local"
directory = { path = "src/local" }
"""


def test_lock_requirements(tmp_path: Path) -> None:
    from extdeps.preflight import lock_requirements

    lock = tmp_path / "pylock.toml"
    lock.write_text(PYLOCK, encoding="utf-8")
    assert lock_requirements(str(lock)) == [
        "wheeldemo==1.0",
        "sdistdemo==1.0 ; python_version >= '3'",
        str(tmp_path / "src" / "local"),
        "--no-deps",
    ]
    lock.write_text('lock-version = "2.0"\n', encoding="utf-8")
    from extdeps.model.errors import ExtdepsError

    with pytest.raises(ExtdepsError, match=r"lock-version 1\.x"):
        lock_requirements(str(lock))


# the shape `uv export --format pylock.toml` writes (uv 0.13), trimmed
UV_PYLOCK = """
# This file was autogenerated by uv via the following command:
#    uv export --format pylock.toml -o pylock.toml
lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.11"

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "sys_platform == 'win32'"
index = "https://pypi.org/simple"
sdist = { url = "https://files.example/colorama-0.4.6.tar.gz", upload-time = 2022-10-25T02:36:22Z, size = 27697, hashes = { sha256 = "08695f5cb7ed6e0531a20572697297273c47b8cae5a63ffc6d6ed5c201be6e44" } }
wheels = [{ url = "https://files.example/colorama-0.4.6-py2.py3-none-any.whl", upload-time = 2022-10-25T02:36:20Z, size = 25335, hashes = { sha256 = "4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6" } }]

[[packages]]
name = "pyyaml"
version = "6.0.2"
index = "https://pypi.org/simple"
sdist = { url = "https://files.example/pyyaml-6.0.2.tar.gz", upload-time = 2024-08-06T20:33:50Z, size = 130631, hashes = { sha256 = "d584d9ec91ad65861cc08d42e834324ef890a082e591037abe114850ff7bbc3e" } }
wheels = [
    { name = "pyyaml-6.0.2-cp311-cp311-win32.whl", url = "https://files.example/PyYAML-6.0.2-cp311-cp311-win32.whl", upload-time = 2024-08-06T20:32:19Z, size = 143850, hashes = { sha256 = "11d8f3dd2b9c1207dcaf2ee0bbbfd5991f571186ec9cc78427ba5bd32afae4b5" } },
]
"""


def test_lock_requirements_of_a_uv_export(tmp_path: Path) -> None:
    """The README's recipe for a uv.lock project: uv's PEP 751 export is read as
    its pinned set, each package with its marker."""
    from extdeps.preflight import lock_requirements

    lock = tmp_path / "pylock.toml"
    lock.write_text(UV_PYLOCK, encoding="utf-8")
    assert lock_requirements(str(lock)) == [
        "colorama==0.4.6 ; sys_platform == 'win32'",
        "pyyaml==6.0.2",
        "--no-deps",
    ]


@pytest.mark.system
def test_preflight_of_a_lock_file(index: Path, tables: Path, target: Path, tmp_path: Path) -> None:
    _debian_with_zlib()
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        PYLOCK.split('[[packages]]\nname = "local"', maxsplit=1)[0]
        + '[[packages]]\nname = "tabledemo"\nversion = "1.0"\n',
        encoding="utf-8",
    )
    more = ("--lock", str(lock), "--project-tables", str(tables), "--json")
    done = _preflight(target, index, *more, requirements=())
    assert done.returncode == 0, done.stderr
    kinds = {d["name"]: d["kind"] for d in json.loads(done.stdout)["distributions"]}
    assert kinds == {"wheeldemo": "wheel", "sdistdemo": "sdist", "tabledemo": "sdist"}


@pytest.fixture
def served(index: Path) -> Iterator[str]:
    """The package directory over HTTP, as a remote index would serve it."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(index))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.system
def test_remote_sdist_fetched_through_pip_and_cached_by_its_hash(
    index: Path, served: str, tables: Path, target: Path, tmp_path: Path
) -> None:
    """An sdist on a remote index is fetched with pip download (never by extdeps),
    and its table is cached under the sdist's sha256."""
    _debian_with_zlib()
    from extdeps.data.cache import read_cache_file

    cache = tmp_path / "cache"
    env = {
        **os.environ,
        "EXTDEPS_ECOSYSTEM": "debian+12",
        "PIP_CONFIG_FILE": os.devnull,
        "EXTDEPS_CACHE_DIR": str(cache),
    }
    env.pop("PIP_FIND_LINKS", None)
    argv = [sys.executable, "-m", "extdeps", "preflight", "--python", str(target), "--json"]
    argv += ["--project-tables", str(tables), *DEMOS, "--", "--no-index", "--find-links", served]
    for _ in range(2):  # fetched, then from the cache
        done = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=600, check=False
        )
        assert done.returncode == 0, done.stderr
        document = json.loads(done.stdout)
        sdist = next(d for d in document["distributions"] if d["name"] == "sdistdemo")
        assert sdist["url"].startswith(served)
        assert sdist["declared"] is True
        assert sdist["external"]["host-requires"] == ["dep:generic/zlib"]
    stored = read_cache_file(str(cache / "system.marshal"))["sdist-tables"]
    assert isinstance(stored, dict)
    digest = hashlib.sha256((index / "sdistdemo-1.0.tar.gz").read_bytes()).hexdigest()
    assert stored[digest] == {
        "build-requires": ["dep:virtual/compiler/c"],
        "host-requires": ["dep:generic/zlib"],
        "dependencies": ["dep:generic/zlib"],
    }


@pytest.mark.system
def test_preflight_uses_a_shipped_project_table(index: Path, target: Path) -> None:
    """An sdist that declares nothing, of a project extdeps ships a table for, is
    checked with that table, and said so."""
    _debian_with_zlib()
    from extdeps.data.project_tables import load_project_tables

    shipped = load_project_tables()
    assert len(shipped), "extdeps ships project tables"
    record = json.loads(
        (REPO / "mappings" / "verification" / "project-tables.json").read_text(encoding="utf-8")
    )
    built = {r["project"]: r["version"] for r in record["results"] if r["result"] == "built"}
    name = sorted(set(shipped.tables) & set(built))[0]
    version = built[name]
    table = shipped.lookup(name, version)
    assert table is not None
    # the project's name and version, but an sdist of our own that declares nothing
    _sdist(index, name, "")
    sdist = index / f"{name}-1.0.tar.gz"
    renamed = index / f"{name}-{version}.tar.gz"
    with tarfile.open(sdist) as source, tarfile.open(renamed, "w:gz") as target_tar:
        for member in source.getmembers():
            data = source.extractfile(member)
            assert data is not None
            body = data.read().replace(b"1.0", version.encode())
            member.name = member.name.replace(f"{name}-1.0", f"{name}-{version}")
            member.size = len(body)
            target_tar.addfile(member, io.BytesIO(body))
    sdist.unlink()
    done = _preflight(target, index, "--json", requirements=(f"{name}=={version}",))
    assert done.returncode in (0, 1), done.stderr
    document = json.loads(done.stdout)
    [found] = [d for d in document["distributions"] if d["name"] == name]
    assert found["declared"] is False
    assert found["table"] == table.describe()
    assert found["how"] == f"{table.describe()}; the project declares none"
    wanted = {
        r["requirement"] for r in document["results"] if f"{name} {version}" in r["wanted_by"]
    }
    assert wanted == {str(req) for _, req in table.external.iter_requirements()}
