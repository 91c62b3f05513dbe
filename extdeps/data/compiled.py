"""The shipped data in the form a run loads fastest, made when extdeps is built.

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

__all__ = ["compile_data", "shipped_form"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRECTORY = os.path.join(_PACKAGE, "_compiled")
_IDENTITY = "identity.marshal"

# whether this directory's forms were made by the running code (None: not asked yet)
_trusted: bool | None = None


def _shipped_data_dirs() -> tuple[str, ...]:
    """The package's own data directory: installed, or the source checkout's."""
    return (os.path.join(_PACKAGE, "mappings"), os.path.join(os.path.dirname(_PACKAGE), "mappings"))


def _identity_holds() -> bool:
    global _trusted  # noqa: PLW0603 - asked once per process
    if _trusted is None:
        from extdeps import __version__  # noqa: PLC0415

        stored = read_cache_file(os.path.join(DIRECTORY, _IDENTITY))
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
        st = os.stat(os.path.join(_PACKAGE, entry[0]))
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


def compile_data(source: str, target: str, *, source_checkout: bool) -> list[str]:
    """Write the compiled forms of every JSON file of ``source`` (a ``mappings/``
    directory) into ``target``; return the names written. A file that does not
    load is left out (its loader reports it at run time).

    ``source_checkout``: the forms are for the package in this source tree (an
    editable install), so they also name the modules that made them, which a
    later edit changes; a wheel's are tied to its version.
    """
    import sys  # noqa: PLC0415

    from extdeps import __version__  # noqa: PLC0415
    from extdeps.data.cache import _write  # noqa: PLC0415
    from extdeps.data.files import parse_json_bytes  # noqa: PLC0415
    from extdeps.data.registry import Registry  # noqa: PLC0415
    from extdeps.model.errors import ExtdepsError  # noqa: PLC0415

    os.makedirs(target, exist_ok=True)
    for stale in os.listdir(target):
        if stale.endswith(".marshal"):
            os.unlink(os.path.join(target, stale))
    written = []
    for name in sorted(os.listdir(source)):
        path = os.path.join(source, name)
        if not name.endswith(".json") or not os.path.isfile(path):
            continue
        with open(path, "rb") as handle:
            raw = handle.read()
        try:
            document = parse_json_bytes(raw, path)
            forms = {"": document}
            if name == "registry.json":
                forms["registry-"] = Registry.from_document(document, source=path).compact()
        except ExtdepsError:
            continue
        for prefix, value in forms.items():
            _write(os.path.join(target, f"{prefix}{name}.marshal"), [raw, value])
            written.append(f"{prefix}{name}.marshal")
    modules: list[list[Any]] = []
    if source_checkout:
        for module in list(sys.modules.values()):
            file = getattr(module, "__file__", None)
            if file and os.path.abspath(file).startswith(_PACKAGE + os.sep):
                st = os.stat(file)
                relative = os.path.relpath(os.path.abspath(file), _PACKAGE)
                modules.append([relative, st.st_size, st.st_mtime_ns])
    _write(os.path.join(target, _IDENTITY), [__version__, sorted(modules)])
    return [*written, _IDENTITY]
