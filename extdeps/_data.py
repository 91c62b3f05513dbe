"""Where the shipped data (registry, mappings, probes) lives, and cheap loaders for it.

In a wheel the ``mappings/`` directory of the source tree is installed as
``extdeps/mappings``; in a source checkout it sits next to the package. The
``EXTDEPS_DATA_DIR`` environment variable points somewhere else (tests, distros
that ship the data in ``/usr/share``).
"""

from __future__ import annotations

import functools
import os

from ._errors import MappingError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["data_dir", "load_json", "virtual_namespaces"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def data_dir() -> str:
    """The directory holding ``registry.json`` and the ``*.mapping.json`` files."""
    override = os.environ.get("EXTDEPS_DATA_DIR")
    if override:
        return override
    installed = os.path.join(_HERE, "mappings")
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(_HERE), "mappings")


def load_json(path: str | os.PathLike[str]) -> Any:
    """Load a JSON document, turning every failure into one located :class:`MappingError`."""
    import json  # noqa: PLC0415 - keeps the import cost off commands that need no data

    path = os.fspath(path)
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


@functools.cache
def virtual_namespaces() -> frozenset[str]:
    """The namespaces a ``dep:virtual/...`` DepURL may use, read from the shipped data."""
    path = os.path.join(data_dir(), "virtual-namespaces.json")
    document = load_json(path)
    namespaces = document.get("namespaces") if isinstance(document, dict) else None
    if not isinstance(namespaces, dict) or not all(isinstance(k, str) for k in namespaces):
        raise MappingError("expected a table of namespaces", source=path, key="namespaces")
    return frozenset(namespaces)
