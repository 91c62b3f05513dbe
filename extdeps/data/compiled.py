"""The shipped data in the form a run loads fastest, made when extdeps is built
(by :mod:`extdeps.data.compile`).

``mappings/`` holds the one source of truth (JSON). Building a wheel (or an
editable install) also writes, for each shipped JSON file, what the loaders of
:mod:`extdeps.data.files` would otherwise compute on a first run: the parsed
document, and for ``registry.json`` the validated registry. They go to
``extdeps/_compiled/`` as ``marshal`` data, each next to a copy of the JSON bytes
it was made from. A run uses one only when

- the file sits in the package's own data directory (never one another user could
  have written: ``EXTDEPS_DATA_DIR`` and files named on the command line are read
  as JSON),
- the JSON it was made from is byte for byte the file on disk now, and
- it was made by this code: the same extdeps version and cache format, and in a
  source checkout the same size and modification time of every module that made it.

Anything else is ignored, and the run reads the JSON (and fills the per-user
cache) as it would without this directory: a stale form is never served.
"""

from __future__ import annotations

import os

from extdeps.data.cache import read_cache_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["DIRECTORY", "IDENTITY", "PACKAGE", "shipped_form"]

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRECTORY = os.path.join(PACKAGE, "_compiled")
IDENTITY = "identity.marshal"

# whether this directory's forms were made by the running code (None: not asked yet)
_trusted: bool | None = None


def _shipped_data_dirs() -> tuple[str, ...]:
    """The package's own data directory: installed, or the source checkout's."""
    return (os.path.join(PACKAGE, "mappings"), os.path.join(os.path.dirname(PACKAGE), "mappings"))


def _identity_holds() -> bool:
    global _trusted  # noqa: PLW0603 - asked once per process
    if _trusted is None:
        from extdeps import __version__  # noqa: PLC0415

        stored = read_cache_file(os.path.join(DIRECTORY, IDENTITY))
        _trusted = (
            type(stored) is list
            and len(stored) == 2
            and stored[0] == __version__
            and type(stored[1]) is list
            and all(_same_module(entry) for entry in stored[1])
        )
    return _trusted


def _same_module(entry: Any) -> bool:
    if type(entry) is not list or len(entry) != 3 or type(entry[0]) is not str:
        return False
    try:
        st = os.stat(os.path.join(PACKAGE, entry[0]))
    except (OSError, ValueError):
        return False
    return [st.st_size, st.st_mtime_ns] == entry[1:]


def shipped_form(path: str, prefix: str) -> tuple[bool, Any]:
    """``(True, value)`` when a compiled form of the shipped file ``path`` (made for
    the loader ``prefix``) can be used; else ``(False, None)``."""
    directory, name = os.path.split(path)
    if directory not in _shipped_data_dirs():
        return False, None
    stored = read_cache_file(os.path.join(DIRECTORY, f"{prefix}{name}.marshal"))
    if type(stored) is not list or len(stored) != 2 or type(stored[0]) is not bytes:
        return False, None
    if not _identity_holds():
        return False, None
    try:
        with open(path, "rb") as handle:
            current = handle.read(len(stored[0]) + 1)
    except OSError:
        return False, None
    if current != stored[0]:
        return False, None
    return True, stored[1]
