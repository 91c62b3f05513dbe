"""Where the shipped data (registry, mappings, probes) lives, and cheap loaders for it.

In a wheel the ``mappings/`` directory of the source tree is installed as
``extdeps/mappings``; in a source checkout it sits next to the package. The
``EXTDEPS_DATA_DIR`` environment variable points somewhere else (tests, distros
that ship the data in ``/usr/share``).
"""

from __future__ import annotations

import os

from extdeps.model.errors import MappingError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

__all__ = [
    "cache_dir",
    "data_dir",
    "file_stamp",
    "load_derived",
    "load_json",
]

# Cache files are marshal data (what ``__pycache__`` holds): the fastest format
# Python reads without an import. The first item names the format, so a file from
# another version of extdeps is a miss, never a misread: change it whenever the
# shape of anything cached changes (registry rows, package indexes, projects).
_CACHE_FORMAT = "extdeps-cache-1"

# the extdeps package directory (this file is extdeps/data/files.py)
_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def data_dir() -> str:
    """The directory holding ``registry.json`` and the ``*.mapping.json`` files."""
    override = os.environ.get("EXTDEPS_DATA_DIR")
    if override:
        return override
    installed = os.path.join(_HERE, "mappings")
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(_HERE), "mappings")


def cache_dir(environ: Mapping[str, str] | None = None) -> str | None:
    """Where extdeps keeps its caches: ``EXTDEPS_CACHE_DIR`` (``none`` turns caching
    off), else ``$XDG_CACHE_HOME/extdeps`` or ``~/.cache/extdeps``."""
    env = os.environ if environ is None else environ
    configured = env.get("EXTDEPS_CACHE_DIR")
    if configured:
        return None if configured.lower() == "none" else configured
    base = env.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None  # no home directory: cache nothing rather than write into the cwd
        base = os.path.join(home, ".cache")
    return os.path.join(base, "extdeps")


def read_cache_file(path: str) -> Any:
    """The value stored by :func:`write_cache_file`, or ``None`` (absent, unreadable,
    another format)."""
    import marshal  # noqa: PLC0415 - built in: costs nothing

    try:
        with open(path, "rb") as handle:
            stored = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if type(stored) is not tuple or len(stored) != 2 or stored[0] != _CACHE_FORMAT:
        return None
    return stored[1]


def write_cache_file(path: str, value: Any) -> None:
    """Store ``value`` (plain data: dicts, lists, strings, numbers) atomically; a
    cache that cannot be written only costs time."""
    import marshal  # noqa: PLC0415

    try:
        data = marshal.dumps((_CACHE_FORMAT, value))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass


def _path_key(path: str) -> str:
    """A stable file name for a path (64-bit FNV-1a; ``hash()`` is salted per process)."""
    value = 0xCBF29CE484222325
    for byte in path.encode("utf-8", "surrogateescape"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def file_stamp(path: str) -> list[Any] | None:
    """What identifies a file's content for a cache: absolute path, size,
    modification and change times, inode; ``None`` when it cannot be examined."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [os.path.abspath(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def _cached(path: str, prefix: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept in the cache directory keyed by :func:`file_stamp`."""
    stamp = file_stamp(path)
    directory = cache_dir()
    if stamp is None or directory is None:
        return compute()  # an unreadable file: compute() reports it
    cached_at = os.path.join(directory, "data", f"{prefix}{_path_key(stamp[0])}.marshal")
    cached = read_cache_file(cached_at)
    if type(cached) is list and len(cached) == 2 and cached[0] == stamp:
        return cached[1]
    value = compute()
    write_cache_file(cached_at, [stamp, value])
    return value


def load_derived(path: str, kind: str, derive: Callable[[Any], Any]) -> Any:
    """``derive(load_json(path))``, cached on disk like :func:`load_json`.

    ``derive`` validates the document (raising for bad data, which is never
    cached) and returns plain data that is quick to turn back into objects.
    """
    return _cached(path, f"{kind}-", lambda: derive(load_json(path)))


def load_json(path: str | os.PathLike[str]) -> Any:
    """Load a JSON document, turning every failure into one located :class:`MappingError`.

    The parsed document is kept in the cache directory, keyed by the file's path,
    size, times and inode, so that an unchanged file is not parsed again (nor the
    :mod:`json` module imported)."""
    text = os.fspath(path)
    return _cached(text, "", lambda: _parse_json(text))


def _parse_json(path: str) -> Any:
    import json  # noqa: PLC0415 - keeps the import cost off commands that need no data

    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise MappingError("file not found", source=path) from None
    except OSError as exc:
        raise MappingError(f"cannot read: {exc.strerror}", source=path) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MappingError(f"not valid UTF-8 at byte {exc.start}", source=str(path)) from None
    except ValueError as exc:
        if not isinstance(exc, json.JSONDecodeError):  # pragma: no cover - json raises only this
            raise
        raise MappingError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", source=str(path)
        ) from None
