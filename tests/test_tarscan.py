"""The quick tar walk finds what tarfile finds, or leaves the archive to it.

Each archive is read twice through ``_read_sdist``: with the quick walk, and
with it turned off (tarfile alone). The answers, or the error messages, are the
same; for the formats the walk reads, it must have answered itself.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extdeps import sources
from extdeps.model import tarscan
from extdeps.model.errors import InputError

BODY = b'[project]\nname = "demo"\nversion = "1.0"\n'
FORMATS = {"ustar": tarfile.USTAR_FORMAT, "gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT}


def _outcome(path: Path) -> tuple[str, object]:
    try:
        return ("ok", sources._read_sdist(str(path)))
    except InputError as exc:
        return ("error", exc.message)


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[str, object], bool]:
    """The outcome (after checking tarfile agrees) and whether the walk answered."""
    answered = []
    real = tarscan.scan

    def spy(*args: object, **kwargs: object) -> object:
        try:
            result = real(*args, **kwargs)  # type: ignore[arg-type]
        except tarscan.TooBig:
            answered.append(True)  # it stopped the archive itself
            raise
        answered.append(result is not None)
        return result

    monkeypatch.setattr(tarscan, "scan", spy)
    quick = _outcome(path)
    monkeypatch.setattr(tarscan, "scan", lambda *a, **k: None)
    slow = _outcome(path)
    monkeypatch.setattr(tarscan, "scan", real)
    bomb = "refusing to expand this sdist further"
    if quick[0] == slow[0] == "error" and str(quick[1]).startswith(bomb):
        # the same limits; the walk checks them inside a member too, so it stops sooner
        assert str(slow[1]).startswith(bomb)
    else:
        assert quick == slow
    return quick, bool(answered and answered[0])


def _archive(
    path: Path, members: list[tuple[str, str, bytes]], fmt: str = "pax", mode: str = "w:gz"
) -> Path:
    with tarfile.open(path, mode, format=FORMATS[fmt]) as tf:  # type: ignore[call-overload]
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = data.decode()
                tf.addfile(info)
            elif kind == "hardlink":
                info.type = tarfile.LNKTYPE
                info.linkname = data.decode()
                tf.addfile(info)
    return path


LONG = "demo-1.0/" + "/".join(["deep" * 10] * 6) + "/x.c"
CASES = {
    "plain": [("demo-1.0/PKG-INFO", "file", b"x"), ("demo-1.0/pyproject.toml", "file", BODY)],
    "dirs": [
        ("demo-1.0", "dir", b""),
        ("demo-1.0/src", "dir", b""),
        ("demo-1.0/src/a.c", "file", b"int a;" * 500),
        ("demo-1.0/pyproject.toml", "file", BODY),
    ],
    "long-names": [(LONG, "file", b"y" * 700), ("demo-1.0/pyproject.toml", "file", BODY)],
    "two-tops": [("a-1/pyproject.toml", "file", BODY), ("b-1/pyproject.toml", "file", BODY)],
    "duplicate": [
        ("demo-1.0/pyproject.toml", "file", BODY),
        ("demo-1.0/pyproject.toml", "file", b""),
    ],
    "symlink": [("demo-1.0/pyproject.toml", "symlink", b"/etc/passwd")],
    "hardlink": [
        ("demo-1.0/x", "file", BODY),
        ("demo-1.0/pyproject.toml", "hardlink", b"demo-1.0/x"),
    ],
    "none": [("demo-1.0/setup.py", "file", b"")],
    "nested-only": [("demo-1.0/sub/pyproject.toml", "file", BODY)],
    "too-big": [("demo-1.0/pyproject.toml", "file", b"#" * (2 << 20))],
    "empty": [],
}


@pytest.mark.parametrize(
    ("fmt", "case"),
    # ustar cannot store the long names
    [(f, c) for f in sorted(FORMATS) for c in sorted(CASES) if (f, c) != ("ustar", "long-names")],
)
@pytest.mark.parametrize("mode", ["w:gz", "w"])
def test_same_answer_as_tarfile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, mode: str, case: str
) -> None:
    members = CASES[case]
    path = _archive(tmp_path / ("s.tar.gz" if mode == "w:gz" else "s.tar"), members, fmt, mode)
    _, answered = _both(path, monkeypatch)
    assert answered, "the quick walk should read this archive itself"


@pytest.mark.parametrize("mode", ["w:bz2", "w:xz"])
def test_other_compressions_are_left_to_tarfile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    path = _archive(tmp_path / "s.tar.gz", CASES["plain"], "pax", mode)
    outcome, answered = _both(path, monkeypatch)
    assert not answered
    assert outcome[0] == "ok"


def test_truncated_and_garbage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = _archive(tmp_path / "g.tar.gz", CASES["dirs"]).read_bytes()
    plain = _archive(tmp_path / "p.tar", CASES["dirs"], mode="w").read_bytes()
    for i, data in enumerate(
        [good[:40], good[: len(good) // 2], plain[:700], plain[:1024], b"not an archive" * 40, b""]
    ):
        path = tmp_path / f"t{i}.tar.gz"
        path.write_bytes(data)
        _both(path, monkeypatch)


def test_bomb_stopped_at_the_same_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A member of 80 MiB of zeros compresses 1000:1: both stop past 64 MiB."""
    path = tmp_path / "bomb.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        info = tarfile.TarInfo("demo-1.0/zeros")
        info.size = 80 << 20
        tf.addfile(info, io.BytesIO(bytes(info.size)))
        body = io.BytesIO(BODY)
        info = tarfile.TarInfo("demo-1.0/pyproject.toml")
        info.size = len(BODY)
        tf.addfile(info, body)
    outcome, answered = _both(path, monkeypatch)
    assert answered
    assert outcome[0] == "error"
    assert "refusing to expand this sdist further" in str(outcome[1])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_archives(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    tmp = tmp_path_factory.mktemp("m")
    mode = data.draw(st.sampled_from(["w", "w:gz"]))
    fmt = data.draw(st.sampled_from(sorted(FORMATS)))
    case = data.draw(st.sampled_from(["plain", "dirs", "hardlink", "two-tops"]))
    raw = bytearray(_archive(tmp / "a.tar", CASES[case], fmt, mode).read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    path = tmp / "m.tar.gz"
    path.write_bytes(bytes(raw))
    with pytest.MonkeyPatch.context() as monkeypatch:
        _both(path, monkeypatch)
