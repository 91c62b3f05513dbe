"""Making the compiled forms of the shipped data (see :mod:`extdeps.data.compiled`);
run by the build (``hatch_build.py``), never by a command."""

from __future__ import annotations

import os
import sys

from extdeps import __version__
from extdeps.data.cache import _write
from extdeps.data.compiled import IDENTITY, PACKAGE
from extdeps.data.files import parse_json_bytes
from extdeps.data.registry import Registry
from extdeps.model.errors import ExtdepsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["compile_data"]


def compile_data(source: str, target: str, *, source_checkout: bool) -> list[str]:
    """Write the compiled forms of every JSON file of ``source`` (a ``mappings/``
    directory) into ``target``; return the names written. A file that does not
    load is left out (its loader reports it at run time).

    ``source_checkout``: the forms are for the package in this source tree (an
    editable install), so they also name the modules that made them, which a
    later edit changes; a wheel's are tied to its version.
    """
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
            if file and os.path.abspath(file).startswith(PACKAGE + os.sep):
                st = os.stat(file)
                relative = os.path.relpath(os.path.abspath(file), PACKAGE)
                modules.append([relative, st.st_size, st.st_mtime_ns])
    _write(os.path.join(target, IDENTITY), [__version__, sorted(modules)])
    return [*written, IDENTITY]
