"""``extdeps check`` and ``extdeps install``: the commands installers call.

``check`` says, for the target interpreter, whether each selected dependency is
present at the right version. ``install`` prints (or runs) the command for what
``check`` finds missing or at the wrong version, and after running it checks
again; ``--all`` installs every mapped package instead.
"""

from __future__ import annotations

import os
import sys

from extdeps.cli.main import (
    EXIT_OK,
    EXIT_UNDECIDED,
    EXIT_UNMET,
    _document,
    _emit_json,
    add_path_argument,
    shell_join,
)
from extdeps.cli.resolve import (
    _python,
    _resolved_dict,
    _unmapped_exit,
    add_choice_arguments,
    add_selection_arguments,
    choices_for,
    parse_categories,
    resolve_project,
    target_line,
)
from extdeps.sources import Project, load_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from extdeps.checking import CheckReport, Status, Verdict
    from extdeps.choices import Choices
    from extdeps.cli.args import Namespace
    from extdeps.resolution import Resolved

__all__ = ["register"]

_STATUSES: tuple[Status, ...] = ("satisfied", "wrong-version", "missing", "unknown", "skipped")
_LABEL = {
    "satisfied": "ok",
    "wrong-version": "WRONG",
    "missing": "MISSING",
    "unknown": "unknown",
    "skipped": "skipped",
}
# verdicts of dependencies nobody can install here: not in the registry, no
# mapping entry, no verified package name
_LEFT_OUT = ("unknown", "unavailable")


def _line(verdict: Verdict) -> str:
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


def _load(args: Namespace) -> tuple[Project, Choices]:
    """The project (or installed distribution) and the choices for this run."""
    if args.installed:
        from extdeps.sources import project_from_installed  # noqa: PLC0415

        choices = choices_for(args)
        path = choices.interpreter.facts()["path"] if choices.interpreter is not None else None
        return project_from_installed(args.installed, path), choices
    project = load_source(args.path)
    return project, choices_for(args, project)


def _run_check(args: Namespace, project: Project, choices: Choices) -> CheckReport:
    from extdeps.checking import check  # noqa: PLC0415 - keeps other commands' start-up cheap
    from extdeps.system.machine import System, is_root  # noqa: PLC0415

    return check(
        project.external,
        choices=choices,
        system=System(root=_root(args)),
        categories=parse_categories(args.category),
        extras=args.extra,
        all_extras=args.all_extras,
        groups=args.group,
        thorough=getattr(args, "thorough", False),
        is_root=is_root(),
        strict_versions=getattr(args, "strict_versions", False),
    )


def _left_out(report: CheckReport) -> list[Verdict]:
    """Unknown verdicts of dependencies that cannot be mapped here."""
    return [
        v
        for v in report.verdicts
        if v.status == "unknown" and v.resolved.status in _LEFT_OUT and not v.resolved.specs
    ]


def _exit_code(report: CheckReport, *, strict: bool, allow_unmapped: bool) -> int:
    if report.unmet:
        return EXIT_UNMET
    unknown = report.count("unknown")
    if allow_unmapped:
        unknown -= len(_left_out(report))
    return EXIT_UNDECIDED if strict and unknown else EXIT_OK


def _summary(report: CheckReport, code: int, *, strict: bool, nothing: str) -> str:
    counts = ", ".join(f"{report.count(s)} {s}" for s in _STATUSES if report.count(s))
    if not counts:
        return f"# {nothing}"
    unknown = report.count("unknown")
    if unknown and code == EXIT_UNDECIDED:
        tail = f"; exit 3: {unknown} could not be decided (--strict)"
    elif unknown and not strict:
        tail = f"; {unknown} could not be decided (--strict makes that exit 3)"
    else:
        tail = ""
    return f"# {counts}{tail}"


def _nothing(project: Project) -> str:
    """What an empty report means: nothing declared, or nothing selected."""
    if project.external.is_empty:
        return f"nothing declared: {project.source} lists no external dependencies"
    return "nothing selected: no declared dependency matches --category, --extra or --group"


def _install_dict(report: CheckReport) -> dict[str, Any] | None:
    if report.install is None:
        return None
    return {
        "package_manager": report.install.manager,
        "commands": [list(c) for c in report.install.commands],
        "packages": list(report.install.packages),
        "notes": list(report.install.notes),
    }


def _check_document(
    project: Project, choices: Choices, report: CheckReport, code: int, **more: Any
) -> dict[str, Any]:
    return _document(
        "check",
        project,
        ecosystem=report.ecosystem,
        mapping=report.mapping,
        package_db=report.package_db,
        python=_python(choices),
        exit_code=code,
        summary={s: report.count(s) for s in _STATUSES},
        results=[v.to_dict() for v in report.verdicts],
        install=_install_dict(report),
        left_out=[str(v.resolved.requirement) for v in _left_out(report)],
        declared=not project.external.is_empty,
        **more,
    )


def _print_report(
    args: Namespace, project: Project, choices: Choices, report: CheckReport, code: int
) -> None:
    print(
        f"# {project.source} on {report.ecosystem}{target_line(choices)} "
        f"(package database: {report.package_db})"
    )
    verbose = getattr(args, "verbose", False)
    for verdict in report.verdicts:
        if verdict.status == "skipped" and not verbose:
            continue
        print(_line(verdict))
        if verbose:
            for evidence in verdict.evidence:
                mark = {True: "+", False: "-", None: "?"}[evidence.found]
                print(f"           {mark} {evidence.source}: {evidence.detail}")
    print_install(report)
    print(_summary(report, code, strict=args.strict, nothing=_nothing(project)))


def print_install(report: CheckReport) -> None:
    """The install command for what is missing, its notes, and what no package covers."""
    if report.install is not None:
        print("# to install what is missing:")
        for command in report.install.commands:
            print(shell_join(command))
        for note in report.install.notes:
            print(f"# note: {note}")
    for verdict in report.unmet:
        if not verdict.resolved.specs:
            url = verdict.resolved.requirement.url
            print(f"# no package known for {url}: {verdict.resolved.reason}")


def cmd_check(args: Namespace) -> int:
    project, choices = _load(args)
    report = _run_check(args, project, choices)
    code = _exit_code(report, strict=args.strict, allow_unmapped=args.allow_unmapped)
    if args.json:
        _emit_json(_check_document(project, choices, report, code), sys.stdout)
    else:
        _print_report(args, project, choices, report, code)
    return code


# -- install ----------------------------------------------------------------------


def _install_all(args: Namespace, project: Project, choices: Choices) -> int:
    """``install --all``: every mapped package, present or not."""
    from extdeps.resolution import plan_install  # noqa: PLC0415
    from extdeps.system.machine import is_root  # noqa: PLC0415

    items = resolve_project(args, project, choices)
    code = _unmapped_exit(items, args.allow_unmapped)
    if code != EXIT_OK:
        if args.json:
            doc = _install_document(
                project, choices, None, commands=[], items=items, code=code, executed=False
            )
            _emit_json(doc, sys.stdout)
        return code
    manager = choices.mapping.package_manager(choices.detection.package_manager)
    plan = plan_install(items, manager, is_root=is_root(), strict_versions=args.strict_versions)
    return _finish_install(
        args,
        project,
        choices,
        commands=[list(c) for c in plan.commands],
        notes=list(plan.notes),
        items=items,
        packages=list(plan.packages),
    )


def _install_document(
    project: Project,
    choices: Choices,
    report: CheckReport | None,
    *,
    commands: list[list[str]],
    items: list[Resolved],
    code: int,
    executed: bool,
    notes: list[str] | None = None,
    packages: list[str] | None = None,
    after: CheckReport | None = None,
) -> dict[str, Any]:
    manager = choices.mapping.package_manager(choices.detection.package_manager)
    left_out = [i for i in items if i.status in _LEFT_OUT]
    doc = _document(
        "install",
        project,
        ecosystem=choices.detection.ecosystem,
        python=_python(choices),
        package_manager=manager.name,
        commands=commands,
        packages=packages or [],
        notes=notes or [],
        left_out=[_resolved_dict(i) for i in left_out],
        executed=executed,
        exit_code=code,
    )
    if report is not None:
        doc["before"] = {s: report.count(s) for s in _STATUSES}
    if after is not None:
        doc["after"] = {
            "summary": {s: after.count(s) for s in _STATUSES},
            "unmet": [str(v.resolved.requirement) for v in after.unmet],
        }
    return doc


def _finish_install(
    args: Namespace,
    project: Project,
    choices: Choices,
    *,
    commands: list[list[str]],
    notes: list[str],
    items: list[Resolved],
    packages: list[str],
    report: CheckReport | None = None,
) -> int:
    """Print or run ``commands``; after running them, check again."""
    from extdeps.system.machine import is_root  # noqa: PLC0415
    from extdeps.system.managers import index_refresh, run_commands  # noqa: PLC0415

    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    for item in items:
        if item.status in _LEFT_OUT:
            print(f"note: {item.requirement.url} left out: {item.reason}", file=sys.stderr)
    if commands:
        manager = choices.mapping.package_manager(choices.detection.package_manager)
        refresh = index_refresh(manager.name, _system(args), is_root=is_root())
        if refresh is not None:
            command, why = refresh
            print(f"note: {why}: refreshing the index first", file=sys.stderr)
            commands = [command, *commands]
    if not commands:
        print("nothing to install: every selected dependency is present", file=sys.stderr)
    elif not args.json:
        for command in commands:
            print(shell_join(command))
    code = EXIT_OK
    after: CheckReport | None = None
    executed = bool(args.execute and commands)
    if executed:
        code = run_commands(commands, assume_yes=args.yes)
        if code == EXIT_OK:
            after = _run_check(args, project, choices)
            code = EXIT_UNMET if after.unmet else EXIT_OK
            for verdict in after.unmet:
                print(f"still unmet after installing: {_line(verdict)}", file=sys.stderr)
    if args.json:
        doc = _install_document(
            project,
            choices,
            report,
            commands=commands,
            items=items,
            code=code,
            executed=executed,
            notes=notes,
            packages=packages,
            after=after,
        )
        _emit_json(doc, sys.stdout)
    return code


def _root(args: Namespace) -> str:
    return str(args.root or os.environ.get("EXTDEPS_ROOT") or "/")


def _system(args: Namespace) -> Any:
    from extdeps.system.machine import System  # noqa: PLC0415

    return System(root=_root(args))


def cmd_install(args: Namespace) -> int:
    project, choices = _load(args)
    if args.all:
        return _install_all(args, project, choices)
    report = _run_check(args, project, choices)
    items = [v.resolved for v in report.verdicts]
    commands = [list(c) for c in report.install.commands] if report.install else []
    notes = list(report.install.notes) if report.install else []
    packages = list(report.install.packages) if report.install else []
    cannot = [v for v in report.unmet if not v.installable]
    for verdict in cannot:
        print(f"note: cannot be installed here: {_line(verdict)}", file=sys.stderr)
    left = [i for i in items if i.status in _LEFT_OUT]
    if left and not args.allow_unmapped:
        for item in left:
            print(
                f"error: {item.requirement.url} ({item.selected.origin}): {item.status}: "
                f"{item.reason}",
                file=sys.stderr,
            )
        print("hint: pass --allow-unmapped to go on without them", file=sys.stderr)
        if args.json:
            doc = _install_document(
                project,
                choices,
                report,
                commands=commands,
                items=items,
                code=EXIT_UNDECIDED,
                executed=False,
            )
            _emit_json(doc, sys.stdout)
        return EXIT_UNDECIDED
    return _finish_install(
        args,
        project,
        choices,
        commands=commands,
        notes=notes,
        items=items,
        packages=packages,
        report=report,
    )


def _common(parser: Any) -> None:
    add_choice_arguments(parser)
    add_selection_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--installed", metavar="NAME", help="an installed distribution's metadata, not PATH"
    )
    parser.add_argument(
        "--allow-unmapped",
        action="store_true",
        help="go on without the dependencies that cannot be mapped here (named in the output)",
    )


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "check", help="check that every external dependency is present at the right version"
    )
    add_path_argument(
        parser, what="project directory, pyproject.toml, sdist, wheel or .dist-info directory"
    )
    _common(parser)
    parser.add_argument(
        "--strict", action="store_true", help="exit 3 when something cannot be decided"
    )
    parser.add_argument(
        "--thorough", action="store_true", help="compile a test program with each compiler"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show every piece of evidence")
    parser.set_defaults(func=cmd_check)

    install = sub.add_parser(
        "install",
        help="print (or run) the install command for what check finds missing",
    )
    add_path_argument(
        install, what="project directory, pyproject.toml, sdist, wheel or .dist-info directory"
    )
    _common(install)
    install.add_argument(
        "--all",
        action="store_true",
        help="every mapped package, not only the missing ones (no check first)",
    )
    install.add_argument(
        "--strict-versions",
        action="store_true",
        help="fail when the package manager cannot express a version constraint",
    )
    mode = install.add_mutually_exclusive_group()
    mode.add_argument(
        "--dry-run", action="store_true", help="only print the commands (the default)"
    )
    mode.add_argument("--execute", action="store_true", help="run the commands, then check again")
    install.add_argument("-y", "--yes", action="store_true", help="do not ask before running")
    install.set_defaults(func=cmd_install, strict=False)
