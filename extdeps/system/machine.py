"""The system being examined, behind one small interface.

:class:`System` holds the root directory, the environment variables and the
way programs are run (argument lists, a timeout, return codes checked). Probes
receive one; tests pass a fake root and environment. This module and the probe
modules are the only code in extdeps that runs subprocesses.
"""

from __future__ import annotations

import os

from extdeps.data.cache import cache_dir as default_cache_dir
from extdeps.data.cache import read_cache_file, write_cache_file
from extdeps.model.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

__all__ = ["Cache", "Run", "System", "is_root"]


class Run(Record):
    """The outcome of running a program: ``returncode`` is ``None`` when it could not
    run at all (not found, timed out, killed); ``error`` says why."""

    __slots__ = ("argv", "returncode", "stdout", "stderr", "error")
    argv: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    error: str | None

    def __init__(
        self,
        *,
        argv: Sequence[str],
        returncode: int | None,
        stdout: str = "",
        stderr: str = "",
        error: str | None = None,
    ) -> None:
        self._set(
            argv=tuple(argv), returncode=returncode, stdout=stdout, stderr=stderr, error=error
        )

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Cache:
    """A small cache on disk for results that are expensive to get again.

    Entries are keyed by a fingerprint of everything they depend on (see
    :meth:`System.fingerprint`), so a stale entry is never used.
    ``EXTDEPS_CACHE_DIR=none`` (or ``directory=None``) disables it. Values are
    plain data (dicts, lists, strings, numbers). Every kind of entry lives in one
    file, ``system.marshal``, read once per process and shared by the
    :class:`System` objects of that process: a cold run writes one file, not one
    per kind (see :func:`extdeps.data.cache.defer_writes`).
    """

    def __init__(self, directory: str | None) -> None:
        self.directory = directory

    def _document(self) -> dict[str, Any] | None:
        if self.directory is None:
            return None
        path = os.path.join(self.directory, _FILE)
        document = _documents.get(path)
        if document is None:
            stored = read_cache_file(path)
            document = stored if type(stored) is dict else {}
            _documents[path] = document
        return document

    def get(self, kind: str, key: str) -> Any:
        document = self._document()
        entries = document.get(kind) if document is not None else None
        return entries.get(key) if type(entries) is dict else None

    def put(self, kind: str, key: str, value: Any, *, keep: int = 64) -> None:
        document = self._document()
        if document is None:
            return
        entries = document.get(kind)
        if type(entries) is not dict:
            entries = document[kind] = {}
        entries.pop(key, None)
        entries[key] = value
        while len(entries) > keep:
            del entries[next(iter(entries))]
        assert self.directory is not None
        write_cache_file(os.path.join(self.directory, _FILE), document)


_FILE = "system.marshal"
# the documents read in this process, by path (shared by every System)
_documents: dict[str, dict[str, Any]] = {}


class System:
    """The machine under examination (the running one by default)."""

    def __init__(
        self,
        *,
        root: str = "/",
        environ: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        cache_dir: str | bool | None = True,
    ) -> None:
        if not isinstance(root, str):
            raise TypeError(f"root: expected a string, got {type(root).__name__}")
        self.root = root
        self.environ: Mapping[str, str] = dict(os.environ if environ is None else environ)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in self.environ.items()):
            raise TypeError("environ: expected a mapping of strings to strings")
        self.timeout = timeout
        if cache_dir is True:
            self.cache = Cache(default_cache_dir(self.environ))
        else:
            self.cache = Cache(cache_dir if isinstance(cache_dir, str) else None)
        self._which: dict[str, str | None] = {}
        self._started: dict[tuple[str, ...], Any] = {}

    def path(self, absolute: str) -> str:
        """``absolute`` (a path on the examined system) as a path here."""
        if self.root in ("", "/"):
            return absolute
        return os.path.join(self.root, absolute.lstrip("/"))

    def read_text(self, absolute: str) -> str | None:
        try:
            with open(self.path(absolute), encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return None

    def fingerprint(self, *paths: str) -> str:
        """A key that changes when any of the files (or directories) change.

        Each path counts with what it resolves to (symbolic links followed) and
        that file's size, modification and change times and inode: a file
        rewritten in place, or replaced by another of the same size whose
        modification time was set back, still changes its change time or inode.
        """
        parts = []
        for path in paths:
            try:
                st = os.stat(path)
                real = os.path.realpath(path)
            except (OSError, ValueError):
                parts.append(f"{path}:-")
                continue
            parts.append(
                f"{path}>{real}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
            )
        return "|".join(parts)

    def which(self, name: str) -> str | None:
        """Find an executable on the examined system's PATH."""
        if name in self._which:
            return self._which[name]
        found: str | None = None
        if os.sep in name:
            candidate = self.path(name) if os.path.isabs(name) else name
            found = candidate if os.access(candidate, os.X_OK) else None
        else:
            for directory in self.environ.get("PATH", os.defpath).split(os.pathsep):
                if not directory:
                    continue
                candidate = os.path.join(self.path(directory), name)
                if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                    found = candidate
                    break
        self._which[name] = found
        return found

    def _environment(self, env: Mapping[str, str] | None) -> dict[str, str]:
        merged = dict(self.environ)
        if env:
            merged.update(env)
        merged.setdefault("LC_ALL", "C")
        return merged

    def start(self, argv: Sequence[str]) -> None:
        """Begin running a program that a later :meth:`run` of the same arguments
        (no ``env``, no ``cwd``) will ask for, so that the programs a check needs
        run side by side, and alongside extdeps' own work, instead of one after
        another. :meth:`run` still decides what each result means; programs
        nobody asked for are stopped by :meth:`settle`. Nothing happens where
        programs are not started with posix_spawn, or where ``run`` is replaced
        (a test's fake system)."""
        key = tuple(argv)
        if not _SPAWN or key in self._started or "run" in vars(self):
            return
        if type(self).run is not System.run:
            return
        self._started[key] = _begin(list(argv), self._environment(None))

    def settle(self) -> None:
        """Stop the programs :meth:`start` began that no :meth:`run` asked for."""
        started, self._started = self._started, {}
        for begun in started.values():
            if not isinstance(begun, Run):
                _abandon(begun)

    def run(
        self,
        argv: Sequence[str],
        *,
        timeout: float | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> Run:
        """Run a program (an argument list, never a shell) and capture its output."""
        limit = timeout or self.timeout
        if not env and cwd is None and self._started:
            begun = self._started.pop(tuple(argv), None)
            if begun is not None:  # begun by start(): collect it
                return begun if isinstance(begun, Run) else _finish(list(argv), begun, limit)
        merged = self._environment(env)
        if cwd is None and _SPAWN:
            return _spawn(list(argv), merged, limit)
        import subprocess  # noqa: PLC0415 - a warm check runs nothing; keep start-up cheap

        try:
            done = subprocess.run(
                list(argv),
                capture_output=True,
                text=True,
                errors="replace",
                timeout=limit,
                env=merged,
                stdin=subprocess.DEVNULL,
                check=False,
                cwd=cwd,
            )
        except FileNotFoundError:
            return Run(argv=argv, returncode=None, error=f"{argv[0]}: not found")
        except PermissionError:
            return Run(argv=argv, returncode=None, error=f"{argv[0]}: permission denied")
        except subprocess.TimeoutExpired:
            return Run(
                argv=argv,
                returncode=None,
                error=f"{argv[0]}: timed out after {limit:g}s",
            )
        except OSError as exc:
            return Run(argv=argv, returncode=None, error=f"{argv[0]}: {exc.strerror}")
        if done.returncode < 0:
            return Run(
                argv=argv,
                returncode=None,
                stdout=done.stdout,
                stderr=done.stderr,
                error=f"{argv[0]}: killed by signal {-done.returncode}",
            )
        return Run(argv=argv, returncode=done.returncode, stdout=done.stdout, stderr=done.stderr)


# Where the platform has posix_spawn, programs are run without the subprocess
# module, whose import (signal, threading, selectors, locale and re behind it)
# costs a third of an interpreter start on every cold run.
_SPAWN = hasattr(os, "posix_spawn") and hasattr(os, "waitstatus_to_exitcode")


def _executable(name: str, environ: Mapping[str, str]) -> str:
    """``name`` found on the PATH of the environment the program gets, as
    subprocess looks it up; ``name`` itself when not found (the spawn says so)."""
    if os.sep in name:
        return name
    for directory in os.get_exec_path(dict(environ)):
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return name


def _default_signals() -> tuple[int, ...]:
    """The signals Python ignores that a child should get back (subprocess's
    ``restore_signals``), without importing ``signal`` (it imports ``enum``)."""
    try:
        import _signal  # type: ignore[import-not-found]  # noqa: PLC0415 - the C half of signal
    except ImportError:  # pragma: no cover - another Python implementation
        import signal as _signal  # noqa: PLC0415
    return tuple(
        getattr(_signal, name)
        for name in ("SIGPIPE", "SIGXFZ", "SIGXFSZ")
        if hasattr(_signal, name)
    )


def _spawn(argv: list[str], environ: dict[str, str], timeout: float) -> Run:
    """``subprocess.run(argv, capture_output=True, text=True, errors="replace",
    stdin=DEVNULL, timeout=...)`` on posix_spawn: stdin from /dev/null, stdout and
    stderr read together until both close, the program killed at the deadline,
    the signals Python ignores restored to their defaults; output decoded as
    UTF-8 with universal newlines. Our own descriptors are close-on-exec (PEP 446),
    so the program gets only these three."""
    begun = _begin(argv, environ)
    return begun if isinstance(begun, Run) else _finish(argv, begun, timeout)


def _begin(argv: list[str], environ: dict[str, str]) -> tuple[int, int, int] | Run:
    """The program started (its pid and the read ends of its stdout and stderr),
    or the :class:`Run` saying why it could not start."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, out_w, 1),
        (os.POSIX_SPAWN_DUP2, err_w, 2),
    ]
    try:
        try:
            pid = os.posix_spawn(
                _executable(argv[0], environ),
                argv,
                environ,
                file_actions=actions,
                setsigdef=_default_signals(),
            )
        finally:
            os.close(out_w)
            os.close(err_w)
    except OSError as exc:
        os.close(out_r)
        os.close(err_r)
        if isinstance(exc, FileNotFoundError):
            error = f"{argv[0]}: not found"
        elif isinstance(exc, PermissionError):
            error = f"{argv[0]}: permission denied"
        else:
            error = f"{argv[0]}: {exc.strerror}"
        return Run(argv=argv, returncode=None, error=error)
    return pid, out_r, err_r


def _abandon(begun: tuple[int, int, int]) -> None:
    """Stop a started program nobody needs, and reap it."""
    pid, out_r, err_r = begun
    try:  # noqa: SIM105 - contextlib would be one more import
        os.kill(pid, 9)  # SIGKILL
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(out_r)
    os.close(err_r)


def _finish(argv: list[str], begun: tuple[int, int, int], timeout: float) -> Run:
    """Read a started program's output until both streams close, wait for it to
    exit (killing it at the deadline), and say how it went."""
    import select  # noqa: PLC0415 - a C module: no imports behind it
    import time  # noqa: PLC0415

    pid, out_r, err_r = begun
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    timed_out = False
    try:
        poller = select.poll()
        for fd in chunks:
            poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        open_fds = set(chunks)
        deadline = time.monotonic() + timeout
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            for fd, _ in poller.poll(left * 1000):
                data = os.read(fd, 65536)
                if data:
                    chunks[fd].append(data)
                else:
                    poller.unregister(fd)
                    open_fds.discard(fd)
        status = None
        pause = 0.0005
        while not timed_out:  # output closed: the program has the rest of the time to exit
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() >= deadline:
                timed_out = True
            else:
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
    except BaseException:
        timed_out = True  # interrupted: do not leave the program behind
        raise
    finally:
        if timed_out:
            _abandon(begun)
        else:
            os.close(out_r)
            os.close(err_r)
    stdout, stderr = (
        b"".join(chunks[fd]).decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
        for fd in (out_r, err_r)
    )
    if timed_out:
        return Run(argv=argv, returncode=None, error=f"{argv[0]}: timed out after {timeout:g}s")
    assert status is not None
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        return Run(
            argv=argv,
            returncode=None,
            stdout=stdout,
            stderr=stderr,
            error=f"{argv[0]}: killed by signal {-code}",
        )
    return Run(argv=argv, returncode=code, stdout=stdout, stderr=stderr)


def is_root() -> bool:
    """Whether extdeps runs as root (so install commands need no ``sudo``)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0
