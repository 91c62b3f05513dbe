"""Core metadata (PEP 725): ``extdeps metadata``, writing the fields into archives, and
the round trip through a wheel, an sdist and an installed distribution."""

from __future__ import annotations

import base64
import csv
import email.parser
import gzip
import hashlib
import io
import itertools
import json
import struct
import tarfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from extdeps.build.wrapper import _without_zip64, add_fields, rewrite_sdist, rewrite_wheel
from extdeps.cli.main import main
from extdeps.model.errors import ExtdepsError
from extdeps.model.external import External
from extdeps.model.metadata import (
    PROVIDES_FIELD,
    REQUIRES_FIELD,
    external_from_metadata,
    metadata_fields,
)
from extdeps.resolution import select
from extdeps.sources import parse_pyproject, project_from_installed, project_from_wheel

pytestmark = pytest.mark.usefixtures("minidata")

PROJECT = """\
[project]
name = "demo"
version = "1.0"

[external]
build-requires = ["dep:virtual/compiler/c", "dep:generic/ninja"]
host-requires = ["dep:generic/zlib@>=1.2.11", "dep:generic/libffi"]
dependencies = [
  "dep:generic/zlib@>=1.2.11",
  "dep:github/AbiWord/enchant; platform_system != 'Windows'",
]
optional-build-requires = { docs = ["dep:generic/doxygen"] }
optional-host-requires = { fast = ["dep:generic/openblas"] }

[external.optional-dependencies]
Fast_BLAS = ["dep:generic/openblas", "dep:virtual/interface/blas; os_name == 'posix'"]
gpu = ["dep:virtual/driver/cuda@>=12.4"]

[external.dependency-groups]
test = ["dep:generic/valgrind"]
"""

FIELDS = """\
Provides-External-Extra: fast-blas
Provides-External-Extra: gpu
Requires-External-Dep: dep:generic/zlib@>=1.2.11
Requires-External-Dep: dep:github/abiword/enchant; platform_system != "Windows"
Requires-External-Dep: dep:generic/openblas; extra == 'fast-blas'
Requires-External-Dep: dep:virtual/interface/blas; (os_name == "posix") and extra == 'fast-blas'
Requires-External-Dep: dep:virtual/driver/cuda@>=12.4; extra == 'gpu'
"""

HEADER = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nRequires-Dist: packaging\n"
BODY = "\nA description: with a colon.\n\nRequires-External-Dep: dep:generic/in-the-body\n"


# -- extdeps metadata ------------------------------------------------------------
def test_metadata_command(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["metadata", str(write_project(PROJECT))]) == 0
    assert capsys.readouterr().out == FIELDS


def test_metadata_command_json(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_project(PROJECT)
    assert main(["metadata", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["command"] == "metadata"
    assert doc["schema_version"] == 1
    assert doc["project"] == {"name": "demo", "version": "1.0"}
    assert [f"{f['name']}: {f['value']}\n" for f in doc["fields"]] == FIELDS.splitlines(True)


def test_metadata_command_reads_an_sdist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sdist = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tf:
        data = PROJECT.encode()
        info = tarfile.TarInfo("demo-1.0/pyproject.toml")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    assert main(["metadata", str(sdist)]) == 0
    assert capsys.readouterr().out == FIELDS


@pytest.mark.parametrize(
    ("table", "err"),
    [
        pytest.param('[external]\nbuild-requires = ["dep:generic/ninja"]\n', "# ", id="build-only"),
        pytest.param('[project]\nname = "x"\n', "# ", id="no-external"),
    ],
)
def test_metadata_command_without_runtime_dependencies(
    write_project: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
    table: str,
    err: str,
) -> None:
    path = write_project(table)
    assert main(["metadata", str(path)]) == 0
    out, stderr = capsys.readouterr()
    assert out == ""
    assert stderr == f"# {path / 'pyproject.toml'}: no runtime external dependencies\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["x.whl"],
            "error: x.whl: expected a project directory, pyproject.toml or sdist, got a wheel\n"
            "hint: a wheel's METADATA holds them already; `extdeps check WHEEL` reads them\n",
            id="wheel",
        ),
        pytest.param(
            ["nowhere"],
            "error: nowhere: file not found (expected a directory, pyproject.toml or sdist)\n",
            id="missing",
        ),
    ],
)
def test_metadata_command_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["metadata", *args]) == 2
    assert capsys.readouterr().err == message


def test_metadata_command_invalid_external(
    write_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_project('[external]\ndependencies = ["zlib"]\n')
    assert main(["metadata", str(path)]) == 2
    assert "external.dependencies[0]" in capsys.readouterr().err


# -- which tables go into metadata -------------------------------------------------
def test_only_runtime_tables_become_fields() -> None:
    external = External.from_pyproject(parse_pyproject(PROJECT.encode(), "pyproject.toml"))
    values = " ".join(value for _, value in metadata_fields(external))
    for never in ("ninja", "compiler", "libffi", "doxygen", "valgrind", "extra == 'fast'"):
        assert never not in values
    assert "dep:generic/zlib" in values


# -- writing the fields into METADATA, wheels and sdists (extdeps.build.wrapper) ---------
PAIRS = [
    ("Provides-External-Extra", "gpu"),
    ("Requires-External-Dep", "dep:generic/zlib@>=1.2.11"),
    ("Requires-External-Dep", "dep:virtual/driver/cuda; extra == 'gpu'"),
]


# METADATA text --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "Metadata-Version: 2.4\nName: a\nVersion: 1\n\nBody: text\n",
            "Metadata-Version: 2.4\nName: a\nVersion: 1\n{fields}\nBody: text\n",
            id="before-the-body",
        ),
        pytest.param(
            "Metadata-Version: 2.1\nName: a\nVersion: 1\n",
            "Metadata-Version: 2.1\nName: a\nVersion: 1\n{fields}",
            id="no-body",
        ),
        pytest.param(
            "Metadata-Version: 2.1\nName: a\nVersion: 1",
            "Metadata-Version: 2.1\nName: a\nVersion: 1\n{fields}",
            id="no-final-newline",
        ),
        pytest.param(
            "Metadata-Version: 2.1\nrequires-external-dep: dep:generic/old\nName: a\n"
            "Requires-External-Dep: dep:generic/folded;\n extra == 'x'\n"
            "Provides-External-Extra: x\nVersion: 1\n\nbody\n",
            "Metadata-Version: 2.1\nName: a\nVersion: 1\n{fields}\nbody\n",
            id="replaces-existing-fields-and-their-continuation-lines",
        ),
        pytest.param(
            "Metadata-Version: 2.1\r\nName: a\r\n\r\nbody\r\n",
            "Metadata-Version: 2.1\r\nName: a\r\n{crlf_fields}\r\nbody\r\n",
            id="crlf",
        ),
        pytest.param(
            "Metadata-Version: 2.1\nDescription: folded\n  continued\n\nbody\n",
            "Metadata-Version: 2.1\nDescription: folded\n  continued\n{fields}\nbody\n",
            id="other-continuation-lines-kept",
        ),
    ],
)
def test_add_fields(before: str, after: str) -> None:
    lines = "".join(f"{n}: {v}\n" for n, v in PAIRS)
    expected = after.format(fields=lines, crlf_fields=lines.replace("\n", "\r\n"))
    assert add_fields(before, PAIRS) == expected
    assert add_fields(expected, PAIRS) == expected  # idempotent


def test_add_no_fields_removes_stale_ones() -> None:
    text = "Name: a\nRequires-External-Dep: dep:generic/zlib\n\nbody\n"
    assert add_fields(text, []) == "Name: a\n\nbody\n"


# -- wheels -----------------------------------------------------------------------------
def _hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _make_wheel(
    path: Path, metadata: str = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"
) -> Path:
    """A wheel as a backend writes it: several compressions, modes and timestamps."""
    entries: list[tuple[str, bytes, int, int]] = [
        ("demo/__init__.py", b"x = 1\n", zipfile.ZIP_DEFLATED, 0o644),
        ("demo/_ext.so", bytes(range(256)) * 4, zipfile.ZIP_STORED, 0o755),
        ("demo-1.0.data/scripts/tool", b"#!python\n", zipfile.ZIP_DEFLATED, 0o755),
        ("demo-1.0.dist-info/METADATA", metadata.encode(), zipfile.ZIP_DEFLATED, 0o644),
        ("demo-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\n", zipfile.ZIP_DEFLATED, 0o644),
    ]
    record = "".join(f"{n},{_hash(d)},{len(d)}\n" for n, d, _, _ in entries)
    record += '"demo/odd,name.txt",sha256=abc,3\ndemo-1.0.dist-info/RECORD,,\n'
    entries.append(("demo-1.0.dist-info/RECORD", record.encode(), zipfile.ZIP_DEFLATED, 0o644))
    with zipfile.ZipFile(path, "w") as zf:
        zf.comment = b"built for a test"
        for i, (name, data, compression, mode) in enumerate(entries):
            info = zipfile.ZipInfo(name, (2020, 1, 2, 3, 4, 6 + 2 * i))
            info.compress_type = compression
            info.external_attr = (0o100000 | mode) << 16
            if name.endswith(".so"):  # an extended-timestamp extra field, as Info-ZIP writes
                info.extra = struct.pack("<HHBI", 0x5455, 5, 1, 1_600_000_000)
            zf.writestr(info, data)
    path.chmod(0o644)
    return path


def _entries(path: Path) -> dict[str, tuple[Any, ...]]:
    with zipfile.ZipFile(path) as zf:
        return {
            i.filename: (zf.read(i), i.date_time, i.compress_type, i.external_attr, i.extra)
            for i in zf.infolist()
        }


def test_rewrite_wheel_changes_only_metadata_and_record(tmp_path: Path) -> None:
    path = _make_wheel(tmp_path / "demo-1.0-py3-none-any.whl")
    before = _entries(path)
    assert rewrite_wheel(path, PAIRS) is True
    after = _entries(path)
    assert list(after) == list(before)  # same entries, same order
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD"}
    for name in changed:  # timestamp, compression and mode kept
        assert after[name][1:] == before[name][1:]

    metadata = after["demo-1.0.dist-info/METADATA"][0]
    assert metadata.decode().endswith(
        "Requires-External-Dep: dep:virtual/driver/cuda; extra == 'gpu'\n"
    )
    rows = list(csv.reader(io.StringIO(after["demo-1.0.dist-info/RECORD"][0].decode())))
    assert ["demo-1.0.dist-info/METADATA", _hash(metadata), str(len(metadata))] in rows
    old_rows = list(csv.reader(io.StringIO(before["demo-1.0.dist-info/RECORD"][0].decode())))
    assert [r for r in rows if "METADATA" not in r[0]] == [
        r for r in old_rows if "METADATA" not in r[0]
    ]
    with zipfile.ZipFile(path) as zf:
        assert zf.comment == b"built for a test"
        assert zf.testzip() is None

    assert rewrite_wheel(path, PAIRS) is False  # already there: the file is left alone
    assert _entries(path) == after
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_zip64_records_are_left_to_the_writer() -> None:
    zip64 = struct.pack("<HHQ", 0x0001, 8, 5_000_000_000)
    timestamp = struct.pack("<HHBI", 0x5455, 5, 1, 1_600_000_000)
    assert _without_zip64(zip64 + timestamp) == timestamp
    assert _without_zip64(timestamp + zip64) == timestamp
    assert _without_zip64(b"") == b""


def test_rewrite_wheel_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("bad/__init__.py", "")
    with pytest.raises(ExtdepsError, match=r"expected exactly one \*\.dist-info/METADATA"):
        rewrite_wheel(path, PAIRS)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("bad-1.0.dist-info/METADATA", "Name: bad\n")
        zf.writestr("bad-1.0.dist-info/RECORD", "bad-1.0.dist-info/RECORD,,\n")
    with pytest.raises(ExtdepsError, match=r"bad-1\.0\.dist-info/METADATA is not listed"):
        rewrite_wheel(path, PAIRS)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


# -- sdists -------------------------------------------------------------------------------
def _make_sdist(
    path: Path, pkg_info: str = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"
) -> Path:
    members: list[tuple[tarfile.TarInfo, bytes | None]] = []

    def add(name: str, kind: bytes, data: bytes | None = None, mode: int = 0o644) -> None:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.mode = mode
        info.mtime = 1_600_000_000 + len(members)
        info.uid, info.gid, info.uname, info.gname = 1000, 100, "dev", "users"
        if data is not None:
            info.size = len(data)
        members.append((info, data))

    add("demo-1.0", tarfile.DIRTYPE, mode=0o755)
    add("demo-1.0/pyproject.toml", tarfile.REGTYPE, b"[project]\nname = 'demo'\n")
    add("demo-1.0/PKG-INFO", tarfile.REGTYPE, pkg_info.encode())
    add("demo-1.0/demo.egg-info/PKG-INFO", tarfile.REGTYPE, pkg_info.encode())
    add("demo-1.0/run.sh", tarfile.REGTYPE, b"#!/bin/sh\n", mode=0o755)
    add(f"demo-1.0/{'long' * 40}.txt", tarfile.REGTYPE, b"a long name\n")
    link = tarfile.TarInfo("demo-1.0/link")
    link.type, link.linkname = tarfile.SYMTYPE, "run.sh"
    members.append((link, None))
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="demo-1.0.tar", mode="wb", fileobj=raw, mtime=1_234_567) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf,
    ):
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _members(path: Path) -> dict[str, tuple[Any, ...]]:
    out = {}
    with tarfile.open(path) as tf:
        for m in tf:
            handle = tf.extractfile(m) if m.isfile() else None
            data = handle.read() if handle is not None else None
            out[m.name] = (
                data,
                m.type,
                m.mode,
                m.mtime,
                m.uid,
                m.gid,
                m.uname,
                m.gname,
                m.linkname,
            )
    return out


def test_rewrite_sdist_changes_only_pkg_info(tmp_path: Path) -> None:
    path = _make_sdist(tmp_path / "demo-1.0.tar.gz")
    before = _members(path)
    assert rewrite_sdist(path, PAIRS) is True
    after = _members(path)
    assert list(after) == list(before)
    assert {n for n in before if before[n] != after[n]} == {"demo-1.0/PKG-INFO"}
    assert after["demo-1.0/PKG-INFO"][1:] == before["demo-1.0/PKG-INFO"][1:]
    assert (
        after["demo-1.0/PKG-INFO"][0]
        == add_fields(before["demo-1.0/PKG-INFO"][0].decode(), PAIRS).encode()
    )
    with open(path, "rb") as handle:
        header = handle.read(10)
    assert int.from_bytes(header[4:8], "little") == 1_234_567  # the gzip timestamp is kept
    assert rewrite_sdist(path, PAIRS) is False


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("demo-1.0.zip", "expected a .tar.gz sdist", id="zip"),
        pytest.param("demo-1.0.tar.gz", "no PKG-INFO at the top of this sdist", id="no-pkg-info"),
    ],
)
def test_rewrite_sdist_errors(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    with tarfile.open(path, "w:gz") as tf:
        info = tarfile.TarInfo("demo-1.0/sub/PKG-INFO")
        tf.addfile(info, io.BytesIO(b""))
    with pytest.raises(ExtdepsError, match=message):
        rewrite_sdist(path, PAIRS)


# -- the round trip -------------------------------------------------------------------
TABLES: dict[str, dict[str, Any]] = {
    "plain": {"dependencies": ["dep:generic/zlib@>=1.2.11"]},
    "markers": {
        "dependencies": [
            "dep:generic/libffi; sys_platform == 'linux'",
            "dep:github/AbiWord/enchant; platform_system != 'Windows'",
        ]
    },
    "extras": {
        "dependencies": ["dep:generic/zlib"],
        "optional-dependencies": {
            "Fast_BLAS": ["dep:generic/openblas", "dep:generic/lapack; os_name == 'posix'"],
            "gpu": ["dep:virtual/driver/cuda@>=12.4; sys_platform == 'linux' or os_name == 'nt'"],
        },
    },
    "empty-extra": {"optional-dependencies": {"nothing": []}},
    "build-host-groups-only": {
        "build-requires": ["dep:virtual/compiler/c"],
        "host-requires": ["dep:generic/zlib"],
        "dependency-groups": {"test": ["dep:generic/valgrind"]},
    },
}

ENVIRONMENTS = [
    {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"},
    {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"},
    {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"},
]


def _active(external: External, environment: Mapping[str, str]) -> set[tuple[str, str]]:
    """(extra, DepURL) of every runtime requirement that applies, for each extra."""
    extras = sorted(external.optional_dependencies)
    out: set[tuple[str, str]] = set()
    for n in range(len(extras) + 1):
        for chosen in itertools.combinations(extras, n):
            for item in select(
                external,
                categories=("run",),
                extras=chosen,
                environment={**_base_environment(), **environment},
                imply_python=False,
            ):
                if item.active:
                    out.add((",".join(chosen), str(item.requirement.url)))
    return out


def _base_environment() -> dict[str, str]:
    from packaging.markers import default_environment

    return {k: str(v) for k, v in default_environment().items()}


def _metadata_text(fields: list[tuple[str, str]]) -> str:
    return add_fields(HEADER + BODY, fields)


def _from_text(text: str, source: str) -> External:
    message = email.parser.HeaderParser().parsestr(text)
    return external_from_metadata(
        message.get_all(REQUIRES_FIELD) or [], message.get_all(PROVIDES_FIELD) or [], source=source
    )


def _wheel(tmp_path: Path, fields: list[tuple[str, str]]) -> Path:
    """A wheel built by a backend that knows nothing of PEP 725, then given the fields."""
    path = _make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", HEADER + BODY)
    rewrite_wheel(path, fields)
    return path


def _sdist_pkg_info(tmp_path: Path, fields: list[tuple[str, str]]) -> str:
    path = _make_sdist(tmp_path / "demo-1.0.tar.gz", HEADER + BODY)
    rewrite_sdist(path, fields)
    with tarfile.open(path) as tf:
        handle = tf.extractfile("demo-1.0/PKG-INFO")
        assert handle is not None
        return handle.read().decode()


def _installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, name: str) -> External:
    site = tmp_path / "site"
    dist_info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(text.replace("Name: demo", f"Name: {name}"))
    monkeypatch.syspath_prepend(str(site))
    return project_from_installed(name).external


@pytest.mark.parametrize("table", list(TABLES.values()), ids=list(TABLES))
def test_round_trip(table: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = External.from_table(table)
    fields = metadata_fields(source)
    wheel = project_from_wheel(_wheel(tmp_path, fields)).external
    sdist = _from_text(_sdist_pkg_info(tmp_path, fields), "PKG-INFO")
    name = f"extdeps-round-trip-{tmp_path.name}".lower()
    installed = _installed(tmp_path, monkeypatch, _metadata_text(fields), name)

    # the three readers agree exactly ...
    assert wheel.to_dict() == sdist.to_dict() == installed.to_dict()
    # ... only runtime tables come back ...
    assert set(wheel.to_dict()) <= {"dependencies", "optional-dependencies"}
    assert wheel.build_requires == wheel.host_requires == ()
    assert wheel.dependency_groups == {}
    # ... and the same requirements apply, for every target and every choice of extras
    assert set(wheel.optional_dependencies) == set(source.optional_dependencies)
    for environment in ENVIRONMENTS:
        assert _active(wheel, environment) == _active(source, environment)


def test_round_trip_keeps_the_body(tmp_path: Path) -> None:
    fields = metadata_fields(External.from_table(TABLES["extras"]))
    wheel = _wheel(tmp_path, fields)
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read("demo-1.0.dist-info/METADATA").decode()
    assert text.startswith(HEADER)
    assert text.endswith(BODY)
    # a field-like line in the body is description text, not a requirement
    assert "in-the-body" not in str(project_from_wheel(wheel).external.to_dict())
