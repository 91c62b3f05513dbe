"""``extdeps detect``, ``extdeps map`` and ``extdeps install``."""

from __future__ import annotations

import sys

from extdeps.choices import Choices, resolve_choices, tool_config
from extdeps.cli.main import (
    EXIT_OK,
    EXIT_UNDECIDED,
    _document,
    _emit_json,
    add_path_argument,
)
from extdeps.data.registry import load_registry
from extdeps.model.errors import ExtdepsError
from extdeps.model.external import CATEGORIES
from extdeps.resolution import Resolved, resolve, select
from extdeps.sources import Project, load_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from extdeps.cli.args import ArgumentParser, Namespace
    from extdeps.model.external import Category

__all__ = ["add_choice_arguments", "add_selection_arguments", "register"]


def add_choice_arguments(parser: ArgumentParser) -> None:
    """Options that choose the ecosystem, mapping and providers (see ``_config``)."""
    group = parser.add_argument_group("ecosystem")
    group.add_argument("--ecosystem", metavar="ID", help="use this ecosystem's mapping")
    group.add_argument("--package-manager", metavar="NAME", help="pick among its managers")
    group.add_argument("--root", metavar="DIR", help="detect the ecosystem under this root")
    group.add_argument("--mapping", metavar="FILE", help="use this mapping file instead")
    group.add_argument(
        "--patch-mapping",
        metavar="FILE",
        action="append",
        default=[],
        help="replace the entries of the ids this mapping file lists, add the others (repeatable)",
    )
    group.add_argument(
        "--extend-mapping",
        metavar="FILE",
        action="append",
        default=[],
        help="append this mapping file's entries as further alternatives (repeatable)",
    )
    group.add_argument(
        "--python",
        metavar="PATH",
        help="the Python to check, map or install for: an interpreter, a name on PATH or a "
        "virtual environment (default: the active virtual environment's, else this one)",
    )
    group.add_argument(
        "--provider",
        metavar="VIRTUAL=PROVIDER",
        action="append",
        default=[],
        help="provider of a virtual dependency, e.g. blas=mkl (repeatable)",
    )


def add_selection_arguments(parser: ArgumentParser) -> None:
    """Options that choose which requirements apply."""
    group = parser.add_argument_group("selection")
    group.add_argument("--extra", action="append", default=[], metavar="NAME")
    group.add_argument("--all-extras", action="store_true")
    group.add_argument("--group", action="append", default=[], metavar="NAME")
    group.add_argument(
        "--category",
        default="build,host,run",
        metavar="LIST",
        help="comma-separated subset of build,host,run (default: all)",
    )
    group.add_argument(
        "--marker-env",
        action="append",
        default=[],
        metavar="KEY=VALUE|FILE",
        help="evaluate markers for another target (repeatable; a JSON file of values)",
    )


def parse_categories(text: str) -> tuple[Category, ...]:
    out: list[Category] = []
    for part in text.split(","):
        name = part.strip()
        if name not in CATEGORIES:
            raise ExtdepsError(
                f"invalid --category value {name!r}; expected a subset of build,host,run"
            )
        out.append(name)
    return tuple(out)


def choices_for(args: Namespace, project: Project | None = None) -> Choices:
    tool: dict[str, Any] = {}
    if project is not None:
        tool = tool_config(project.tool_config, project.source)
    choices = resolve_choices(
        ecosystem=args.ecosystem,
        package_manager=args.package_manager,
        root=args.root,
        mapping=args.mapping,
        patch_mapping=args.patch_mapping,
        extend_mapping=args.extend_mapping,
        providers=args.provider,
        marker_env=getattr(args, "marker_env", []),
        tool=tool,
        python=getattr(args, "python", None),
    )
    if any(
        o.startswith(("mapping replaced", "mapping patched", "mapping extended"))
        for o in choices.overrides
    ):
        # a mapping file of the user's: say which entries it cannot use, once
        for problem in choices.mapping.warnings():
            print(f"warning: {problem}", file=sys.stderr)
    return choices


def resolve_project(args: Namespace, project: Project, choices: Choices) -> list[Resolved]:
    selected = select(
        project.external,
        categories=parse_categories(args.category),
        extras=args.extra,
        all_extras=args.all_extras,
        groups=args.group,
        environment=choices.marker_environment(),
        outcomes=choices.marker_outcomes(),
    )
    return resolve(
        selected, registry=load_registry(), mapping=choices.mapping, providers=choices.providers
    )


def _resolved_dict(item: Resolved) -> dict[str, Any]:
    return {
        "requirement": str(item.requirement),
        "id": item.canonical,
        "category": item.category,
        "origin": item.selected.origin,
        "status": item.status,
        "provider": item.provider,
        "packages": list(item.specs),
        "virtual_package": item.virtual_package,
        "reason": item.reason,
    }


def cmd_detect(args: Namespace) -> int:
    import os  # noqa: PLC0415

    from extdeps.system.facts import OVERRIDES, machine_facts  # noqa: PLC0415
    from extdeps.system.machine import System  # noqa: PLC0415

    choices = choices_for(args)
    detection = choices.detection
    manager = choices.mapping.package_manager(detection.package_manager)
    system = System(root=args.root or os.environ.get("EXTDEPS_ROOT") or "/")
    facts = machine_facts(system)
    overrides = list(choices.overrides) + [
        f"{variable}={system.environ[variable]}"
        for variables in OVERRIDES.values()
        for variable in variables
        if variable in system.environ
    ]
    if args.json:
        _emit_json(
            _document(
                "detect",
                None,
                ecosystem=detection.ecosystem,
                mapping=choices.mapping.source,
                package_manager=manager.name,
                evidence=list(detection.evidence),
                candidates=list(detection.candidates),
                overrides=overrides,
                python=_python(choices),
                **facts.to_dict(),
            ),
            sys.stdout,
        )
        return EXIT_OK
    print(f"ecosystem:       {detection.ecosystem}")
    print(f"mapping:         {choices.mapping.source}")
    print(f"package manager: {manager.name}")
    for line in detection.evidence:
        print(f"evidence:        {line}")
    if len(detection.candidates) > 1:
        print(f"candidates:      {', '.join(detection.candidates)}")
    for line in overrides:
        print(f"override:        {line}")
    if choices.interpreter is not None:
        print(f"python:          {choices.interpreter.describe()}")
    for fact in facts.virtual_packages:
        if fact.found is None:
            shown = "unknown"
        elif fact.found is False:
            shown = "none"
        else:
            shown = fact.value or "present, version unknown"
        print(f"{fact.name + ':':16} {shown} ({fact.detail})")
    for gpu in facts.gpus:
        print(f"gpu {gpu.index}:{'':{11 - len(str(gpu.index))}} {gpu.describe()}")
    for note in facts.notes:
        print(f"note:            {note}")
    return EXIT_OK


def _python(choices: Choices) -> dict[str, str] | None:
    """The target interpreter for a JSON document."""
    return choices.interpreter.to_dict() if choices.interpreter is not None else None


def target_line(choices: Choices) -> str:
    """``for Python 3.12.1 at PATH (why)``: which interpreter the answers are for."""
    interpreter = choices.interpreter
    if interpreter is None:
        return ""
    return f" for Python {interpreter.version} at {interpreter.path} ({interpreter.chosen_by})"


def _unmapped_exit(items: Sequence[Resolved], allow: bool) -> int:
    bad = [i for i in items if i.left_out]
    if not bad or allow:
        return EXIT_OK
    for item in bad:
        print(
            f"error: {item.requirement.url} ({item.selected.origin}): {item.status}: {item.reason}",
            file=sys.stderr,
        )
    print("hint: pass --allow-unmapped to go on without them", file=sys.stderr)
    return EXIT_UNDECIDED


def cmd_map(args: Namespace) -> int:
    project = load_source(args.path)
    choices = choices_for(args, project)
    items = resolve_project(args, project, choices)
    if args.json:
        code = EXIT_OK if args.allow_unmapped else _exit_quiet(items)
        _emit_json(
            _document(
                "map",
                project,
                ecosystem=choices.detection.ecosystem,
                mapping=choices.mapping.source,
                python=_python(choices),
                dependencies=[_resolved_dict(i) for i in items],
                left_out=[_resolved_dict(i) for i in items if i.left_out],
                exit_code=code,
            ),
            sys.stdout,
        )
        return code
    print(f"# {project.source} -> {choices.mapping.name}{target_line(choices)}")
    for item in items:
        target = ", ".join(item.specs) if item.specs else f"({item.status})"
        if item.virtual_package:
            bound = ",".join(f"{op}{v}" for op, v in item.requirement.url.clauses)
            target = f"{item.virtual_package} {bound}".strip() + " (virtual package)"
        via = f" via {item.provider}" if item.provider else ""
        extra = f"  # {item.reason}" if item.reason else ""
        print(f"{item.category:5}  {item.requirement.url}{via} -> {target}{extra}")
    return _unmapped_exit(items, args.allow_unmapped)


def _exit_quiet(items: Sequence[Resolved]) -> int:
    return EXIT_UNDECIDED if any(i.left_out for i in items) else EXIT_OK


def register(sub: Any) -> None:
    detect = sub.add_parser("detect", help="show the detected ecosystem, mapping and evidence")
    add_choice_arguments(detect)
    detect.add_argument("--json", action="store_true")
    detect.set_defaults(func=cmd_detect)

    parser = sub.add_parser("map", help="map each external dependency to this ecosystem's packages")
    add_path_argument(
        parser, what="project directory, pyproject.toml, sdist, wheel or .dist-info directory"
    )
    add_choice_arguments(parser)
    add_selection_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--allow-unmapped",
        action="store_true",
        help="go on when a dependency cannot be mapped (else exit 3); named in the output",
    )
    parser.set_defaults(func=cmd_map)
