"""``extdeps registry coverage`` (how much of the registry each shipped mapping
covers) and ``extdeps registry compare DIR`` (another data set against ours)."""

from __future__ import annotations

import os
import sys

from extdeps.cli.main import _document, _emit_json
from extdeps.data.files import data_dir
from extdeps.data.mapping import EcosystemMapping, load_mapping
from extdeps.data.registry import Registry, load_registry
from extdeps.model.errors import ExtdepsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from extdeps.cli.args import Namespace
    from extdeps.data.probes import Probes

__all__ = ["coverage", "register"]


def coverage(registry: Registry, mapping: EcosystemMapping) -> dict[str, Any]:
    """Counts of canonical ids that are mapped, explicitly unavailable, or absent."""
    mapped: list[str] = []
    unavailable: list[str] = []
    missing: list[str] = []
    for ident in registry.canonical_ids():
        alternatives = mapping.alternatives(ident)
        if not alternatives:
            missing.append(ident)
            continue
        try:
            specs = mapping.resolve(alternatives[0])
        except ExtdepsError:  # a broken specs_from counts as missing here
            missing.append(ident)
            continue
        if any(specs.get(c) for c in ("build", "host", "run")):
            mapped.append(ident)
        elif alternatives[0].extra_metadata.get("unverified"):
            missing.append(ident)  # listed, but nobody could confirm a name
        else:
            unavailable.append(ident)
    total = len(registry.canonical_ids()) or 1
    return {
        "total": total,
        "mapped": len(mapped),
        "unavailable": len(unavailable),
        "missing": len(missing),
        "mapped_share": round(len(mapped) / total, 4),
        "unavailable_share": round(len(unavailable) / total, 4),
        "missing_share": round(len(missing) / total, 4),
        "missing_ids": missing,
        "mapped_ids": mapped,
    }


def probe_coverage(registry: Registry, probes: Probes) -> dict[str, Any]:
    """How many non-virtual canonical ids ``check`` can look for without a package
    database: those with a probe, those with a written reason why none can exist
    (``no-probe``), and the rest."""
    probed: list[str] = []
    impossible: dict[str, str] = {}
    neither: list[str] = []
    for ident in registry.canonical_ids():
        if ident.startswith("dep:virtual/"):
            continue  # compilers, drivers and interfaces have probes of their own
        spec = probes.get(ident)
        if spec is None:
            neither.append(ident)
        elif spec.no_probe:
            impossible[ident] = spec.no_probe
        else:
            probed.append(ident)
    return {
        "total": len(probed) + len(impossible) + len(neither),
        "probed": len(probed),
        "no_probe": len(impossible),
        "neither": len(neither),
        "probed_ids": probed,
        "no_probe_reasons": impossible,
        "neither_ids": neither,
    }


def _ecosystems() -> list[str]:
    names = [f for f in os.listdir(data_dir()) if f.endswith(".mapping.json")]
    return sorted(n.removesuffix(".mapping.json") for n in names)


def cmd_coverage(args: Namespace) -> int:
    from extdeps.data.probes import load_probes  # noqa: PLC0415

    registry = load_registry()
    probes = load_probes()
    ecosystems = [args.ecosystem] if args.ecosystem else _ecosystems()
    rows = {eco: coverage(registry, load_mapping(eco)) for eco in ecosystems}
    probed = probe_coverage(registry, probes)
    with_probe = set(probed["probed_ids"])
    for row in rows.values():
        concrete = [i for i in row["mapped_ids"] if not i.startswith("dep:virtual/")]
        share = sum(1 for i in concrete if i in with_probe) / (len(concrete) or 1)
        row["probed_share"] = round(share, 4)
    if args.json:
        doc = _document("registry coverage", None, ecosystems=rows, probes=probed)
        _emit_json(doc, sys.stdout)
        return 0
    width = max((len(e) for e in rows), default=9)
    total = len(registry.canonical_ids())
    print(
        f"{'ecosystem':{width}}  {'mapped':>7}  {'unavailable':>11}  {'missing':>7}  "
        f"{'probed':>7}  (of {total} canonical ids)"
    )
    for eco, row in rows.items():
        print(
            f"{eco:{width}}  {row['mapped_share']:>7.1%}  {row['unavailable_share']:>11.1%}  "
            f"{row['missing_share']:>7.1%}  {row['probed_share']:>7.1%}"
        )
        if args.verbose and row["missing_ids"]:
            print("    missing: " + ", ".join(row["missing_ids"]))
    print(
        f"probes: {probed['probed']} of {probed['total']} non-virtual ids have one, "
        f"{probed['no_probe']} a written reason none can exist, {probed['neither']} neither"
    )
    if args.verbose:
        for ident, reason in probed["no_probe_reasons"].items():
            print(f"    no probe: {ident}: {reason}")
        if probed["neither_ids"]:
            print("    neither: " + ", ".join(probed["neither_ids"]))
    return 0


def cmd_compare(args: Namespace) -> int:
    from extdeps.data.compare import compare_data  # noqa: PLC0415

    result = compare_data(args.directory)
    if args.json:
        _emit_json(
            _document("registry compare", None, directory=args.directory, **result), sys.stdout
        )
        return 0
    reg = result["registry"]
    print(
        f"registry: {len(reg['only_theirs'])} ids only theirs, {len(reg['only_ours'])} only ours, "
        f"{len(reg['differ'])} seen differently, {len(reg['normalized'])} written in another form"
    )
    for row in reg["only_theirs"]:
        known = (
            f" (a DepURL with it resolves as {row['resolves_as']})" if row["resolves_as"] else ""
        )
        print(f"  only theirs: {row['id']}{known}")
    for row in reg["differ"]:
        print(f"  differs: {row['id']}: ours {row['ours']}, theirs {row['theirs']}")
    for row in reg["normalized"]:
        print(f"  written as {row['written']}: read as {row['canonical']}")
    if args.verbose and reg["only_ours"]:
        print("  only ours: " + ", ".join(reg["only_ours"]))
    ecosystems = result["ecosystems"]
    width = max((len(e) for e in ecosystems), default=9)
    header = f"{'same':>5}  {'differ':>6}  {'only theirs':>11}  {'only ours':>9}  {'refused':>7}"
    print(f"{'ecosystem':{width}}  {header}")
    for name, row in ecosystems.items():
        if row.get("error"):
            print(f"{name:{width}}  cannot be read: {row['error']}")
            continue
        if not row["shipped"]:
            print(
                f"{name:{width}}  not an ecosystem extdeps ships ({row['entries']} ids, "
                f"{len(row['refused'])} entries refused)"
            )
            continue
        differing = len({d["id"] for d in row["differ"]})
        print(
            f"{name:{width}}  {row['same']:>5}  {differing:>6}  {len(row['only_theirs']):>11}  "
            f"{len(row['only_ours']):>9}  {len(row['refused']):>7}"
        )
        if args.verbose:
            for d in row["differ"]:
                print(
                    f"    {d['id']} [{d['category']}]: ours {', '.join(d['ours']) or '(none)'}; "
                    f"theirs {', '.join(d['theirs']) or '(none)'}"
                )
            if row["only_theirs"]:
                print("    only theirs: " + ", ".join(row["only_theirs"]))
    for name, row in ecosystems.items():
        for problem in row.get("refused", []) if args.verbose else ():
            print(f"  refused in {name}: {problem}")
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("registry", help="questions about the registry and mappings")
    inner = parser.add_subparsers(dest="registry_command", metavar="SUBCOMMAND")
    inner.required = True
    cov = inner.add_parser(
        "coverage", help="share of canonical ids each mapping maps, marks unavailable, or lacks"
    )
    cov.add_argument("--ecosystem", metavar="ID", help="only this ecosystem")
    cov.add_argument("--json", action="store_true")
    cov.add_argument("-v", "--verbose", action="store_true", help="list the missing ids")
    cov.set_defaults(func=cmd_coverage)
    cmp = inner.add_parser(
        "compare",
        help="compare another registry and mapping set (a directory) with the shipped ones",
    )
    cmp.add_argument(
        "directory", metavar="DIR", help="a directory with registry.json and *.mapping.json files"
    )
    cmp.add_argument("--json", action="store_true")
    cmp.add_argument("-v", "--verbose", action="store_true", help="list every difference")
    cmp.set_defaults(func=cmd_compare)
