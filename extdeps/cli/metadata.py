"""``extdeps metadata``: the core metadata fields a build backend adds for a project.

One ``Field: value`` line each, as the build wrappers record them: in a wheel's
``.dist-info/EXTERNAL`` by default, or in ``METADATA`` and the sdist's
``PKG-INFO`` with ``-Cextdeps-metadata=core`` (PEP 725):
``Provides-External-Extra`` for each extra of ``optional-dependencies``, then
``Requires-External-Dep`` for ``dependencies`` and for each optional requirement
with ``extra == '<name>'`` joined to its marker. Build, host and dependency-group
requirements never go into metadata.
"""

from __future__ import annotations

import sys

from extdeps.cli.main import EXIT_OK, _document, _emit_json, add_path_argument
from extdeps.model.errors import InputError
from extdeps.model.metadata import metadata_fields
from extdeps.sources import load_project

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from extdeps.cli.args import Namespace

__all__ = ["register"]


def cmd_metadata(args: Namespace) -> int:
    if args.path.endswith(".whl"):
        raise InputError(
            "expected a project directory, pyproject.toml or sdist, got a wheel",
            source=args.path,
            hint="a wheel's METADATA holds them already; `extdeps check WHEEL` reads them",
        )
    project = load_project(args.path)
    fields = metadata_fields(project.external)
    if args.json:
        doc = _document(
            "metadata", project, fields=[{"name": name, "value": value} for name, value in fields]
        )
        _emit_json(doc, sys.stdout)
        return EXIT_OK
    for name, value in fields:
        sys.stdout.write(f"{name}: {value}\n")
    if not fields:
        print(f"# {project.source}: no runtime external dependencies", file=sys.stderr)
    return EXIT_OK


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "metadata",
        help="print the Requires-External-Dep / Provides-External-Extra lines a build records",
    )
    add_path_argument(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(func=cmd_metadata)
