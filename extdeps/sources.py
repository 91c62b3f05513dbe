"""Reading a project's ``pyproject.toml`` from a directory, a file or an sdist.

sdists (``.tar.gz``, ``.tgz``, ``.tar``, ``.zip``) are read in memory; nothing is
unpacked to disk. Every failure is one :class:`InputError` naming the file.
"""

from __future__ import annotations

import os
import sys

from extdeps.model.errors import InputError
from extdeps.model.project import Project

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from extdeps.model.external import External


def _tomllib() -> Any:
    # imported on first use: a warm `extdeps check` reads its cached project instead
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # noqa: PLC0415
    return tomllib


__all__ = [
    "Project",
    "load_project",
    "parse_pyproject",
    "project_from_dist_info",
    "project_from_installed",
    "project_from_wheel",
    "read_pyproject",
]

_MAX_MEMBER = 16 * 1024 * 1024  # a pyproject.toml larger than this is not plausible
SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
_EXPECTED = " (expected a directory, pyproject.toml or sdist)"


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


# -- wheels and installed distributions: their core metadata ---------------------


def _parse_metadata(text: str, source: str) -> Project:
    import email.parser  # noqa: PLC0415 - wheels and installed distributions only

    from extdeps.model.metadata import (  # noqa: PLC0415
        PROVIDES_FIELD,
        REQUIRES_FIELD,
        external_from_metadata,
    )

    message = email.parser.HeaderParser().parsestr(text)
    external = external_from_metadata(
        message.get_all(REQUIRES_FIELD) or [], message.get_all(PROVIDES_FIELD) or [], source=source
    )
    return Project(
        source=source,
        external=external,
        name=message.get("Name"),
        version=message.get("Version"),
    )


def project_from_wheel(path: str | os.PathLike[str]) -> Project:
    """The runtime external dependencies recorded in a wheel's METADATA."""
    import zipfile  # noqa: PLC0415 - wheels only

    display = os.fspath(path)
    try:
        with zipfile.ZipFile(display) as zf:
            names = [
                n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            ]
            if not names:
                raise InputError("no *.dist-info/METADATA in this wheel", source=display)
            raw = zf.read(names[0])
    except FileNotFoundError:
        raise InputError("file not found", source=display) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not a readable wheel: {exc}", source=display) from None
    return _parse_metadata(raw.decode("utf-8", errors="replace"), f"{display}!/{names[0]}")


def project_from_installed(name: str, path: Sequence[str] | None = None) -> Project:
    """The runtime external dependencies of an installed distribution, looked for
    on ``path`` (a target interpreter's ``sys.path``; default: this one's)."""
    import importlib.metadata  # noqa: PLC0415

    from extdeps.model.external import normalize_name  # noqa: PLC0415

    wanted = normalize_name(name)
    search = list(path) if path is not None else None
    found = None
    for dist in (
        importlib.metadata.distributions(path=search)
        if search is not None
        else (importlib.metadata.distributions())
    ):
        try:
            dist_name = dist.metadata["Name"]
        except KeyError:  # a distribution without a name: not the one
            continue
        if normalize_name(dist_name or "") == wanted:
            found = dist
            break
    if found is None:
        where = "" if path is None else " in the target interpreter's environment"
        raise InputError(f"no installed distribution named {name!r}{where}")
    text = found.read_text("METADATA") or found.read_text("PKG-INFO") or ""
    return _parse_metadata(text, f"{name} (installed)")


def project_from_dist_info(path: str) -> Project:
    """The runtime external dependencies in a ``.dist-info`` directory's METADATA."""
    metadata = os.path.join(path, "METADATA")
    raw = read_file_bytes(metadata)
    return _parse_metadata(raw.decode("utf-8", errors="replace"), metadata)


# -- valid projects, remembered on disk ---------------------------------------


def count_requirements(external: External) -> int:
    """How many requirements a table lists (groups unexpanded), as ``validate`` reports."""
    return sum(1 for _ in external.iter_requirements())


class ProjectCache:
    """Valid projects as :func:`load_project` read them, kept on disk.

    Entries are keyed by the file's path, size, times and inode (see
    :func:`extdeps.data.files.file_stamp`) and extdeps' version, so that commands
    run again on an unchanged project do not parse its TOML again. Invalid
    projects are never stored: their errors are always reported from the file
    itself.
    """

    def __init__(self, path: str) -> None:
        from extdeps import __version__  # noqa: PLC0415
        from extdeps.data.cache import cache_dir, file_stamp, read_cache_file  # noqa: PLC0415

        pyproject = os.path.join(path, "pyproject.toml") if os.path.isdir(path) else path
        self.display = "pyproject.toml" if path == "." else pyproject
        directory = cache_dir()
        self.store: str | None = None
        self.entries: list[Any] = []
        self.key: list[Any] = []
        if directory is None or path.endswith(SDIST_SUFFIXES) or not os.path.isfile(pyproject):
            return
        self.store = os.path.join(directory, "projects.marshal")
        self.key = [__version__, file_stamp(pyproject)]
        entries = read_cache_file(self.store)
        self.entries = entries if type(entries) is list else []

    def hit(self) -> dict[str, Any] | None:
        if self.store is None:
            return None
        for entry in self.entries:
            if type(entry) is dict and entry.get("key") == self.key:
                return entry
        return None

    def project(self, entry: dict[str, Any]) -> Project:
        from extdeps.model.external import External  # noqa: PLC0415

        return Project(
            source=self.display,
            external=External.from_table(entry["external"], source=self.display, normalized=True),
            name=entry.get("name"),
            version=entry.get("version"),
            data={"tool": {"extdeps": entry.get("tool", {})}},
        )

    def remember(self, project: Project) -> None:
        if self.store is None:
            return
        from extdeps.data.cache import write_cache_file  # noqa: PLC0415

        entry = {
            "key": self.key,
            "external": project.external.to_dict(),
            "count": count_requirements(project.external),
            "name": project.name,
            "version": project.version,
            "tool": dict(project.tool_config),
        }
        write_cache_file(self.store, [*self.entries[-31:], entry])


def load_cached(path: str) -> Project:
    """A project directory, pyproject.toml or sdist, as :func:`load_project` reads
    it, from the cache of valid projects when the file has not changed."""
    cache = ProjectCache(path)
    entry = cache.hit()
    if entry is not None:
        return cache.project(entry)
    project = load_project(path)
    cache.remember(project)
    return project


def load_source(path: str) -> Project:
    """A project directory, pyproject.toml or sdist (see :func:`load_cached`), or a
    wheel or ``.dist-info`` directory (its ``Requires-External-Dep`` metadata)."""
    if path.endswith(".whl"):
        return project_from_wheel(path)
    if path.rstrip("/").endswith(".dist-info") and os.path.isdir(path):
        return project_from_dist_info(path)
    return load_cached(path)
