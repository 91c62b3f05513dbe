"""``extdeps recipe``: packaging recipes for distribution packagers."""

from __future__ import annotations

import contextlib
import os
import sys

from extdeps.cli.main import add_path_argument
from extdeps.model.errors import ExtdepsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from extdeps.cli.args import Namespace

__all__ = ["register"]


def cmd_recipe(args: Namespace) -> int:
    from extdeps.model.external import External  # noqa: PLC0415
    from extdeps.recipes import FORMATS, render_recipe  # noqa: PLC0415
    from extdeps.recipes.model import build_recipe_data  # noqa: PLC0415
    from extdeps.sources import read_pyproject  # noqa: PLC0415

    data, source = read_pyproject(args.path)
    external = External.from_pyproject(data, source=source)
    ecosystem, filename, _, _ = FORMATS[args.format]
    if args.ecosystem:
        ecosystem = args.ecosystem
    recipe = build_recipe_data(data, external, source=source, ecosystem=ecosystem)
    text = render_recipe(args.format, recipe)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    target = os.path.join(args.output, filename.format(name=recipe.name))
    output = os.path.realpath(args.output)
    if os.path.commonpath([output, os.path.realpath(target)]) != output:
        raise ExtdepsError(f"refusing to write outside {args.output}: {target}")
    tmp = f"{target}.tmp{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ExtdepsError(
            f"cannot write {target}: {exc.strerror}", hint="--output takes a directory"
        ) from None
    print(target, file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    from extdeps.recipes import FORMATS  # noqa: PLC0415 - a small table

    parser = sub.add_parser("recipe", help="generate a packaging recipe for another ecosystem")
    add_path_argument(parser)
    parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="recipe format")
    parser.add_argument("--output", metavar="DIR", help="write the file under DIR (else stdout)")
    parser.add_argument(
        "--ecosystem", metavar="ID", help="take package names from this mapping instead"
    )
    parser.set_defaults(func=cmd_recipe)
