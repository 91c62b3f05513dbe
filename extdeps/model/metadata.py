"""Core metadata: ``Requires-External-Dep`` and ``Provides-External-Extra`` (PEP 725).

Only runtime dependencies go into metadata: ``[external].dependencies`` as they
are, each ``optional-dependencies`` group as ``Provides-External-Extra`` plus its
requirements with ``extra == '<name>'`` joined to their marker. Reading them back
from a wheel's ``METADATA``, an sdist's ``PKG-INFO`` or an installed
distribution gives the same runtime dependencies (the readers of those files are
in :mod:`extdeps.sources`).
"""

from __future__ import annotations

import re

from extdeps.model.errors import InvalidDepURL, InvalidDocument
from extdeps.model.external import External, normalize_name
from extdeps.model.record import LazyPattern
from extdeps.model.requirement import ExternalRequirement

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "EXTERNAL_FILE",
    "PROVIDES_FIELD",
    "REQUIRES_FIELD",
    "external_from_metadata",
    "metadata_fields",
]

REQUIRES_FIELD = "Requires-External-Dep"
# The file in a wheel's .dist-info directory that holds the two fields when they
# are not in METADATA (the build wrappers' default: see metadata-decisions.md)
EXTERNAL_FILE = "EXTERNAL"
PROVIDES_FIELD = "Provides-External-Extra"
_EXTRA_RE = LazyPattern(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def _with_extra(req: ExternalRequirement, extra: str) -> str:
    if req.marker is None:
        return f"{req.url}; extra == '{extra}'"
    return f"{req.url}; ({req.marker}) and extra == '{extra}'"


def metadata_fields(external: External) -> list[tuple[str, str]]:
    """The (field, value) pairs a build backend adds to METADATA / PKG-INFO."""
    fields: list[tuple[str, str]] = []
    for extra in sorted(external.optional_dependencies):
        fields.append((PROVIDES_FIELD, extra))
    for req in external.dependencies:
        fields.append((REQUIRES_FIELD, str(req)))
    for extra in sorted(external.optional_dependencies):
        for req in external.optional_dependencies[extra]:
            fields.append((REQUIRES_FIELD, _with_extra(req, extra)))
    return fields


def _without_extra(req: ExternalRequirement) -> ExternalRequirement:
    """The requirement as ``[external]`` writes it: the ``extra == ...`` clause that
    metadata adds is dropped again (the extra is the table key)."""
    text = str(req.marker)
    clause = r"""extra\s*==\s*['"][^'"]+['"]"""
    for pattern in (rf"^\((.*)\) and {clause}$", rf"^(.*) and {clause}$", rf"^{clause}$"):
        found = re.match(pattern, text)
        if found:
            rest = found.group(1) if found.groups() else ""
            if not rest:
                return ExternalRequirement(url=req.url)
            return ExternalRequirement.parse(f"{req.url}; {rest}")
    return req  # an extra clause elsewhere in the marker: kept as written


def external_from_metadata(
    requires: Iterable[str], provides: Iterable[str], *, source: str
) -> External:
    """Rebuild the runtime part of an ``[external]`` table from metadata fields."""
    errors = []
    base: list[ExternalRequirement] = []
    optional: dict[str, list[ExternalRequirement]] = {normalize_name(p): [] for p in provides}
    for i, value in enumerate(requires):
        try:
            req = ExternalRequirement.parse(value)
        except InvalidDepURL as exc:
            errors.append(exc.located(source=source, key=f"{REQUIRES_FIELD}[{i}]"))
            continue
        match = _EXTRA_RE.search(str(req.marker)) if req.marker is not None else None
        if match:
            optional.setdefault(normalize_name(match.group(1)), []).append(_without_extra(req))
        else:
            base.append(req)
    if errors:
        raise InvalidDocument(errors, source=source)
    return External(
        dependencies=tuple(base),
        optional_dependencies={k: tuple(v) for k, v in optional.items()},
    )
