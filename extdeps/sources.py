"""Reading a project's ``pyproject.toml`` from a directory, a file or an sdist.

sdists (``.tar.gz``, ``.tgz``, ``.tar``, ``.zip``) are read in memory; nothing is
unpacked to disk. Every failure is one :class:`InputError` naming the file.
"""

from __future__ import annotations

import io
import os
import sys

from extdeps.model.errors import InputError
from extdeps.model.project import Project
from extdeps.model.text import printable

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


def read_file_bytes(path: str, limit: int | None = None, what: str = "a pyproject.toml") -> bytes:
    """A regular file's bytes (at most ``limit``), or one clear :class:`InputError`."""
    from extdeps.data.files import LIMITS, read_bounded  # noqa: PLC0415

    try:
        return read_bounded(path, limit or LIMITS["pyproject.toml"], what=what, error=InputError)
    except InputError as exc:
        if exc.message == "file not found" and os.path.basename(path) != "pyproject.toml":
            exc.message += _EXPECTED
        raise


def parse_pyproject(raw: bytes, source: str) -> dict[str, Any]:
    """Decode and parse TOML bytes, with one clear error for each failure."""
    text = decode_toml_text(raw, source)
    from extdeps.model.toml_subset import loads  # noqa: PLC0415

    plain = loads(text)  # most files: without the cost of importing tomllib
    if plain is not None:
        return plain
    tomllib = _tomllib()
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except RecursionError:
        raise InputError("invalid TOML: nested too deeply", source=source) from None
    except ValueError as exc:
        if not isinstance(exc, tomllib.TOMLDecodeError):  # a number past int's digit limit
            raise InputError(f"invalid TOML: {_reason(exc)}", source=source) from None
        message = str(exc)
        raise InputError(
            f"invalid TOML: {message[:1].lower()}{message[1:]}", source=source
        ) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        raise InputError(
            f"invalid TOML: {message[:1].lower()}{message[1:]}", source=source
        ) from None
    return data


# What reading an sdist may cost: every member header is read (to refuse an
# archive with two pyproject.toml at its top), but only pyproject.toml's bytes.
_MAX_MEMBERS = 200_000
_MAX_EXPANDED = 2 << 30  # uncompressed bytes traversed
_BOMB_RATIO = 200  # uncompressed : compressed, once past 64 MiB


def _archive_errors() -> tuple[type[BaseException], ...]:
    """What reading a broken archive raises: tarfile's, zipfile's and zlib's errors
    where those modules were needed (a quick tar walk imports none of them)."""
    kinds: list[type[BaseException]] = [
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    ]
    for module, name in (("tarfile", "TarError"), ("zipfile", "BadZipFile"), ("zlib", "error")):
        loaded = sys.modules.get(module)
        if loaded is not None:
            kinds.append(getattr(loaded, name))
    return tuple(kinds)


def _read_sdist(path: str) -> tuple[bytes, str]:
    from extdeps.data.files import LIMITS, open_regular  # noqa: PLC0415

    limit = LIMITS["pyproject.toml"]
    with open_regular(path, InputError) as raw:
        try:
            if path.endswith(".zip"):
                return _read_zip_sdist(raw, path, limit)
            return _read_tar_sdist(raw, path, limit)
        except InputError:
            raise
        except Exception as exc:
            if not isinstance(exc, _archive_errors()):
                raise
            raise InputError(f"not a readable sdist archive: {_reason(exc)}", source=path) from None


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _one(found: list[str], path: str) -> str:
    if not found:
        raise InputError("no pyproject.toml at the top of this sdist", source=path)
    if len(found) > 1:
        raise InputError(
            "ambiguous sdist: more than one pyproject.toml at its top ("
            + ", ".join(found[:3])
            + ")",
            source=path,
            hint="tools disagree on which one counts; build the sdist again",
        )
    return found[0]


def _bounded_member(handle: Any, limit: int, name: str, path: str) -> bytes:
    data: bytes = handle.read(limit + 1)
    if len(data) > limit:
        from extdeps.data.files import describe_limit  # noqa: PLC0415

        raise InputError(
            f"{name} is larger than the {describe_limit(limit)} limit for a pyproject.toml",
            source=path,
        )
    return data


def _read_zip_sdist(raw: Any, path: str, limit: int) -> tuple[bytes, str]:
    import zipfile  # noqa: PLC0415

    with zipfile.ZipFile(raw) as zf:
        infos = zf.infolist()
        if len(infos) > _MAX_MEMBERS:
            raise InputError(f"more than {_MAX_MEMBERS} members in this sdist", source=path)
        found = [i.filename for i in infos if _is_top_pyproject(i.filename)]
        name = _one(found, path)
        info = zf.getinfo(name)
        if info.is_dir():
            raise InputError(f"{name} is not a file in this sdist", source=path)
        # the declared size is not trusted: at most `limit` bytes are inflated
        with zf.open(info) as handle:
            return _bounded_member(handle, limit, name, path), f"{path}!/{printable(name)}"


def _read_tar_sdist(raw: Any, path: str, limit: int) -> tuple[bytes, str]:
    from extdeps.model.tarscan import Limits, TooBig, scan  # noqa: PLC0415

    try:
        members = scan(
            raw,
            _is_top_pyproject,
            limit,
            Limits(_MAX_MEMBERS, _MAX_EXPANDED, _BOMB_RATIO, 64 << 20),
        )
    except TooBig as exc:
        if exc.what == "members":
            raise InputError(
                f"more than {_MAX_MEMBERS} members in this sdist", source=path
            ) from None
        raise InputError(
            "refusing to expand this sdist further: it expands past "
            f"{exc.expanded >> 20} MiB (a compression bomb?)",
            source=path,
        ) from None
    if members is None:  # a format the quick walk leaves to tarfile
        raw.seek(0)
        return _read_tar_sdist_with_tarfile(raw, path, limit)
    found: list[str] = []
    data = b""
    for member in members:
        if not _is_top_pyproject(member.name):
            continue
        found.append(member.name)
        if len(found) > 1:
            _one(found, path)
        if not member.regular:
            raise InputError(
                f"{member.name} is not a regular file in this sdist (a link or a device)",
                source=path,
            )
        data = member.data or b""
        if len(data) > limit:
            _bounded_member(io.BytesIO(data), limit, member.name, path)
    name = _one(found, path)
    return data, f"{path}!/{printable(name)}"


def _read_tar_sdist_with_tarfile(raw: Any, path: str, limit: int) -> tuple[bytes, str]:
    import tarfile  # noqa: PLC0415

    found: list[str] = []
    data = b""
    count = 0
    with tarfile.open(fileobj=raw, mode="r:*") as tf:
        while True:
            member = tf.next()
            if member is None:
                break
            count += 1
            tf.members = []  # type: ignore[attr-defined]  # keep no list of every member
            if count > _MAX_MEMBERS:
                raise InputError(f"more than {_MAX_MEMBERS} members in this sdist", source=path)
            expanded = tf.offset
            if expanded > _MAX_EXPANDED or (
                expanded > 64 << 20 and expanded > _BOMB_RATIO * max(raw.tell(), 1)
            ):
                raise InputError(
                    "refusing to expand this sdist further: it expands past "
                    f"{expanded >> 20} MiB (a compression bomb?)",
                    source=path,
                )
            if not _is_top_pyproject(member.name):
                continue
            found.append(member.name)
            if len(found) > 1:
                _one(found, path)
            if not member.isfile():
                raise InputError(
                    f"{member.name} is not a regular file in this sdist (a link or a device)",
                    source=path,
                )
            handle = tf.extractfile(member)
            assert handle is not None
            data = _bounded_member(handle, limit, member.name, path)
    name = _one(found, path)
    return data, f"{path}!/{printable(name)}"


def _is_top_pyproject(name: str) -> bool:
    parts = [p for p in name.split("/") if p not in ("", ".")]
    return len(parts) == 2 and parts[1] == "pyproject.toml"


def read_pyproject(path: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """Parse the ``pyproject.toml`` that ``path`` designates; return (data, display name).

    ``path`` may be a project directory, a ``pyproject.toml`` file or an sdist.
    """
    from extdeps.model.arguments import path_like  # noqa: PLC0415

    p = path_like(path, "path")
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


def _parse_metadata(text: str, source: str, external_file: str | None = None) -> Project:
    """A project from METADATA; the external dependencies come from METADATA's
    PEP 725 fields, else from the ``EXTERNAL`` file of the same ``.dist-info``
    directory (``external_file``: its text), where the build wrappers put them
    by default."""
    import email.parser  # noqa: PLC0415 - wheels and installed distributions only

    from extdeps.model.metadata import (  # noqa: PLC0415
        EXTERNAL_FILE,
        PROVIDES_FIELD,
        REQUIRES_FIELD,
        external_from_metadata,
    )

    message = email.parser.HeaderParser().parsestr(text)
    fields = message
    where = source
    if not (message.get_all(REQUIRES_FIELD) or message.get_all(PROVIDES_FIELD)) and external_file:
        fields = email.parser.HeaderParser().parsestr(external_file)
        where = source.rsplit("/", 1)[0] + "/" + EXTERNAL_FILE
    external = external_from_metadata(
        fields.get_all(REQUIRES_FIELD) or [], fields.get_all(PROVIDES_FIELD) or [], source=where
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
    import zlib  # noqa: PLC0415

    from extdeps.data.files import LIMITS, describe_limit, open_regular  # noqa: PLC0415

    display = os.fspath(path)
    limit = LIMITS["metadata"]
    with open_regular(display, InputError) as raw:
        try:
            with zipfile.ZipFile(raw) as zf:
                names = [
                    n
                    for n in zf.namelist()
                    if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
                ]
                if not names:
                    raise InputError("no *.dist-info/METADATA in this wheel", source=display)
                if len(names) > 1:
                    raise InputError(
                        "ambiguous wheel: more than one *.dist-info/METADATA ("
                        + ", ".join(names[:3])
                        + ")",
                        source=display,
                    )
                # at most `limit` bytes are inflated, whatever the header says
                with zf.open(names[0]) as handle:
                    data = handle.read(limit + 1)
                external_name = names[0].rsplit("/", 1)[0] + "/EXTERNAL"
                external: bytes | None = None
                if external_name in zf.namelist():
                    with zf.open(external_name) as handle:
                        external = handle.read(limit + 1)
        except InputError:
            raise
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            RuntimeError,
            ValueError,
        ) as exc:
            raise InputError(f"not a readable wheel: {_reason(exc)}", source=display) from None
    for member, content in ((names[0], data), (external_name, external or b"")):
        if len(content) > limit:
            raise InputError(
                f"{member} is larger than the {describe_limit(limit)} limit for METADATA",
                source=display,
            )
    source = f"{display}!/{printable(names[0])}"
    return _parse_metadata(
        data.decode("utf-8", errors="replace"),
        source,
        external.decode("utf-8", errors="replace") if external is not None else None,
    )


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
    location = getattr(found, "_path", None)  # a distribution on the file system
    if location is not None:
        return _from_directory(os.fspath(location), f"{name} (installed)")
    text = found.read_text("METADATA") or found.read_text("PKG-INFO") or ""
    external = found.read_text("EXTERNAL")
    if len(text) > _metadata_limit() or len(external or "") > _metadata_limit():
        raise InputError(f"the METADATA of {name!r} is too large", source=f"{name} (installed)")
    return _parse_metadata(text, f"{name} (installed)", external)


def _from_directory(directory: str, source: str) -> Project:
    """METADATA (or PKG-INFO) and EXTERNAL of a ``.dist-info``/``.egg-info`` directory."""
    for file in ("METADATA", "PKG-INFO"):
        candidate = os.path.join(directory, file)
        if os.path.exists(candidate):
            raw = read_file_bytes(candidate, _metadata_limit(), "METADATA")
            break
    else:
        raise InputError("no METADATA in this directory", source=directory)
    external_path = os.path.join(directory, "EXTERNAL")
    external = None
    if os.path.exists(external_path):
        external = read_file_bytes(external_path, _metadata_limit(), "METADATA")
    return _parse_metadata(
        raw.decode("utf-8", "replace"),
        source,
        external.decode("utf-8", "replace") if external is not None else None,
    )


def _metadata_limit() -> int:
    from extdeps.data.files import LIMITS  # noqa: PLC0415

    return LIMITS["metadata"]


def project_from_dist_info(path: str) -> Project:
    """The runtime external dependencies of a ``.dist-info`` directory (METADATA,
    else its EXTERNAL file)."""
    return _from_directory(path, os.path.join(path, "METADATA"))


# -- valid projects, remembered on disk ---------------------------------------


def count_requirements(external: External) -> int:
    """How many requirements a table lists (groups unexpanded), as ``validate`` reports."""
    return sum(1 for _ in external.iter_requirements())


class ProjectCache:
    """Valid projects as :func:`load_project` read them, kept on disk.

    Entries are keyed by the file's path, size, times and inode (see
    :func:`extdeps.data.files.file_stamp`) and extdeps' version, so that commands
    run again on an unchanged project do not parse its TOML again. For an sdist
    the file is the archive (so a rebuilt one is a miss), and the entry also
    keeps the archive member the table came from. Invalid
    projects are never stored: their errors are always reported from the file
    itself.
    """

    def __init__(self, path: str) -> None:
        from extdeps import __version__  # noqa: PLC0415
        from extdeps.data.cache import cache_dir, file_stamp, read_cache_file  # noqa: PLC0415

        pyproject = os.path.join(path, "pyproject.toml") if os.path.isdir(path) else path
        self.display = "pyproject.toml" if path == "." else pyproject
        self.sdist = pyproject.endswith(SDIST_SUFFIXES)
        directory = cache_dir()
        self.store: str | None = None
        self.entries: list[Any] = []
        self.key: list[Any] = []
        if directory is None or not os.path.isfile(pyproject):
            return
        self.store = os.path.join(directory, "projects.marshal")
        self.key = [__version__, file_stamp(pyproject)]
        entries = read_cache_file(self.store)
        self.entries = entries if type(entries) is list else []

    def hit(self) -> dict[str, Any] | None:
        """The entry for this file, if it has the shape :meth:`remember` writes."""
        if self.store is None:
            return None
        for entry in self.entries:
            if type(entry) is dict and entry.get("key") == self.key:
                if not _entry_shape(entry):
                    return None
                if self.sdist:  # the member's name, as read from the archive
                    display = entry.get("display")
                    if type(display) is not str or not display.startswith(f"{self.display}!/"):
                        return None
                return entry
        return None

    def project(self, entry: dict[str, Any]) -> Project | None:
        """The project an entry holds, validated again as a table; None when it is
        not one (a damaged cache is a miss)."""
        from extdeps.model.errors import ExtdepsError  # noqa: PLC0415
        from extdeps.model.external import External  # noqa: PLC0415

        display = entry["display"] if self.sdist else self.display
        try:
            external = External.from_table(entry["external"], source=display, normalized=True)
        except ExtdepsError:
            return None
        return Project(
            source=display,
            external=external,
            name=entry["name"],
            version=entry["version"],
            data={"tool": {"extdeps": entry["tool"]}},
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
        if self.sdist:
            entry["display"] = project.source
        write_cache_file(self.store, [*self.entries[-31:], entry])


def _entry_shape(entry: dict[str, Any]) -> bool:
    """Whether a cached project entry has the types :meth:`ProjectCache.remember`
    writes (anything else is a miss, never trusted)."""
    optional_str = (str, type(None))
    return (
        type(entry.get("external")) is dict
        and type(entry.get("count")) is int
        and type(entry.get("name")) in optional_str
        and type(entry.get("version")) in optional_str
        and type(entry.get("tool")) is dict
    )


def load_cached(path: str) -> Project:
    """A project directory, pyproject.toml or sdist, as :func:`load_project` reads
    it, from the cache of valid projects when the file has not changed."""
    cache = ProjectCache(path)
    entry = cache.hit()
    cached = cache.project(entry) if entry is not None else None
    if cached is not None:
        return cached
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


# -- the files of a project, for recipes ----------------------------------------------


class ProjectFiles:
    """The files of a project as a packager sees them: a source directory or an
    sdist (read in memory, never unpacked). Names are relative POSIX paths."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.archive = path if path.endswith(SDIST_SUFFIXES) and not os.path.isdir(path) else None
        self.root = (
            None
            if self.archive
            else (path if os.path.isdir(path) else os.path.dirname(path) or ".")
        )
        self._names: list[str] | None = None
        self._prefix = ""

    def names(self) -> list[str]:
        """Every regular file's name, relative to the project root, sorted."""
        if self._names is None:
            self._names = self._archive_names() if self.archive else self._directory_names()
        return self._names

    def _directory_names(self) -> list[str]:
        assert self.root is not None
        out: list[str] = []
        for directory, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            relative = os.path.relpath(directory, self.root)
            for file in files:
                name = file if relative == "." else f"{relative}/{file}".replace(os.sep, "/")
                out.append(name)
                if len(out) > _MAX_MEMBERS:
                    raise InputError(f"more than {_MAX_MEMBERS} files", source=self.root)
        return sorted(out)

    def _archive_names(self) -> list[str]:
        assert self.archive is not None
        names: list[str] = []
        for member in self._members():
            parts = [p for p in member.split("/") if p not in ("", ".")]
            if len(parts) < 2:
                continue
            self._prefix = parts[0]
            names.append("/".join(parts[1:]))
        return sorted(set(names))

    def _members(self) -> list[str]:
        """Regular-file member names of the sdist (bounded like _read_sdist)."""
        import tarfile  # noqa: PLC0415
        import zipfile  # noqa: PLC0415

        from extdeps.data.files import open_regular  # noqa: PLC0415

        assert self.archive is not None
        out: list[str] = []
        with open_regular(self.archive, InputError) as raw:
            try:
                if self.archive.endswith(".zip"):
                    with zipfile.ZipFile(raw) as zf:
                        out = [i.filename for i in zf.infolist() if not i.is_dir()]
                else:
                    with tarfile.open(fileobj=raw, mode="r:*") as tf:
                        while (member := tf.next()) is not None:
                            tf.members = []  # type: ignore[attr-defined]
                            if member.isfile():
                                out.append(member.name)
                            if len(out) > _MAX_MEMBERS or tf.offset > _MAX_EXPANDED:
                                raise InputError("this sdist is too large", source=self.archive)
            except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise InputError(
                    f"not a readable sdist archive: {_reason(exc)}", source=self.archive
                ) from None
        return out

    def read(self, name: str, limit: int = 4 << 20) -> bytes:
        """One file's bytes (at most ``limit``), or an :class:`InputError`."""
        if name not in self.names():
            raise InputError(f"no file {name!r} in this project", source=self.path)
        if self.root is not None:
            return read_file_bytes(os.path.join(self.root, name), limit, what=name)
        import tarfile  # noqa: PLC0415
        import zipfile  # noqa: PLC0415

        from extdeps.data.files import open_regular  # noqa: PLC0415

        assert self.archive is not None
        wanted = f"{self._prefix}/{name}"
        with open_regular(self.archive, InputError) as raw:
            try:
                if self.archive.endswith(".zip"):
                    with zipfile.ZipFile(raw) as zf, zf.open(wanted) as handle:
                        return _bounded_member(handle, limit, name, self.archive)
                with tarfile.open(fileobj=raw, mode="r:*") as tf:
                    while (member := tf.next()) is not None:
                        tf.members = []  # type: ignore[attr-defined]
                        parts = [p for p in member.name.split("/") if p not in ("", ".")]
                        if member.isfile() and "/".join(parts) == wanted:
                            extracted = tf.extractfile(member)
                            assert extracted is not None
                            return _bounded_member(extracted, limit, name, self.archive)
            except (tarfile.TarError, zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
                raise InputError(
                    f"cannot read {name} from this sdist: {_reason(exc)}", source=self.archive
                ) from None
        raise InputError(f"no file {name!r} in this sdist", source=self.archive)

    def sha256(self) -> str | None:
        """The sdist's SHA-256 (None for a directory)."""
        return _digest(self.archive, "sha256") if self.archive else None


def _digest(path: str, algorithm: str) -> str:
    import hashlib  # noqa: PLC0415

    from extdeps.data.files import open_regular  # noqa: PLC0415

    digest = hashlib.new(algorithm)
    with open_regular(path, InputError) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def file_digests(path: str) -> dict[str, str]:
    """SHA-256 and SHA-512 of a file (an sdist a recipe names)."""
    return {"sha256": _digest(path, "sha256"), "sha512": _digest(path, "sha512")}
