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


def _pkg_info(files: Any) -> dict[str, str]:
    """The header fields of an sdist's PKG-INFO (empty for a directory)."""
    if files.archive is None or "PKG-INFO" not in files.names():
        return {}
    import email.parser  # noqa: PLC0415

    message = email.parser.HeaderParser().parsestr(
        files.read("PKG-INFO").decode("utf-8", "replace")
    )
    return {key: str(value) for key, value in message.items()}


def _packager(fmt: str) -> Any:
    """Who makes the package, from the variables the format's own tools read:
    ``DEBFULLNAME``/``DEBEMAIL`` (dch) for Debian, ``RPM_PACKAGER`` for RPM."""
    import email.utils  # noqa: PLC0415

    from extdeps.recipes.model import Person  # noqa: PLC0415

    env = os.environ
    if fmt == "debian":
        name, address = email.utils.parseaddr(env.get("DEBEMAIL", ""))
        name = env.get("DEBFULLNAME") or name
    elif fmt == "fedora":
        name, address = email.utils.parseaddr(env.get("RPM_PACKAGER", ""))
    else:
        return None
    if not address or "@" not in address:
        return None
    return Person(name=name or None, email=address)


def _timestamp() -> int:
    """Now, or ``SOURCE_DATE_EPOCH`` (reproducible builds) when set."""
    import time  # noqa: PLC0415

    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(value) if value.isdigit() and len(value) < 12 else int(time.time())


def cmd_recipe(args: Namespace) -> int:
    from extdeps.model.external import External  # noqa: PLC0415
    from extdeps.recipes import FORMATS, render_recipe  # noqa: PLC0415
    from extdeps.recipes.model import build_recipe_data  # noqa: PLC0415
    from extdeps.sources import ProjectFiles, file_digests, read_pyproject  # noqa: PLC0415

    data, source = read_pyproject(args.path)
    external = External.from_pyproject(data, source=source)
    files = ProjectFiles(args.path)
    digests: dict[str, str] = {}
    if args.sdist:
        digests = file_digests(args.sdist)
    elif files.archive is not None:
        digests = file_digests(files.archive)
    ecosystem = args.ecosystem or FORMATS[args.format][0]
    recipe = build_recipe_data(
        data,
        external,
        files=files,
        source=source,
        ecosystem=ecosystem,
        digests=digests,
        pyproject_text=files.read("pyproject.toml").decode("utf-8", "replace"),
        pkg_info=_pkg_info(files),
        packager=_packager(args.format),
        timestamp=_timestamp(),
    )
    if args.sdist and os.path.basename(args.sdist) != recipe.sdist_filename:
        print(
            f"extdeps: warning: {args.sdist} is not named {recipe.sdist_filename} (PEP 625); "
            "its digests are used anyway",
            file=sys.stderr,
        )
    rendered = render_recipe(args.format, recipe)
    if args.output is None:
        for path, text in rendered.items():
            if len(rendered) > 1:
                sys.stdout.write(f"==> {path} <==\n")
            sys.stdout.write(text)
        return 0
    for path, text in rendered.items():
        _write(args.output, path, text)
    return 0


def _write(output: str, relative: str, text: str) -> None:
    target = os.path.join(output, relative)
    root = os.path.realpath(output)
    if os.path.commonpath([root, os.path.realpath(target)]) != root:
        raise ExtdepsError(f"refusing to write outside {output}: {target}")
    tmp = f"{target}.tmp{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        if relative.endswith("/rules"):  # debian/rules is run: executable
            os.chmod(tmp, 0o755)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ExtdepsError(
            f"cannot write {target}: {exc.strerror}", hint="--output takes a directory"
        ) from None
    print(target, file=sys.stderr)


def register(sub: Any) -> None:
    from extdeps.recipes import FORMATS  # noqa: PLC0415 - a small table

    parser = sub.add_parser("recipe", help="generate a packaging recipe for another ecosystem")
    add_path_argument(parser)
    parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="recipe format")
    parser.add_argument(
        "--output", metavar="DIR", help="write the files under DIR (else print them)"
    )
    parser.add_argument(
        "--sdist",
        metavar="FILE",
        help="the release's sdist, for its sha256 (automatic when PATH is the sdist)",
    )
    parser.add_argument(
        "--ecosystem", metavar="ID", help="take package names from this mapping instead"
    )
    parser.set_defaults(func=cmd_recipe)
