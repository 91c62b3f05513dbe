"""The cache directory and its files.

Cache files are written atomically and read defensively: a missing, unreadable
or foreign file is a miss, never an error.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["cache_dir", "file_stamp", "path_key", "read_cache_file", "write_cache_file"]

# Cache files are marshal data (what ``__pycache__`` holds): the fastest format
# Python reads without an import. The first item names the format, so a file from
# another version of extdeps is a miss, never a misread: change it whenever the
# shape of anything cached changes (registry rows, package indexes, projects).
_CACHE_FORMAT = "extdeps-cache-1"


# the extdeps package directory (this file is extdeps/data/files.py)
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


def path_key(path: str) -> str:
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
