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

__all__ = [
    "cache_dir",
    "defer_writes",
    "file_stamp",
    "path_key",
    "read_cache_file",
    "trusted",
    "write_cache_file",
    "written",
]

# Cache files are marshal data (what ``__pycache__`` holds): the fastest format
# Python reads without an import. The first item names the format, so a file from
# another version of extdeps is a miss, never a misread: change it whenever the
# shape of anything cached changes (registry rows, package indexes, projects).
_CACHE_FORMAT = "extdeps-cache-3"


def cache_dir(environ: Mapping[str, str] | None = None) -> str | None:
    """Where extdeps keeps its caches: ``EXTDEPS_CACHE_DIR`` (``none`` turns caching
    off), else ``$XDG_CACHE_HOME/extdeps`` or ``~/.cache/extdeps``; None when
    caching is off or the directory cannot be trusted (see :func:`trusted`)."""
    env = os.environ if environ is None else environ
    configured = env.get("EXTDEPS_CACHE_DIR")
    if configured:
        if configured.lower() == "none":
            return None
        return configured if trusted(configured) else None
    base = env.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None  # no home directory: cache nothing rather than write into the cwd
        base = os.path.join(home, ".cache")
    directory = os.path.join(base, "extdeps")
    return directory if trusted(directory) else None


_verdicts: dict[str, bool] = {}


def trusted(directory: str) -> bool:
    """Whether a cache directory is safe to use, as pip and ssh decide for theirs.

    Whoever can write the cache controls extdeps' answers (and marshal data is
    not safe against a malicious writer), so the directory must be a real
    directory (not a symbolic link) owned by the current user and writable by
    nobody else, in a parent that others cannot rename it out of (not writable
    by others, or sticky like /tmp). A directory that does not exist yet is
    created private (0700) on first write. An untrusted one is not used: the
    run goes on uncached, after one warning on stderr.
    """
    known = _verdicts.get(directory)
    if known is not None:
        return known
    problem = _problem(directory)
    if problem is not None:
        import sys  # noqa: PLC0415

        print(
            f"extdeps: warning: not using the cache directory {directory}: {problem}; "
            "running without a cache",
            file=sys.stderr,
        )
    _verdicts[directory] = problem is None
    return problem is None


def _problem(directory: str) -> str | None:
    import stat  # noqa: PLC0415

    getuid = getattr(os, "geteuid", None)
    if getuid is None:  # pragma: no cover - Windows: ownership is not checked
        return None
    uid = getuid()
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        return f"cannot examine it ({exc.strerror})"
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            return "it is a symbolic link"
        if not stat.S_ISDIR(st.st_mode):
            return "it is not a directory"
        if st.st_uid != uid:
            return f"it is owned by another user (uid {st.st_uid})"
        if st.st_mode & 0o022:
            return "it is writable by group or others"
    parent = os.path.dirname(os.path.abspath(directory))
    try:
        pst = os.stat(parent)
    except OSError:
        return None  # created on first write, when the parent exists
    if pst.st_mode & 0o002 and not pst.st_mode & stat.S_ISVTX:
        return f"its parent {parent} is writable by others"
    return None


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


def _private_dirs(directory: str) -> None:
    """Create ``directory`` and the missing directories above it, each 0700 (so
    a umask of 002 cannot make the cache group-writable)."""
    missing = []
    current = os.path.abspath(directory)
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for path in reversed(missing):
        try:  # noqa: SIM105 - contextlib would be one more import on every run
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass


# paths -> values written at the end of the run (see defer_writes); None: at once
_pending: dict[str, Any] | None = None


def defer_writes() -> None:
    """Keep the cache files this process writes until :func:`written`, each once
    with its last value: a command-line run (which may update one file several
    times) ends with one write per file."""
    global _pending  # noqa: PLW0603 - one switch for the whole process
    if _pending is None:
        _pending = {}


def written() -> None:
    """Write what :func:`defer_writes` kept, and write at once from now on."""
    global _pending
    pending, _pending = _pending, None
    for path, value in (pending or {}).items():
        _write(path, value)


def write_cache_file(path: str, value: Any) -> None:
    """Store ``value`` (plain data: dicts, lists, strings, numbers) atomically; a
    cache that cannot be written only costs time."""
    if _pending is not None:
        _pending.pop(path, None)
        _pending[path] = value
        return
    _write(path, value)


def _write(path: str, value: Any) -> None:
    import marshal  # noqa: PLC0415

    try:
        data = marshal.dumps((_CACHE_FORMAT, value))
        _private_dirs(os.path.dirname(path))
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
