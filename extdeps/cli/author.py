"""Commands for package authors: ``extdeps lint``, ``extdeps migrate``, ``extdeps scan``."""

from __future__ import annotations

import os
import sys

from extdeps.cli.main import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNMET,
    _document,
    _emit_json,
    _error_dict,
    _toml_string,
    add_path_argument,
)
from extdeps.model.errors import InputError, InvalidExternal
from extdeps.sources import SDIST_SUFFIXES, decode_toml_text, read_file_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from extdeps.authoring.lint import LintReport
    from extdeps.authoring.scan import ScanResult
    from extdeps.cli.args import Namespace

__all__ = ["register", "render_scan"]

_BUILD_FILES = "meson.build, CMakeLists.txt, setup.py, setup.cfg, Cargo.toml"


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1]}ies" if noun.endswith("y") else f"{count} {noun}s"


# -- lint -------------------------------------------------------------------------


def _lint_lines(source: str, report: LintReport) -> list[str]:
    lines = []
    order = {"error": 0, "warning": 1}
    for finding in sorted(report.findings, key=lambda f: order[f.severity]):
        lines.append(
            f"{source}: {finding.key}: [{finding.rule}] {finding.severity}: {finding.message}"
        )
        if finding.hint:
            lines.append(f"hint: {finding.hint}")
    gaps = [row for row in report.coverage if row.unavailable or row.unmapped]
    for row in gaps:
        parts = []
        if row.unavailable:
            parts.append("unavailable in " + ", ".join(row.unavailable))
        if row.unmapped:
            parts.append("not mapped by " + ", ".join(row.unmapped))
        lines.append(f"{source}: {row.key}: [coverage] '{row.id}' is " + "; ".join(parts))
    summary = f"{_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')}"
    if report.ecosystems:
        covered = len(report.coverage) - len(gaps)
        summary += (
            f"; {covered} of {_plural(len(report.coverage), 'dependency')} installable in all "
            f"{len(report.ecosystems)} shipped ecosystems ({', '.join(report.ecosystems)})"
        )
    lines.append(f"{source}: {summary}")
    return lines


def cmd_lint(args: Namespace) -> int:
    from extdeps.authoring.lint import lint_external  # noqa: PLC0415 - only this command needs it
    from extdeps.model.external import External  # noqa: PLC0415
    from extdeps.sources import read_pyproject  # noqa: PLC0415

    data, source = read_pyproject(args.path)
    try:
        external = External.from_pyproject(data, source=source)
    except InvalidExternal as exc:
        draft = any("draft" in f"{e.message} {e.hint}" for e in exc.errors)
        if args.json:
            doc = _document("lint", None, source=source, valid=False, exit_code=EXIT_INVALID)
            doc["errors"] = [_error_dict(e) for e in exc.errors]
            _emit_json(doc, sys.stdout)
            return EXIT_INVALID
        for line in exc.render():
            print(line, file=sys.stderr)
        if draft:
            print("hint: `extdeps migrate --write` rewrites draft syntax", file=sys.stderr)
        print(f"{source}: invalid: {_plural(len(exc.errors), 'error')}", file=sys.stderr)
        return EXIT_INVALID
    project = data.get("project")
    project = project if isinstance(project, dict) else {}
    requires_python = project.get("requires-python")
    extras = project.get("optional-dependencies")
    report = lint_external(
        external,
        requires_python=requires_python if isinstance(requires_python, str) else None,
        extras=tuple(extras) if isinstance(extras, dict) else (),
    )
    if args.json:
        doc = _document("lint", None, source=source)
        doc["findings"] = [f.to_dict() for f in report.findings]
        doc["coverage"] = {
            "ecosystems": list(report.ecosystems),
            "dependencies": [row.to_dict() for row in report.coverage],
        }
        doc["summary"] = {"errors": report.errors, "warnings": report.warnings}
        _emit_json(doc, sys.stdout)
    else:
        for line in _lint_lines(source, report):
            print(line)
    return EXIT_UNMET if report.errors else EXIT_OK


# -- migrate ----------------------------------------------------------------------


def cmd_migrate(args: Namespace) -> int:
    from extdeps.authoring.migrate import migrate_text, write_atomic  # noqa: PLC0415

    path = os.fspath(args.path)
    if path.endswith(SDIST_SUFFIXES) and not os.path.isdir(path):
        raise InputError(
            "can only migrate a pyproject.toml or a project directory, not an sdist",
            source=path,
            hint="migrate the project's source tree, then build a new sdist",
        )
    if os.path.isdir(path):
        path = os.path.join(path, "pyproject.toml")
    raw = read_file_bytes(path)
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = ("\ufeff" if bom else "") + decode_toml_text(raw, path)  # migrate keeps a BOM
    migration = migrate_text(text, source=path)
    if migration.problems:
        if not args.check and not args.write:
            sys.stdout.write(migration.diff())
        for problem in migration.problems:
            for line in problem.render():
                print(line, file=sys.stderr)
        print(
            f"{path}: {_plural(len(migration.problems), 'problem')} left after migration; "
            "fix them by hand (nothing was written)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    changes = _plural(len(migration.changes), "change")
    if args.check:
        for change in migration.changes:
            print(f"{path}: {change}")
        verdict = f"needs migration ({changes})" if migration.needed else "up to date"
        print(f"{path}: {verdict}", file=sys.stderr)
        return EXIT_UNMET if migration.needed else EXIT_OK
    if args.write:
        if migration.needed:
            write_atomic(path, migration.new_text)
        verdict = f"migrated ({changes})" if migration.needed else "up to date; nothing written"
        print(f"{path}: {verdict}", file=sys.stderr)
        return EXIT_OK
    sys.stdout.write(migration.diff())
    if not migration.needed:
        print(f"{path}: up to date", file=sys.stderr)
    return EXIT_OK


# -- scan -------------------------------------------------------------------------


def _comment(text: str) -> str:
    return " ".join(text.split())


def render_scan(result: ScanResult, *, root: str = ".") -> str:
    """The proposed table as TOML, each entry with a comment naming where it came from."""
    lines = []
    if result.files:
        lines.append(f"# Proposed by `extdeps scan` from {', '.join(result.files)}")
    else:
        lines.append(f"# No build files found in {root} (looked for {_BUILD_FILES})")
    lines.extend(f"# {_comment(info)}" for info in result.info)
    lines.append("[external]")
    for category in ("build", "host"):
        entries = [e for e in result.entries if e.category == category]
        if not entries:
            continue
        lines.append(f"{category}-requires = [")
        for entry in entries:
            comment = ", ".join(entry.where)
            detail = entry.detail
            if entry.optional:
                detail = "; ".join(d for d in ("optional in the build", detail) if d)
            if detail:
                comment += f": {detail}"
            prefix = "# " if entry.optional else ""
            lines.append(f"  {prefix}{_toml_string(entry.requirement)},  # {_comment(comment)}")
        lines.append("]")
    if result.notes:
        lines.append("")
        lines.append("# Not added; check these by hand:")
        lines.extend(f"# {_comment(str(note))}" for note in result.notes)
    return "\n".join(lines) + "\n"


def _scan_root(path: str) -> str:
    if os.path.isdir(path):
        return path
    if path.endswith(SDIST_SUFFIXES):
        raise InputError(
            "scan reads a source tree, not an sdist", source=path, hint="unpack the sdist first"
        )
    if os.path.isfile(path):
        return os.path.dirname(path) or "."
    raise InputError("not found (expected a project directory)", source=path)


def cmd_scan(args: Namespace) -> int:
    from extdeps.authoring.scan import compare, scan  # noqa: PLC0415 - only this command needs it
    from extdeps.data.registry import load_registry  # noqa: PLC0415
    from extdeps.sources import load_project  # noqa: PLC0415

    root = _scan_root(os.fspath(args.path))
    registry = load_registry()
    result = scan(root, registry=registry, use_meson=not args.no_meson)
    if not args.diff:
        sys.stdout.write(render_scan(result, root=root))
        return EXIT_OK
    project = load_project(root)
    differences = compare(result, project.external, registry)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    for diff in differences:
        if diff.kind == "undeclared":
            entry = next(e for e in result.entries if e.requirement == diff.requirement)
            print(f"{diff.where}: [undeclared] '{diff.requirement}' is used but not declared")
            print(f"hint: add it to [external] {entry.category}-requires")
        else:
            print(
                f"{project.source}: {diff.where}: [unused] '{diff.requirement}' is declared "
                "but no build file uses it"
            )
            print("hint: remove it, unless the build finds it in a way scan cannot see")
    if not differences:
        print(f"{project.source}: [external] matches the build files ({', '.join(result.files)})")
        return EXIT_OK
    return EXIT_UNMET


def register(sub: Any) -> None:
    lint = sub.add_parser(
        "lint", help="check the [external] table against the registry and mappings"
    )
    add_path_argument(lint)
    lint.add_argument("--json", action="store_true", help="print one JSON document")
    lint.set_defaults(func=cmd_lint)

    migrate = sub.add_parser(
        "migrate", help="rewrite draft [external] syntax (pkg:, virtual:, old keys)"
    )
    add_path_argument(migrate, what="project directory or pyproject.toml (default: .)")
    mode = migrate.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="exit 1 if a migration is needed; write nothing"
    )
    mode.add_argument("--write", action="store_true", help="rewrite the file in place")
    migrate.set_defaults(func=cmd_migrate)

    scan = sub.add_parser("scan", help="propose an [external] table from the build files")
    add_path_argument(scan, what="project source directory (default: .)")
    scan.add_argument(
        "--diff",
        action="store_true",
        help="compare with the declared table; exit 1 when they differ",
    )
    scan.add_argument(
        "--no-meson", action="store_true", help="do not run meson introspect; read files only"
    )
    scan.set_defaults(func=cmd_scan)
