"""Where the shipped data (registry, mappings, probes) lives, and cheap loaders for it.

In a wheel the ``mappings/`` directory of the source tree is installed as
``extdeps/mappings``; in a source checkout it sits next to the package. The
``EXTDEPS_DATA_DIR`` environment variable points somewhere else (tests, distros
that ship the data in ``/usr/share``).
"""

from __future__ import annotations

import os

from extdeps.data.cache import cache_dir, file_stamp, path_key, read_cache_file, write_cache_file
from extdeps.data.compiled import shipped_form
from extdeps.model.errors import ExtdepsError, MappingError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = [
    "LIMITS",
    "data_dir",
    "describe_limit",
    "load_derived",
    "load_json",
    "load_python_packages",
    "open_regular",
    "read_bounded",
]

# The most extdeps reads of each kind of input (bytes actually read, not what a
# header claims). Past them the input is refused with exit code 2, naming the
# limit: a pyproject.toml or METADATA of megabytes is not one a tool should
# trust, and a small file must not make extdeps use gigabytes of memory.
LIMITS = {
    "pyproject.toml": 4 << 20,
    "metadata": 4 << 20,
    "json": 16 << 20,
    "marker environment": 1 << 20,
}


def describe_limit(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit >> 10} KiB"


def open_regular(path: str, error: type[ExtdepsError] = MappingError) -> Any:
    """``path`` opened for binary reading, only when it is a regular file: a FIFO
    would block, a device (``/dev/zero``) never ends, a directory is no file."""
    import stat  # noqa: PLC0415

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error("file not found", source=path) from None
    except IsADirectoryError:
        raise error("is a directory, not a file", source=path) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", source=path) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise error("is a directory, not a file", source=path)
        if not stat.S_ISREG(mode):
            kind = (
                "a FIFO"
                if stat.S_ISFIFO(mode)
                else "a device"
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket"
                if stat.S_ISSOCK(mode)
                else "not a regular file"
            )
            raise error(f"{kind}: extdeps reads only regular files", source=path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(
    path: str, limit: int, *, what: str, error: type[ExtdepsError] = MappingError
) -> bytes:
    """A regular file's bytes, refused past ``limit`` bytes actually read."""
    with open_regular(path, error) as handle:
        try:
            data: bytes = handle.read(limit + 1)
        except OSError as exc:
            raise error(f"cannot read: {exc.strerror}", source=path) from None
    if len(data) > limit:
        raise error(
            f"larger than the {describe_limit(limit)} limit for {what}",
            source=path,
            hint="extdeps refuses inputs this large (see README: limits)",
        )
    return data


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
    """``compute()``: the compiled form shipped with extdeps when there is a sound
    one (see :mod:`extdeps.data.compiled`), else kept in the cache directory keyed
    by :func:`file_stamp`."""
    found, value = shipped_form(path, prefix)
    if found:
        return value
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
    cached) and returns plain data that is quick to turn back into objects. Only
    the derived form is kept: the parsed document would be a second copy.
    """
    return _cached(path, f"{kind}-", lambda: derive(_parse_json(path)))


def load_json(path: str | os.PathLike[str]) -> Any:
    """Load a JSON document, turning every failure into one located :class:`MappingError`.

    The parsed document is kept in the cache directory, keyed by the file's path,
    size, times and inode, so that an unchanged file is not parsed again (nor the
    :mod:`json` module imported)."""
    text = os.fspath(path)
    return _cached(text, "", lambda: _parse_json(text))


def _parse_json(path: str, limit: int = LIMITS["json"], what: str = "a JSON document") -> Any:
    return parse_json_bytes(read_bounded(path, limit, what=what), path)


class _ScannerContext:
    """What ``json.JSONDecoder`` hands its C scanner: the defaults of ``json.loads``."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {
        "-Infinity": float("-inf"),
        "Infinity": float("inf"),
        "NaN": float("nan"),
    }.__getitem__


def _scan_json(text: str) -> Any:
    """``json.loads(text)`` for a valid document, through the C scanner that
    ``json`` itself uses, without importing ``json`` (its decoder imports ``re``,
    which imports ``enum``: a quarter of an interpreter start on a cold run).
    Raises on anything else; the caller then asks ``json`` for its error."""
    import _json  # noqa: PLC0415 - the C accelerator of json: no imports behind it

    scan = _json.make_scanner(_ScannerContext())  # type: ignore[arg-type]  # duck-typed context
    start = len(text) - len(text.lstrip(" \t\n\r"))
    value, end = scan(text, start)
    if text[end:].strip(" \t\n\r"):
        raise ValueError("extra data")
    return value


def parse_json_bytes(raw: bytes, path: str) -> Any:
    """JSON from bytes, every failure one located :class:`MappingError`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MappingError(f"not valid UTF-8 at byte {exc.start}", source=str(path)) from None
    try:
        return _scan_json(text)
    except Exception:  # json itself decides, and words the error
        pass
    import json  # noqa: PLC0415

    try:
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise MappingError(f"not valid UTF-8 at byte {exc.start}", source=str(path)) from None
    except RecursionError:
        raise MappingError("invalid JSON: nested too deeply", source=str(path)) from None
    except ValueError as exc:
        if not isinstance(exc, json.JSONDecodeError):  # a number past the digit limit
            raise MappingError(f"invalid JSON: {exc}", source=str(path)) from None
        raise MappingError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", source=str(path)
        ) from None


def load_python_packages(path: str | None = None) -> dict[str, dict[str, str | None]]:
    """``python-packages.json``: PyPI name -> ecosystem -> that ecosystem's package
    (verified names; None where the ecosystem has none or nobody could confirm one)."""
    file = path or os.path.join(data_dir(), "python-packages.json")
    if not os.path.exists(file):
        return {}
    document = load_json(file)
    packages = document.get("packages") if isinstance(document, dict) else None
    if not isinstance(packages, dict):
        raise MappingError("expected a table", source=file, key="packages")
    out: dict[str, dict[str, str | None]] = {}
    for name, names in packages.items():
        if not isinstance(name, str) or not isinstance(names, dict):
            raise MappingError(
                "expected a table of ecosystems", source=file, key=f"packages.{name}"
            )
        for ecosystem, value in names.items():
            if value is not None and not (isinstance(value, str) and value):
                raise MappingError(
                    "expected a package name or null",
                    source=file,
                    key=f"packages.{name}.{ecosystem}",
                )
        out[name] = dict(names)
    return out
