"""``extdeps preflight``: one check, and one install command, for a whole pip install."""

from __future__ import annotations

import sys

from extdeps.cli.check import _LABEL, _STATUSES, _install_dict, _line, _summary, print_install
from extdeps.cli.main import (
    EXIT_OK,
    EXIT_UNDECIDED,
    EXIT_UNMET,
    _document,
    _emit_json,
    shell_join,
)
from extdeps.cli.resolve import _python, add_choice_arguments, choices_for, target_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from extdeps.cli.args import Namespace
    from extdeps.data.project_tables import ProjectTables
    from extdeps.preflight import Preflight

__all__ = ["register"]


def _pip_args(args: Namespace) -> list[str]:
    words: list[str] = []
    for path in args.requirement:
        words += ["-r", path]
    words += list(args.project)
    if args.lock:
        from extdeps.preflight import lock_requirements  # noqa: PLC0415

        words += lock_requirements(args.lock)
    words += list(args.requirements)
    return words


def _tables(args: Namespace) -> ProjectTables | None:
    from extdeps.data.project_tables import load_project_tables  # noqa: PLC0415
    from extdeps.preflight import tables_from_directory  # noqa: PLC0415

    if args.no_project_tables:
        return None
    tables = load_project_tables()
    if args.project_tables:
        tables = tables.overridden_by(tables_from_directory(args.project_tables))
    return tables


def _exit_code(result: Preflight, *, strict: bool) -> int:
    if result.report.unmet:
        return EXIT_UNMET
    unchecked = [f for f in result.found if not f.checked]
    if strict and (result.report.count("unknown") or unchecked):
        return EXIT_UNDECIDED
    return EXIT_OK


def _wanted(result: Preflight, origin: str) -> str:
    who = result.wanted_by(origin)
    if who:
        return "wanted by " + ", ".join(who)
    return origin  # implied requirements say why themselves


def _document_of(args: Namespace, result: Preflight, choices: Any, code: int) -> dict[str, Any]:
    report = result.report
    return _document(
        "preflight",
        None,
        installer="pip",
        ecosystem=report.ecosystem,
        mapping=report.mapping,
        package_db=report.package_db,
        python=_python(choices),
        exit_code=code,
        distributions=[
            {
                "name": f.planned.name,
                "version": f.planned.version,
                "kind": f.planned.kind,
                "url": f.planned.url,
                "extras": list(f.planned.extras),
                "declared": f.declared,
                "checked": f.checked,
                "table": f.table.describe() if f.table is not None else None,
                "how": f.how,
                "external": f.external.to_dict(),
            }
            for f in result.found
        ],
        summary={s: report.count(s) for s in _STATUSES},
        results=[
            {**v.to_dict(), "wanted_by": list(result.wanted_by(v.resolved.selected.origin))}
            for v in report.verdicts
        ],
        install=_install_dict(report),
    )


def _print(args: Namespace, result: Preflight, choices: Any, code: int) -> None:
    report = result.report
    built = [f for f in result.found if f.built]
    print(
        f"# preflight of pip install {shell_join(_pip_args(args))} on {report.ecosystem}"
        f"{target_line(choices)} (package database: {report.package_db})"
    )
    print(
        f"# pip would install {len(result.found)} distributions: "
        f"{len(result.found) - len(built)} wheels, {len(built)} built from source"
    )
    for found in result.found:
        if found.built or not found.external.is_empty or args.verbose:
            kind = {"sdist": "sdist", "directory": "local project", "wheel": "wheel"}
            print(f"# {found.planned.label()} ({kind[found.planned.kind]}): {found.how}")
    for verdict in report.verdicts:
        if verdict.status == "skipped" and not args.verbose:
            continue
        print(f"{_line(verdict)}  [{_wanted(result, verdict.resolved.selected.origin)}]")
    unchecked = [f for f in built if not f.checked]
    for found in unchecked:
        print(
            f"{_LABEL['unknown']:8} {found.planned.label()} is built from source, but "
            "nothing says what it needs: the project declares no [external] table and "
            "extdeps has none for it"
        )
    print_install(report)
    nothing = "nothing to check: no planned distribution declares external dependencies"
    print(_summary(report, code, strict=args.strict, nothing=nothing))


def cmd_preflight(args: Namespace) -> int:
    from extdeps.preflight import preflight  # noqa: PLC0415
    from extdeps.system.machine import System, is_root  # noqa: PLC0415

    words = _pip_args(args)
    if not words:
        from extdeps.model.errors import ExtdepsError  # noqa: PLC0415

        raise ExtdepsError(
            "nothing to plan: give requirements, -r FILE, --project DIR or --lock FILE",
            hint="extdeps preflight -r requirements.txt",
        )
    choices = choices_for(args)
    result = preflight(
        words,
        choices=choices,
        system=System(root=args.root or "/"),
        tables=_tables(args),
        thorough=args.thorough,
        is_root=is_root(),
    )
    code = _exit_code(result, strict=args.strict)
    if args.json:
        _emit_json(_document_of(args, result, choices, code), sys.stdout)
    else:
        _print(args, result, choices, code)
    if not args.execute or code == EXIT_UNDECIDED:
        return code
    return _execute(args, result, choices, words)


def _execute(args: Namespace, result: Preflight, choices: Any, words: list[str]) -> int:
    """Install what is missing with the system's package manager, then run the
    Python install with the same installer and arguments."""
    from extdeps.system.managers import run_commands  # noqa: PLC0415

    commands = [list(c) for c in result.report.install.commands] if result.report.install else []
    if commands and run_commands(commands, assume_yes=args.yes) != 0:
        return EXIT_UNMET
    python = choices.interpreter.path if choices.interpreter is not None else "python3"
    pip = [python, "-m", "pip", "install", *words]
    return EXIT_OK if run_commands([pip], assume_yes=True) == 0 else EXIT_UNMET


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "preflight",
        help="check what a whole pip install needs from the system, before it runs",
    )
    parser.add_argument(
        "requirements",
        nargs="*",
        metavar="REQUIREMENT",
        help="requirements as pip takes them; pip options after --",
    )
    parser.add_argument(
        "-r",
        "--requirement",
        action="append",
        default=[],
        metavar="FILE",
        help="a requirements file, as pip install -r takes it (repeatable)",
    )
    parser.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="DIR",
        help="a project directory to install (its [project] dependencies and itself)",
    )
    parser.add_argument(
        "--lock",
        metavar="FILE",
        help="a pylock.toml (PEP 751): its pinned set, planned by pip without resolving",
    )
    add_choice_arguments(parser)
    parser.add_argument(
        "--project-tables",
        metavar="DIR",
        help="<project>.toml files with [external] tables, over extdeps' own",
    )
    parser.add_argument(
        "--no-project-tables",
        action="store_true",
        help="use only the tables the projects declare",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 3 when something cannot be decided or a build is not covered",
    )
    parser.add_argument(
        "--thorough", action="store_true", help="compile a test program with each compiler"
    )
    parser.add_argument(
        "--execute",
        action="store_true",
        help="install what is missing, then run the pip install",
    )
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask before running")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every distribution")
    parser.set_defaults(func=cmd_preflight)
