"""Hostile input, by class: bounded, clean, never trusted blindly.

Each class of attack gets generated cases, and the contract is the same for all:
an exit code in {0, 1, 2, 3}, never a traceback, one line naming the problem,
no hang, bounded memory, and no file changed (except by ``migrate --write``).
The bombs run in a child process under resource limits and must stay under
100 MB of resident memory and 2 seconds.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import resource
import struct
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extdeps.cli.main import main
from tests.conftest import REPO

MIB = 1 << 20
EXITS = {0, 1, 2, 3}
VALID = """\
[project]
name = "hostile"
version = "1.0"

[external]
build-requires = ["dep:virtual/compiler/c"]
host-requires = ["dep:generic/zlib@>=1.2.11"]
dependencies = ["dep:generic/zlib; sys_platform == 'linux'"]

[external.optional-dependencies]
gpu = ["dep:virtual/driver/cuda@>=12.4"]

[external.dependency-groups]
dev = ["dep:generic/pkg-config", {include-group = "docs"}]
docs = ["dep:generic/doxygen"]
"""


# -- running the real CLI --------------------------------------------------------------


def _limits() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (20, 20))


class Outcome:
    def __init__(self, code: int, out: str, err: str, seconds: float, rss_mib: float) -> None:
        self.code, self.out, self.err, self.seconds, self.rss_mib = code, out, err, seconds, rss_mib

    def __repr__(self) -> str:
        return f"Outcome(code={self.code}, {self.seconds:.2f}s, {self.rss_mib:.0f} MiB, err={self.err[-300:]!r})"


# The child reports its own peak memory, VmHWM of its address space: the
# rusage maxrss of a child would also count the forked test process before exec.
_CHILD = """\
import os, sys
from extdeps.cli.main import main
try:
    code = main(sys.argv[1:])
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["EXTDEPS_TEST_RSS"], "w") as handle:
        handle.write(peak)
sys.exit(code)
"""


def _child(argv: list[str], tmp_path: Path, env: dict[str, str] | None = None) -> Outcome:
    """``extdeps ARGV`` in a child under a 1 GiB address-space limit."""
    rss_file = tmp_path / "child-rss"
    environ = {
        **os.environ,
        "EXTDEPS_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(REPO),
        "EXTDEPS_TEST_RSS": str(rss_file),
        **(env or {}),
    }
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", _CHILD, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=environ,
        preexec_fn=_limits,  # noqa: PLW1509 - only resource limits, no threads here
    )
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"extdeps {' '.join(argv)} hung (killed after 30 s)")
    seconds = time.perf_counter() - start
    rss_kib = int(rss_file.read_text()) if rss_file.exists() else 0
    return Outcome(
        process.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        seconds,
        rss_kib / 1024,
    )


def _clean(result: Outcome, *, code: int = 2, bomb: bool = False) -> None:
    assert result.code == code, result
    assert "Traceback" not in result.err, result
    assert result.err.count("error: ") <= 1 or code != 2, result
    if bomb:
        assert result.seconds < 2.0, result
        assert result.rss_mib < 100, result


@pytest.fixture
def in_process(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _tree(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "cache" not in path.parts:
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# -- unbounded reads ----------------------------------------------------------------------


def _zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _zip_bomb(path: Path, member: str, size: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(member, "w") as out:
        chunk = b"A" * MIB
        for _ in range(size // MIB):
            out.write(chunk)


def test_wheel_metadata_bomb(tmp_path: Path) -> None:
    wheel = tmp_path / "bomb-1.0-py3-none-any.whl"
    _zip_bomb(wheel, "bomb-1.0.dist-info/METADATA", 256 * MIB)
    assert wheel.stat().st_size < 2 * MIB
    for command in ("map", "check"):
        result = _child([command, str(wheel), "--ecosystem", "debian+12"], tmp_path)
        _clean(result, bomb=True)
        assert "larger than the 4 MiB limit for METADATA" in result.err


def test_zip_sdist_whose_header_understates_the_size(tmp_path: Path) -> None:
    sdist = tmp_path / "liar-1.0.zip"
    big = VALID.encode() + b"#" * (8 * MIB)
    data = bytearray(_zip_bytes({"liar-1.0/pyproject.toml": big}))
    # the central directory's uncompressed size (offset 24 in its entry) says 100 bytes
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 100)
    sdist.write_bytes(bytes(data))
    result = _child(["show", str(sdist)], tmp_path)
    _clean(result, bomb=True)
    # zipfile stops at the size the header gives, then the checksum fails
    assert "Bad CRC-32" in result.err or "4 MiB limit" in result.err


def test_tar_sdist_bomb_before_pyproject(tmp_path: Path) -> None:
    sdist = tmp_path / "bomb-1.0.tar.gz"
    with gzip.open(sdist, "wb", compresslevel=9) as raw, tarfile.open(fileobj=raw, mode="w") as tf:
        info = tarfile.TarInfo("bomb-1.0/zeros")
        info.size = 1 << 30
        tf.addfile(info, _Zeros(info.size))
        data = VALID.encode()
        info = tarfile.TarInfo("bomb-1.0/pyproject.toml")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    assert sdist.stat().st_size < 4 * MIB
    result = _child(["validate", str(sdist)], tmp_path)
    _clean(result, bomb=True)
    assert "compression bomb" in result.err


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def test_huge_pyproject_is_not_read_whole(tmp_path: Path) -> None:
    project = tmp_path / "big"
    project.mkdir()
    with open(project / "pyproject.toml", "wb") as handle:
        handle.write(VALID.encode())
        handle.truncate(100 * MIB)  # sparse: 100 MB on the file's own say
    result = _child(["validate", str(project)], tmp_path)
    _clean(result, bomb=True)
    assert "larger than the 4 MiB limit for a pyproject.toml" in result.err


@pytest.mark.parametrize(
    "place",
    ["path", "pyproject", "EXTDEPS_MAPPING", "--extend-mapping", "--mapping", "--marker-env"],
)
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_special_files_are_refused(tmp_path: Path, place: str, kind: str) -> None:
    project = tmp_path / "p"
    project.mkdir()
    if kind == "fifo":
        special = tmp_path / "special"
        os.mkfifo(special)
        target = str(special)
    else:
        target = "/dev/zero"
    if place == "pyproject":
        if kind == "fifo":
            os.mkfifo(project / "pyproject.toml")
        else:
            (project / "pyproject.toml").symlink_to("/dev/zero")
    else:
        (project / "pyproject.toml").write_text(VALID, encoding="utf-8")
    argv = ["map", str(project), "--ecosystem", "debian+12"]
    env: dict[str, str] = {}
    if place == "path":
        argv[1] = target
    elif place == "EXTDEPS_MAPPING":
        env["EXTDEPS_MAPPING"] = target
    elif place in ("--extend-mapping", "--mapping", "--marker-env"):
        argv += [place, target]
    result = _child(argv, tmp_path, env)
    _clean(result, bomb=True)
    assert "reads only regular files" in result.err or "not a regular file" in result.err


# -- tracebacks --------------------------------------------------------------------------


def _project(tmp_path: Path, text: str, name: str = "p") -> Path:
    project = tmp_path / name
    project.mkdir(exist_ok=True)
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    return project


TRACEBACK_CASES = {
    "huge-version": '[external]\nhost-requires = ["dep:generic/zlib@>=' + "9" * 5000 + '"]\n',
    "huge-version-local": '[external]\nhost-requires = ["dep:generic/zlib@==1+'
    + "9" * 5000
    + '"]\n',
    "huge-marker-version": "[external]\nhost-requires = [\"dep:generic/zlib; python_version > '"
    + "9" * 5000
    + "'\"]\n",
    "nested-tool-table": "[tool]\nx = " + "[" * 600 + "]" * 600 + "\n",
    "nested-inline-tables": "[tool]\nx = " + "{a = " * 600 + "1" + "}" * 600 + "\n",
    "include-chain": "[external.dependency-groups]\n"
    + "".join(f'g{i} = [{{include-group = "g{i + 1}"}}]\n' for i in range(3000))
    + 'g3000 = ["dep:generic/zlib"]\n',
    "include-cycle-long": "[external.dependency-groups]\n"
    + "".join(f'g{i} = [{{include-group = "g{(i + 1) % 2000}"}}]\n' for i in range(2000)),
    "huge-json-like-number": "[external]\nhost-requires = [" + "1" * 5000 + "]\n",
}


@pytest.mark.parametrize("case", sorted(TRACEBACK_CASES))
@pytest.mark.parametrize("command", ["validate", "map", "lint", "check"])
def test_no_traceback(
    tmp_path: Path,
    case: str,
    command: str,
    in_process: Callable[..., tuple[int, str, str]],
) -> None:
    project = _project(tmp_path, TRACEBACK_CASES[case])
    argv = [command, str(project)]
    if command in ("map", "check"):
        argv += ["--ecosystem", "debian+12", "--group", "g0"] if "include" in case else []
        argv += [] if "--ecosystem" in argv else ["--ecosystem", "debian+12"]
    code, _, err = in_process(*argv)
    assert code in EXITS
    assert "Traceback" not in err


def test_diamond_include_groups_expand_once(tmp_path: Path) -> None:
    lines = ["[external.dependency-groups]"]
    for i in range(40):  # each level includes the next one twice: 2**40 paths
        lines.append(f'd{i} = [{{include-group = "d{i + 1}"}}, {{include-group = "e{i + 1}"}}]')
        lines.append(f'e{i + 1} = [{{include-group = "d{i + 1}"}}]')
    lines.append('d40 = ["dep:generic/zlib"]')
    project = _project(tmp_path, "\n".join(lines) + "\n")
    for command in ("map", "check"):
        result = _child(
            [command, str(project), "--ecosystem", "debian+12", "--group", "d0", "--json"],
            tmp_path,
        )
        assert result.code in (0, 1), result
        assert result.seconds < 2.0, result


def test_thousands_of_unknown_ids(tmp_path: Path) -> None:
    ids = ", ".join(f'"dep:generic/unknown-thing-{i}"' for i in range(10_000))
    project = _project(tmp_path, f"[external]\nhost-requires = [{ids}]\n")
    for argv in (["map", "--ecosystem", "debian+12"], ["lint"]):
        start = time.perf_counter()
        result = _child([argv[0], str(project), *argv[1:]], tmp_path)
        assert result.code in (1, 3), result
        assert time.perf_counter() - start < 10, result


def _zip_with(compress_type: int, flags: int = 0) -> bytes:
    data = bytearray(_zip_bytes({"x-1.0/pyproject.toml": VALID.encode()}, zipfile.ZIP_STORED))
    local = data.find(b"PK\x03\x04")
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, local + 8, compress_type)
    struct.pack_into("<H", data, central + 10, compress_type)
    if flags:
        struct.pack_into("<H", data, local + 6, flags)
        struct.pack_into("<H", data, central + 8, flags)
    return bytes(data)


def _corrupt_deflate() -> bytes:
    data = bytearray(_zip_bytes({"x-1.0/pyproject.toml": VALID.encode() * 20}))
    start = data.find(b"PK\x03\x04") + 30 + len("x-1.0/pyproject.toml")
    for i in range(start + 5, start + 40):
        data[i] ^= 0x5A
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("unknown-compression", lambda: _zip_with(99)),
        ("encrypted", lambda: _zip_with(0, flags=1)),
        ("corrupt-deflate", _corrupt_deflate),
        ("truncated", lambda: _zip_bytes({"x-1.0/pyproject.toml": VALID.encode()})[:60]),
        (
            "two-pyprojects",
            lambda: _zip_bytes({"x-1.0/pyproject.toml": b"", "y-1.0/pyproject.toml": b""}),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_broken_zip_sdists(
    tmp_path: Path,
    name: str,
    data: Callable[[], bytes],
    in_process: Callable[..., tuple[int, str, str]],
) -> None:
    sdist = tmp_path / f"{name}-1.0.zip"
    sdist.write_bytes(data())
    code, _, err = in_process("show", str(sdist))
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith(f"error: {sdist}: ")


def test_ambiguous_tar_sdist(
    tmp_path: Path, in_process: Callable[..., tuple[int, str, str]]
) -> None:
    sdist = tmp_path / "amb-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tf:
        for text in ('[project]\nname = "first"\n', VALID):
            data = text.encode()
            info = tarfile.TarInfo("amb-1.0/pyproject.toml")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    code, _, err = in_process("validate", str(sdist))
    assert code == 2
    assert "ambiguous sdist: more than one pyproject.toml at its top" in err


def test_recipe_output_pointing_at_a_file(
    tmp_path: Path, in_process: Callable[..., tuple[int, str, str]]
) -> None:
    project = _project(tmp_path, VALID)
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = in_process(
        "recipe", str(project), "--format", "debian", "--output", str(blocker)
    )
    assert code == 2
    assert "Traceback" not in err
    assert blocker.read_text(encoding="utf-8") == "x"


def test_json_to_a_non_utf8_stdout(tmp_path: Path) -> None:
    project = _project(tmp_path, VALID.replace("hostile", "h\u00f6stile"))
    result = _child(
        ["show", str(project), "--json"], tmp_path, {"PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    )
    assert result.code == 0, result
    assert json.loads(result.out)["project"]["name"] == "h\u00f6stile"


# -- terminal and log injection --------------------------------------------------------------

NASTY = ["\x1b]0;owned\x07", "\x1b[2J", "a\nerror: forged", "\u202eevil", "zero\u200bwidth", "\x00"]


@pytest.mark.parametrize("nasty", NASTY, ids=[repr(n) for n in NASTY])
@pytest.mark.parametrize("where", ["key", "extra", "group", "depurl", "marker", "member"])
def test_nothing_untrusted_reaches_the_terminal_raw(
    tmp_path: Path, nasty: str, where: str, in_process: Callable[..., tuple[int, str, str]]
) -> None:
    quoted = json.dumps(nasty)
    texts = {
        "key": f"[external]\n{quoted} = []\n",
        "extra": f"[external.optional-dependencies]\n{quoted} = []\n",
        "group": f"[external.dependency-groups]\n{quoted} = []\n",
        "depurl": f"[external]\nhost-requires = [{json.dumps('dep:generic/z' + nasty)}]\n",
        "marker": f"[external]\nhost-requires = [{json.dumps('dep:generic/z; ' + nasty)}]\n",
        "member": VALID,
    }
    if where == "member":
        sdist = tmp_path / "m-1.0.tar.gz"
        with tarfile.open(sdist, "w:gz") as tf:
            for member in (f"m-1.0/{nasty}/pyproject.toml", f"m-1.0{nasty}/pyproject.toml"):
                data = VALID.encode()
                info = tarfile.TarInfo(member)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
        target = str(sdist)
    else:
        target = str(_project(tmp_path, texts[where]))
    for command in ("validate", "lint", "map", "show"):
        code, out, err = in_process(
            command, target, *(["--ecosystem", "debian+12"] if command == "map" else [])
        )
        assert code in EXITS
        for stream in (out, err):
            for bad in ("\x1b", "\x07", "\x00", "\u202e", "\u200b"):
                assert bad not in stream, (command, stream)
            assert "\nerror: forged" not in stream


@pytest.mark.parametrize("nasty", NASTY, ids=[repr(n) for n in NASTY])
def test_depurl_names_refuse_control_and_invisible(nasty: str) -> None:
    from extdeps import DepURL, InvalidDepURL

    for text in (
        f"dep:generic/z{nasty}z",
        "dep:generic/" + "".join(f"%{b:02X}" for b in nasty.encode()),
    ):
        if nasty == "a\nerror: forged" and "%" not in text:
            continue  # whitespace: refused by the whitespace rule
        with pytest.raises(InvalidDepURL):
            DepURL.parse(text)


# -- the cache ---------------------------------------------------------------------------------


def test_cache_writable_by_others_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "shared-cache"
    cache.mkdir()
    cache.chmod(0o777)
    project = _project(tmp_path, VALID)
    result = _child(["validate", str(project)], tmp_path, {"EXTDEPS_CACHE_DIR": str(cache)})
    assert result.code == 0, result
    assert "not using the cache directory" in result.err
    assert "writable by group or others" in result.err
    assert list(cache.iterdir()) == []  # nothing written there


def test_cache_owned_by_another_user_is_not_used(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a directory away")
    cache = tmp_path / "their-cache"
    cache.mkdir(mode=0o755)
    os.chown(cache, 65534, 65534)
    result = _child(
        ["validate", str(_project(tmp_path, VALID))], tmp_path, {"EXTDEPS_CACHE_DIR": str(cache)}
    )
    assert result.code == 0
    assert "owned by another user" in result.err


def test_poisoned_project_entry_is_not_used(tmp_path: Path) -> None:
    """A cache entry claiming an invalid file is valid: refused by shape, re-validated."""
    from extdeps.data.cache import read_cache_file, write_cache_file

    cache = tmp_path / "cache"
    project = _project(tmp_path, VALID)
    assert _child(["validate", str(project)], tmp_path).code == 0
    store = cache / "projects.marshal"
    entries = read_cache_file(str(store))
    assert entries
    # rewrite the file invalid, keep its stamp out of reach: poison the entry for the new stamp
    (project / "pyproject.toml").write_text(
        '[external]\nhost-requires = ["nope"]\n', encoding="utf-8"
    )
    assert _child(["validate", str(project)], tmp_path).code == 2
    stamp = os.stat(project / "pyproject.toml")
    from extdeps import __version__

    key = [
        __version__,
        [
            str(project / "pyproject.toml"),
            stamp.st_size,
            stamp.st_mtime_ns,
            stamp.st_ctime_ns,
            stamp.st_ino,
        ],
    ]
    poisoned = [
        {
            "key": key,
            "external": {"host-requires": "not a list"},
            "count": 1,
            "name": None,
            "version": None,
            "tool": {},
        },
        {
            "key": key,
            "external": {"host-requires": ["dep:generic/zlib; not a marker ("]},
            "count": 1,
            "name": None,
            "version": None,
            "tool": {},
        },
    ]
    for entry in poisoned:
        write_cache_file(str(store), [entry])
        result = _child(["map", str(project), "--ecosystem", "debian+12"], tmp_path)
        assert result.code == 2, result
        assert "Traceback" not in result.err


def test_cached_mapping_is_checked_again(tmp_path: Path) -> None:
    """A rewritten cached mapping cannot make install run an unsafe command.

    The data is a copy of the shipped data (the package's own files have
    compiled forms and skip the per-user cache; a copy goes through it)."""
    import shutil

    from extdeps.data.cache import read_cache_file, write_cache_file
    from extdeps.data.files import data_dir

    data = tmp_path / "data"
    shutil.copytree(data_dir(), data, ignore=shutil.ignore_patterns("verification", "*.py"))
    env = {"EXTDEPS_DATA_DIR": str(data)}
    project = _project(tmp_path, VALID)
    argv = ["install", str(project), "--ecosystem", "debian+12", "--all"]
    assert _child(argv, tmp_path, env).code == 0
    cached = list((tmp_path / "cache" / "data").iterdir())
    poisoned = 0
    for path in cached:
        stored = read_cache_file(str(path))
        if not (
            isinstance(stored, list)
            and isinstance(stored[1], dict)
            and "package_managers" in stored[1]
        ):
            continue
        document = stored[1]
        document["package_managers"][0]["commands"]["install"]["command"] = ["sh", "-c", "{}"]
        for entry in document["mappings"]:
            if entry["id"] == "dep:generic/zlib":
                entry["specs"] = ["$(touch /tmp/extdeps-pwned)"]
        write_cache_file(str(path), [stored[0], document])
        poisoned += 1
    assert poisoned
    result = _child(argv, tmp_path, env)
    assert result.code == 2, result
    assert "never shell strings" in result.err or "package spec" in result.err


# -- migrate --write ------------------------------------------------------------------------

DRAFT = '[external]\nbuild-requires = ["virtual:compiler/c"]\n'


def test_migrate_keeps_owner_group_and_links(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to write a file owned by another user")
    project = _project(tmp_path, DRAFT)
    pyproject = project / "pyproject.toml"
    os.chown(pyproject, 65534, 65534)
    pyproject.chmod(0o640)
    link = tmp_path / "hard-link.toml"
    os.link(pyproject, link)
    assert main(["migrate", "--write", str(project)]) == 0
    st = pyproject.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (65534, 65534, 0o640)
    assert st.st_nlink == 2
    assert link.read_text(encoding="utf-8") == pyproject.read_text(encoding="utf-8")
    assert "dep:virtual/compiler/c" in link.read_text(encoding="utf-8")
    # owner and group kept when the file is replaced too (no other link)
    link.unlink()
    pyproject.write_text(DRAFT, encoding="utf-8")
    assert main(["migrate", "--write", str(project)]) == 0
    st = pyproject.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (65534, 65534, 0o640)
    assert [p.name for p in project.iterdir()] == ["pyproject.toml"]


def test_migrate_refuses_a_read_only_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, DRAFT)
    pyproject = project / "pyproject.toml"
    pyproject.chmod(0o444)
    assert main(["migrate", "--write", str(project)]) == 2
    assert "read-only" in capsys.readouterr().err
    assert pyproject.read_text(encoding="utf-8") == DRAFT
    assert [p.name for p in project.iterdir()] == ["pyproject.toml"]


def _migrate_killed_at(project: Path, function: str) -> None:
    script = (
        "import os\n"
        f"def die(*a, **k):\n"
        "    os.kill(os.getpid(), 9)\n"
        f"os.{function} = die\n"
        "from extdeps.cli.main import main\n"
        f"main(['migrate', '--write', {str(project)!r}])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == -9, done.stderr


def test_migrate_killed_while_writing_leaves_nothing(tmp_path: Path) -> None:
    """On Linux the new text lives in an anonymous file until it is complete."""
    project = _project(tmp_path, DRAFT)
    _migrate_killed_at(project, "fsync")
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml"]
    assert (project / "pyproject.toml").read_text(encoding="utf-8") == DRAFT


def test_migrate_cleans_up_after_a_run_killed_before_the_rename(tmp_path: Path) -> None:
    project = _project(tmp_path, DRAFT)
    _migrate_killed_at(project, "replace")
    assert (project / "pyproject.toml").read_text(encoding="utf-8") == DRAFT
    # the next run removes what the killed one left, and migrates
    assert main(["migrate", "--write", str(project)]) == 0
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml"]
    assert "dep:virtual/compiler/c" in (project / "pyproject.toml").read_text(encoding="utf-8")


# -- the library API ----------------------------------------------------------------------------


def _api_calls() -> dict[str, Callable[[Any], Any]]:
    import extdeps

    return {
        "DepURL.parse": extdeps.DepURL.parse,
        "ExternalRequirement.parse": extdeps.ExternalRequirement.parse,
        "External.from_table": extdeps.External.from_table,
        "normalize_name": extdeps.normalize_name,
        "load_project": extdeps.load_project,
        "load_mapping": extdeps.load_mapping,
        "select": extdeps.select,
        "select-extras": lambda x: extdeps.select(extdeps.External(), extras=x),
        "check_requirements": lambda x: extdeps.check_requirements(x, ecosystem="debian+12"),
        "resolve_choices-ecosystem": lambda x: extdeps.resolve_choices(ecosystem=x),
        "resolve_choices-providers": lambda x: extdeps.resolve_choices(
            ecosystem="debian+12", providers=x
        ),
        "System": lambda x: extdeps.System(root=x),
        "ExtdepsError": lambda x: str(extdeps.ExtdepsError(x)),
        "InvalidExternal": lambda x: str(extdeps.InvalidExternal(x)),
    }


@pytest.mark.parametrize("name", sorted(_api_calls()))
@pytest.mark.parametrize(
    "value", [None, 1, b"x", "dep:generic/zlib", [1], {"a": 1}, object()], ids=repr
)
def test_api_wrong_types(name: str, value: Any) -> None:
    """A wrong type is a TypeError or one of extdeps' errors, never another exception."""
    from extdeps import ExtdepsError

    with __import__("contextlib").suppress(TypeError, ExtdepsError):
        _api_calls()[name](value)


# -- property tests: random and mutated inputs through the real CLI --------------------------

COMMANDS: list[list[str]] = [
    ["validate"],
    ["show"],
    ["show", "--json"],
    ["map", "--ecosystem", "debian+12", "--all-extras"],
    ["check", "--ecosystem", "debian+12", "--root", "{root}", "--json"],
    ["lint"],
    ["metadata"],
    ["migrate"],
    ["recipe", "--format", "conda-forge"],
]
_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for position, delete, insert in edits:
        at = position % (len(out) + 1)
        out[at : at + delete] = insert
    return bytes(out)


_edits = st.lists(
    st.tuples(st.integers(0, 5000), st.integers(0, 8), st.binary(max_size=8)), max_size=6
)


def _all_commands(
    target: Path, root: Path, run: Callable[..., tuple[int, str, str]]
) -> Iterator[tuple[list[str], int, str]]:
    for command in COMMANDS:
        argv = [w.replace("{root}", str(root)) for w in command]
        code, _, err = run(argv[0], str(target), *argv[1:])
        yield argv, code, err


def _assert_contract(
    target: Path, tmp_path: Path, run: Callable[..., tuple[int, str, str]]
) -> None:
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    before = _tree(tmp_path)
    for argv, code, err in _all_commands(target, root, run):
        assert code in EXITS, (argv, err)
        assert "Traceback" not in err, (argv, err)
    assert _tree(tmp_path) == before


@settings(max_examples=60, deadline=None, suppress_health_check=_HEALTH)
@given(edits=_edits, base=st.sampled_from(sorted((REPO / "examples").glob("*/pyproject.toml"))))
def test_mutated_pyproject_files(
    tmp_path_factory: pytest.TempPathFactory,
    in_process: Callable[..., tuple[int, str, str]],
    edits: list[tuple[int, int, bytes]],
    base: Path,
) -> None:
    tmp_path = tmp_path_factory.mktemp("mut")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_bytes(_mutate(base.read_bytes(), edits))
    _assert_contract(project, tmp_path, in_process)


_requirement = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda t, n, v, m: f"dep:{t}/{n}{v}{m}",
        st.sampled_from(["generic", "virtual/compiler", "virtual/interface", "pypi", "github/a"]),
        st.text(min_size=1, max_size=12),
        st.sampled_from(["", "@>=1", "@==" + "9" * 80, "@<1,>2", "@1.0", "@~=1"]),
        st.sampled_from(
            ["", "; sys_platform == 'linux'", "; extra == 'x'", "; (", "; python_version > '9'"]
        ),
    ),
)
_table = st.dictionaries(
    st.sampled_from(
        [
            "build-requires",
            "host-requires",
            "dependencies",
            "optional-dependencies",
            "dependency-groups",
            "x",
        ]
    ),
    st.one_of(
        st.lists(_requirement, max_size=5),
        st.dictionaries(st.text(max_size=8), st.lists(_requirement, max_size=3), max_size=3),
        st.integers(),
    ),
    max_size=5,
)


@settings(max_examples=60, deadline=None, suppress_health_check=_HEALTH)
@given(table=_table)
def test_random_tables(
    tmp_path_factory: pytest.TempPathFactory,
    in_process: Callable[..., tuple[int, str, str]],
    table: dict[str, Any],
) -> None:
    tmp_path = tmp_path_factory.mktemp("rnd")
    project = tmp_path / "project"
    project.mkdir()
    lines = ['[project]\nname = "rnd"\nversion = "1"\n\n[external]']
    for key, value in table.items():
        lines.append(f"{json.dumps(key)} = {json.dumps(value)}")
    (project / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _assert_contract(project, tmp_path, in_process)


def _tar_gz(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@settings(max_examples=50, deadline=None, suppress_health_check=_HEALTH)
@given(
    names=st.lists(
        st.one_of(
            st.just("s-1.0/pyproject.toml"),
            st.just("s-1.0/PKG-INFO"),
            st.text(max_size=30).map(lambda s: "s-1.0/" + s),
        ),
        min_size=1,
        max_size=4,
    ),
    edits=_edits,
    zipped=st.booleans(),
)
def test_mutated_sdists(
    tmp_path_factory: pytest.TempPathFactory,
    in_process: Callable[..., tuple[int, str, str]],
    names: list[str],
    edits: list[tuple[int, int, bytes]],
    zipped: bool,
) -> None:
    tmp_path = tmp_path_factory.mktemp("sd")
    members = [(name, VALID.encode()) for name in names]
    if zipped:
        data = _zip_bytes(dict(members))
        sdist = tmp_path / "s-1.0.zip"
    else:
        data = _tar_gz(members)
        sdist = tmp_path / "s-1.0.tar.gz"
    sdist.write_bytes(_mutate(data, edits))
    _assert_contract(sdist, tmp_path, in_process)


@settings(max_examples=50, deadline=None, suppress_health_check=_HEALTH)
@given(
    fields=st.lists(
        st.tuples(
            st.sampled_from(["Requires-External-Dep", "Provides-External-Extra", "Name", "X"]),
            _requirement,
        ),
        max_size=6,
    ),
    edits=_edits,
)
def test_mutated_wheels(
    tmp_path_factory: pytest.TempPathFactory,
    in_process: Callable[..., tuple[int, str, str]],
    fields: list[tuple[str, str]],
    edits: list[tuple[int, int, bytes]],
) -> None:
    tmp_path = tmp_path_factory.mktemp("wh")
    text = "Metadata-Version: 2.1\nName: w\nVersion: 1\n" + "".join(
        f"{k}: {v.replace(chr(10), ' ')}\n" for k, v in fields
    )
    wheel = tmp_path / "w-1-py3-none-any.whl"
    wheel.write_bytes(_mutate(_zip_bytes({"w-1.dist-info/METADATA": text.encode()}), edits))
    root = tmp_path / "root"
    root.mkdir()
    before = _tree(tmp_path)
    for argv in (
        ["map", str(wheel), "--ecosystem", "debian+12"],
        ["check", str(wheel), "--ecosystem", "debian+12", "--root", str(root)],
        ["check", str(wheel), "--ecosystem", "debian+12", "--root", str(root), "--json"],
    ):
        code, _, err = in_process(*argv)
        assert code in EXITS, (argv, err)
        assert "Traceback" not in err
    assert _tree(tmp_path) == before
