"""``extdeps check``: the command installers call."""

from __future__ import annotations

import os
import sys

from extdeps.cli.main import _document, _emit_json, add_path_argument, shell_join
from extdeps.cli.resolve import (
    add_choice_arguments,
    add_selection_arguments,
    choices_for,
    parse_categories,
)
from extdeps.sources import Project, load_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from extdeps.cli.args import Namespace

__all__ = ["register"]

_LABEL = {
    "satisfied": "ok",
    "wrong-version": "WRONG",
    "missing": "MISSING",
    "unknown": "unknown",
    "skipped": "skipped",
}


def _line(verdict: Any) -> str:
    url = verdict.resolved.requirement.url
    label = _LABEL[verdict.status]
    category = verdict.resolved.category
    if verdict.status == "satisfied":
        what = "found"
        if verdict.found_version:
            what += f" {verdict.found_version}"
        if verdict.provider:
            what += f" via {verdict.provider}"
        deciding = [e for e in verdict.evidence if e.found and e.source == verdict.decided_by]
        detail = next((e.detail for e in deciding or verdict.evidence if e.found), "")
        if detail:
            what += f" ({detail})"
    elif verdict.status == "missing":
        what = verdict.reason or (
            "; ".join(e.detail for e in verdict.evidence if e.found is False) or "not found"
        )
    else:
        what = verdict.reason or ""
    return f"{label:8} {category:5} {url}  {what}".rstrip()


def cmd_check(args: Namespace) -> int:
    from extdeps.checking import check  # noqa: PLC0415 - keeps other commands' start-up cheap
    from extdeps.system.machine import System  # noqa: PLC0415

    project: Project
    if args.installed:
        from extdeps.sources import project_from_installed  # noqa: PLC0415

        project = project_from_installed(args.installed)
    else:
        project = load_source(args.path)
    choices = choices_for(args, project)
    system = System(root=args.root or os.environ.get("EXTDEPS_ROOT") or "/")
    categories = parse_categories(args.category)
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    report = check(
        project.external,
        choices=choices,
        system=system,
        categories=categories,
        extras=args.extra,
        all_extras=args.all_extras,
        groups=args.group,
        thorough=args.thorough,
        is_root=is_root,
    )
    code = report.exit_code(strict=args.strict)
    if args.json:
        summary = {
            s: report.count(s)
            for s in ("satisfied", "wrong-version", "missing", "unknown", "skipped")
        }
        install = None
        if report.install is not None:
            install = {
                "package_manager": report.install.manager,
                "commands": [list(c) for c in report.install.commands],
                "notes": list(report.install.notes),
            }
        _emit_json(
            _document(
                "check",
                project,
                ecosystem=report.ecosystem,
                mapping=report.mapping,
                package_db=report.package_db,
                exit_code=code,
                summary=summary,
                results=[v.to_dict() for v in report.verdicts],
                install=install,
            ),
            sys.stdout,
        )
        return code
    print(f"# {project.source} on {report.ecosystem} (package database: {report.package_db})")
    for verdict in report.verdicts:
        if verdict.status == "skipped" and not args.verbose:
            continue
        print(_line(verdict))
        if args.verbose:
            for evidence in verdict.evidence:
                mark = {True: "+", False: "-", None: "?"}[evidence.found]
                print(f"           {mark} {evidence.source}: {evidence.detail}")
    counts = ", ".join(
        f"{report.count(s)} {s}"
        for s in ("satisfied", "wrong-version", "missing", "unknown", "skipped")
        if report.count(s)
    )
    print(f"# {counts or 'nothing to check'}")
    if report.install is not None:
        print("# to install what is missing:")
        for command in report.install.commands:
            print(shell_join(command))
        for note in report.install.notes:
            print(f"# note: {note}")
    unmapped = [v for v in report.unmet if not v.resolved.specs]
    for verdict in unmapped:
        print(
            f"# no package known for {verdict.resolved.requirement.url}: {verdict.resolved.reason}"
        )
    return code


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "check", help="check that every external dependency is present at the right version"
    )
    add_path_argument(parser, what="project directory, pyproject.toml, sdist or wheel")
    parser.add_argument(
        "--installed", metavar="NAME", help="check an installed distribution's metadata"
    )
    add_choice_arguments(parser)
    add_selection_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--strict", action="store_true", help="exit 3 when something cannot be decided"
    )
    parser.add_argument(
        "--thorough", action="store_true", help="compile a test program with each compiler"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show every piece of evidence")
    parser.set_defaults(func=cmd_check)
