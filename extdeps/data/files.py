"""Where the shipped data (registry, mappings, probes) lives, and cheap loaders for it.

In a wheel the ``mappings/`` directory of the source tree is installed as
``extdeps/mappings``; in a source checkout it sits next to the package. The
``EXTDEPS_DATA_DIR`` environment variable points somewhere else (tests, distros
that ship the data in ``/usr/share``).
"""

from __future__ import annotations

import os

from extdeps.data.cache import cache_dir, file_stamp, path_key, read_cache_file, write_cache_file
from extdeps.model.errors import MappingError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["data_dir", "load_derived", "load_json"]

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


def _cached(path: str, prefix: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept in the cache directory keyed by :func:`file_stamp`."""
    stamp = file_stamp(path)
    directory = cache_dir()
    if stamp is None or directory is None:
        return compute()  # an unreadable file: compute() reports it
    cached_at = os.path.join(directory, "data", f"{prefix}{path_key(stamp[0])}.marshal")
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
