"""Reading a project's ``pyproject.toml`` from a directory, a file or an sdist.

sdists (``.tar.gz``, ``.tgz``, ``.tar``, ``.zip``) are read in memory; nothing is
unpacked to disk. Every failure is one :class:`InputError` naming the file.
"""

from __future__ import annotations

import os
import sys

from extdeps.model.errors import InputError
from extdeps.model.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from extdeps.model.external import External


def _tomllib() -> Any:
    # imported on first use: a warm `extdeps check` reads its cached project instead
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # noqa: PLC0415
    return tomllib


__all__ = ["Project", "load_project", "parse_pyproject", "read_pyproject"]

_MAX_MEMBER = 16 * 1024 * 1024  # a pyproject.toml larger than this is not plausible
SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
_EXPECTED = " (expected a directory, pyproject.toml or sdist)"


class Project(Record):
    """A project as read from its ``pyproject.toml``."""

    __slots__ = ("source", "external", "name", "version", "data")
    source: str
    external: External
    name: str | None
    version: str | None
    data: Mapping[str, Any]

    def __init__(
        self,
        *,
        source: str,
        external: External,
        name: str | None = None,
        version: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        self._set(source=source, external=external, name=name, version=version, data=data or {})

    def __repr__(self) -> str:
        return f"Project(source={self.source!r}, name={self.name!r})"

    @property
    def tool_config(self) -> Mapping[str, Any]:
        """The ``[tool.extdeps]`` table, or an empty mapping."""
        tool = self.data.get("tool")
        table = tool.get("extdeps") if isinstance(tool, dict) else None
        return table if isinstance(table, dict) else {}


def decode_toml_text(raw: bytes, source: str) -> str:
    """TOML file bytes as text (UTF-8, a byte-order mark dropped), or one clear error."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte {exc.start}, line {line}); TOML files must be UTF-8",
            source=source,
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def read_file_bytes(path: str) -> bytes:
    """A file's bytes, or one clear :class:`InputError` naming it."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        expected = "" if os.path.basename(path) == "pyproject.toml" else _EXPECTED
        raise InputError(f"file not found{expected}", source=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=path) from None


def parse_pyproject(raw: bytes, source: str) -> dict[str, Any]:
    """Decode and parse TOML bytes, with one clear error for each failure."""
    text = decode_toml_text(raw, source)
    tomllib = _tomllib()
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        raise InputError(
            f"invalid TOML: {message[:1].lower()}{message[1:]}", source=source
        ) from None
    return data


def _read_sdist(path: str) -> tuple[bytes, str]:
    import tarfile  # noqa: PLC0415 - sdists only; keeps startup cheap
    import zipfile  # noqa: PLC0415

    display = path
    try:
        if path.endswith(".zip"):
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if _is_top_pyproject(n)]
                if not names:
                    raise InputError("no pyproject.toml at the top of this sdist", source=display)
                info = zf.getinfo(names[0])
                if info.file_size > _MAX_MEMBER:
                    raise InputError(f"{names[0]} is too large", source=display)
                return zf.read(info), f"{display}!/{names[0]}"
        with tarfile.open(path, "r:*") as tf:
            for member in tf:
                if _is_top_pyproject(member.name) and member.isfile():
                    if member.size > _MAX_MEMBER:
                        raise InputError(f"{member.name} is too large", source=display)
                    handle = tf.extractfile(member)
                    assert handle is not None
                    return handle.read(), f"{display}!/{member.name}"
            raise InputError("no pyproject.toml at the top of this sdist", source=display)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise InputError("file not found", source=display) from None
        raise InputError(f"not a readable sdist archive: {exc}", source=display) from None


def _is_top_pyproject(name: str) -> bool:
    parts = [p for p in name.split("/") if p not in ("", ".")]
    return len(parts) == 2 and parts[1] == "pyproject.toml"


def read_pyproject(path: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """Parse the ``pyproject.toml`` that ``path`` designates; return (data, display name).

    ``path`` may be a project directory, a ``pyproject.toml`` file or an sdist.
    """
    p = os.fspath(path)
    if p.endswith(SDIST_SUFFIXES) and not os.path.isdir(p):
        raw, display = _read_sdist(p)
        return parse_pyproject(raw, display), display
    if os.path.isdir(p):
        p = "pyproject.toml" if p == "." else os.path.join(p, "pyproject.toml")
    return parse_pyproject(read_file_bytes(p), p), p


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read and validate a project's ``[external]`` table.

    Raises :class:`InputError` when the file cannot be read and
    :class:`InvalidExternal` (with every problem) when the table is invalid.
    """
    data, display = read_pyproject(path)
    from extdeps.model.external import External  # noqa: PLC0415 - what validate needs when not cached

    external = External.from_pyproject(data, source=display)
    project = data.get("project")
    name = version = None
    if isinstance(project, dict):
        name = project.get("name") if isinstance(project.get("name"), str) else None
        version = project.get("version") if isinstance(project.get("version"), str) else None
    return Project(source=display, external=external, name=name, version=version, data=data)
