"""Compare another registry and mapping set with extdeps' own.

What ``extdeps registry compare DIR`` reports: the tool the maintainers of two
data sets (extdeps' and PEP 804's published one, say) use to converge. Ids are
compared in canonical form; for each ecosystem both sets map, the first entry
of every id both map is compared category by category, as ``map`` would use it.
"""

from __future__ import annotations

import os

from extdeps.data.mapping import CATEGORIES, EcosystemMapping, load_mapping
from extdeps.data.registry import Registry, load_registry
from extdeps.model.depurl import DepURL
from extdeps.model.errors import ExtdepsError, InvalidDepURL

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["compare_data"]


def _describe(registry: Registry, ident: str) -> str:
    definition = registry.get(ident)
    if definition is None:
        return "absent"
    if definition.is_alias:
        return f"alias of {registry.canonical(ident)}"
    return "canonical"


def _known_as(registry: Registry, ident: str) -> str | None:
    """What a DepURL with this id resolves to in ``registry`` when the id itself is
    not there but its qualifier-less form is (``dep:generic/cmake?repository_url=...``)."""
    try:
        url = DepURL.parse(ident)
    except InvalidDepURL:
        return None
    return registry.canonical(url.id) if url.id != ident and url.id in registry else None


def compare_registries(ours: Registry, theirs: Registry) -> dict[str, Any]:
    """Ids only one registry has, and ids both have but see differently (an alias
    in one and canonical in the other, or aliases of different ids)."""
    our_ids = {d.id for d in ours}
    their_ids = {d.id for d in theirs}
    differ = []
    for ident in sorted(our_ids & their_ids):
        mine, yours = _describe(ours, ident), _describe(theirs, ident)
        if mine != yours:
            differ.append({"id": ident, "ours": mine, "theirs": yours})
    return {
        "only_theirs": [
            {"id": i, "resolves_as": _known_as(ours, i)} for i in sorted(their_ids - our_ids)
        ],
        "only_ours": sorted(our_ids - their_ids),
        "differ": differ,
        "normalized": [{"written": w, "canonical": c} for w, c in theirs.normalized],
    }


def _first_specs(mapping: EcosystemMapping, ident: str) -> dict[str, list[str]] | None:
    alternatives = mapping.alternatives(ident)
    if not alternatives:
        return None
    try:
        resolved = mapping.resolve(alternatives[0])
    except ExtdepsError:
        return None
    return {category: list(resolved.get(category, ())) for category in CATEGORIES}


def compare_mappings(ours: EcosystemMapping, theirs: EcosystemMapping) -> dict[str, Any]:
    """Ids only one mapping lists, and the first-entry names that differ."""
    our_ids, their_ids = set(ours.ids()), set(theirs.ids())
    differ = []
    for ident in sorted(our_ids & their_ids):
        mine, yours = _first_specs(ours, ident), _first_specs(theirs, ident)
        if mine is None or yours is None:
            continue
        for category in CATEGORIES:
            if mine[category] != yours[category]:
                differ.append(
                    {
                        "id": ident,
                        "category": category,
                        "ours": mine[category],
                        "theirs": yours[category],
                    }
                )
    return {
        "only_theirs": sorted(their_ids - our_ids),
        "only_ours": sorted(our_ids - their_ids),
        "differ": differ,
        "same": len(our_ids & their_ids) - len({d["id"] for d in differ}),
        "refused": [str(problem) for problem in theirs.warnings()],
    }


def compare_data(directory: str) -> dict[str, Any]:
    """The registry and every ``*.mapping.json`` of ``directory`` against the
    shipped ones (raises :class:`ExtdepsError` when ``directory`` has no
    readable registry)."""
    from extdeps.data.files import data_dir  # noqa: PLC0415

    registry_path = os.path.join(directory, "registry.json")
    if not os.path.isfile(registry_path):
        raise ExtdepsError("no registry.json in this directory", source=directory)
    theirs = load_registry(registry_path)
    ours = load_registry()
    ecosystems: dict[str, Any] = {}
    names = sorted(f for f in os.listdir(directory) if f.endswith(".mapping.json"))
    for name in names:
        ecosystem = name.removesuffix(".mapping.json")
        path = os.path.join(directory, name)
        try:
            their_mapping = load_mapping(os.path.abspath(path))
        except ExtdepsError as exc:
            ecosystems[ecosystem] = {"error": str(exc).splitlines()[0]}
            continue
        ours_path = os.path.join(data_dir(), name)
        if not os.path.isfile(ours_path):
            ecosystems[ecosystem] = {
                "error": None,
                "shipped": False,
                "entries": len(their_mapping.ids()),
                "refused": [str(p) for p in their_mapping.warnings()],
            }
            continue
        row = compare_mappings(load_mapping(ecosystem), their_mapping)
        ecosystems[ecosystem] = {"error": None, "shipped": True, **row}
    return {"registry": compare_registries(ours, theirs), "ecosystems": ecosystems}
