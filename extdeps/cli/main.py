"""The ``extdeps`` command line: parse arguments, call the library, format results.

Exit codes (the same for every command):

0  success
1  a check found unmet dependencies
2  usage error or invalid input
3  cannot decide (an unmapped dependency, an unknown ecosystem)
"""

from __future__ import annotations

import sys

from extdeps import __version__
from extdeps.cli.args import ArgumentParser, Namespace
from extdeps.data import cache
from extdeps.model.errors import ExtdepsError, InvalidExternal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, TextIO

    from extdeps.model.external import External
    from extdeps.sources import Project

EXIT_OK = 0
EXIT_UNMET = 1
EXIT_INVALID = 2
EXIT_UNDECIDED = 3
JSON_SCHEMA_VERSION = 1


_SHELL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


def shell_join(argv: Sequence[str]) -> str:
    """An argument list as a POSIX shell would need it typed (what :func:`shlex.join`
    prints, without importing :mod:`shlex`)."""
    out = []
    for arg in argv:
        if arg and all(c in _SHELL_SAFE for c in arg):
            out.append(arg)
        else:
            out.append("'" + arg.replace("'", "'\"'\"'") + "'")
    return " ".join(out)


def _toml_string(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_key(key: str) -> str:
    if key and all(c.isalnum() or c in "-_" for c in key) and key.isascii():
        return key
    return _toml_string(key)


def format_toml(external: External) -> str:
    """The normalized table as TOML text, one requirement per line."""
    data = external.to_dict()
    lines = ["[external]"]
    tables: list[tuple[str, dict[str, list[Any]]]] = []
    for key, value in data.items():
        if isinstance(value, list):
            lines.append(f"{key} = [")
            lines.extend(f"  {_toml_string(v)}," for v in value)
            lines.append("]")
        else:
            tables.append((key, value))
    for key, table in tables:
        lines.append("")
        lines.append(f"[external.{key}]")
        for name, entries in table.items():
            lines.append(f"{_toml_key(name)} = [")
            for entry in entries:
                if isinstance(entry, dict):
                    lines.append(f"  {{ include-group = {_toml_string(entry['include-group'])} }},")
                else:
                    lines.append(f"  {_toml_string(entry)},")
            lines.append("]")
    return "\n".join(lines) + "\n"


def _document(command: str, project: Project | None, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": JSON_SCHEMA_VERSION,
        "command": command,
        "extdeps_version": __version__,
    }
    if project is not None:
        doc["source"] = project.source
        doc["project"] = {"name": project.name, "version": project.version}
    doc.update(fields)
    return doc


def _error_dict(error: ExtdepsError) -> dict[str, Any]:
    return {
        "file": error.source,
        "key_path": error.key,
        "message": error.message,
        "hint": error.hint,
        "text": error.text,
        "span": list(error.span) if error.span else None,
    }


def error_document(command: str | None, code: int, error: ExtdepsError) -> dict[str, Any]:
    """The one JSON document of a run that failed with ``error`` (exit 2 or 3)."""
    errors = getattr(error, "errors", None) or [error]
    return _document(
        command or "",
        None,
        exit_code=code,
        errors=[_error_dict(e) for e in errors],
    )


def _emit_json(doc: dict[str, Any], out: TextIO) -> None:
    """One JSON document, UTF-8 whatever the locale says (JSON is UTF-8), with
    invisible and bidirectional characters escaped like control characters."""
    import json  # noqa: PLC0415 - only for --json

    from extdeps.model.text import INVISIBLE  # noqa: PLC0415

    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if not text.isascii():
        text = "".join(f"\\u{ord(c):04x}" if c in INVISIBLE else c for c in text)
    out = getattr(out, "_guarded", out)
    buffer = getattr(out, "buffer", None)
    if buffer is not None and (out.encoding or "").lower().replace("-", "") != "utf8":
        out.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        out.write(text)


class _Guard:
    """A text stream that escapes what a terminal would act on (control and
    invisible characters; newlines and tabs pass) before it reaches ``stream``."""

    def __init__(self, stream: TextIO) -> None:
        self._guarded = stream

    def write(self, text: str) -> int:
        from extdeps.model.text import printable  # noqa: PLC0415 - loaded with the errors

        if not (text.isascii() and text.replace("\n", "").replace("\t", "").isprintable()):
            text = "\t".join(printable(part, keep_newlines=True) for part in text.split("\t"))
        return self._guarded.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._guarded, name)


def add_path_argument(parser: ArgumentParser, *, what: str = "") -> None:
    """The positional PATH most commands take."""
    parser.add_argument(
        "path",
        nargs="?",
        default=".",
        metavar="PATH",
        help=what or "project directory, pyproject.toml or sdist (default: .)",
    )


def cmd_show(args: Namespace) -> int:
    from extdeps.sources import load_cached  # noqa: PLC0415

    project = load_cached(args.path)
    if args.json:
        _emit_json(_document("show", project, external=project.external.to_dict()), sys.stdout)
        return EXIT_OK
    sys.stdout.write(f"# {project.source}\n")
    if project.external.is_empty:
        sys.stdout.write("# no [external] dependencies\n")
        return EXIT_OK
    sys.stdout.write(format_toml(project.external))
    return EXIT_OK


def cmd_validate(args: Namespace) -> int:
    from extdeps.sources import ProjectCache, count_requirements  # noqa: PLC0415

    # an unchanged valid project is answered from the cache without reading it
    cache = ProjectCache(args.path)
    entry = cache.hit()
    if entry is not None and type(entry.get("count")) is int:
        source, name, version = cache.display, entry.get("name"), entry.get("version")
        count: int = entry["count"]
    else:
        from extdeps.sources import load_project  # noqa: PLC0415

        try:
            project = load_project(args.path)
        except InvalidExternal as exc:
            if args.json:
                doc = _document(
                    "validate", None, source=exc.source, valid=False, exit_code=EXIT_INVALID
                )
                doc["errors"] = [_error_dict(e) for e in exc.errors]
                _emit_json(doc, sys.stdout)
            else:
                for line in exc.render():
                    print(line, file=sys.stderr)
                n = len(exc.errors)
                print(f"{exc.source}: invalid: {n} error{'s' if n != 1 else ''}", file=sys.stderr)
            return EXIT_INVALID
        cache.remember(project)
        source, name, version = project.source, project.name, project.version
        count = count_requirements(project.external)
    if args.json:
        doc = _document("validate", None, source=source)
        doc["project"] = {"name": name, "version": version}
        doc.update(valid=True, errors=[], count=count)
        _emit_json(doc, sys.stdout)
    elif not args.quiet:
        noun = "dependency" if count == 1 else "dependencies"
        print(f"{source}: valid, {count} external {noun}")
    return EXIT_OK


# Modules that add their own subcommands: each has ``register(sub) -> None`` and
# sets ``func`` on its parsers. A module that is absent is skipped. Only the
# module of the command being run is imported (start-up time matters).
_COMMAND_MODULES = {
    "detect": "extdeps.cli.resolve",
    "map": "extdeps.cli.resolve",
    "install": "extdeps.cli.check",
    "check": "extdeps.cli.check",
    "metadata": "extdeps.cli.metadata",
    "recipe": "extdeps.cli.recipe",
    "lint": "extdeps.cli.author",
    "migrate": "extdeps.cli.author",
    "scan": "extdeps.cli.author",
    "registry": "extdeps.cli.registry",
    "preflight": "extdeps.cli.preflight",
}


def build_parser(command: str | None = None) -> ArgumentParser:
    """The parser; with ``command``, only that command's module is loaded."""
    parser = ArgumentParser(
        prog="extdeps",
        description="Declare, map, check and install external (non-PyPI) dependencies.",
        epilog="Exit codes: 0 success, 1 unmet dependencies, 2 invalid input or usage, "
        "3 cannot decide.",
    )
    parser.add_argument("--version", action="version", version=f"extdeps {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    show = sub.add_parser("show", help="print the normalized [external] table")
    add_path_argument(show)
    show.add_argument("--json", action="store_true", help="print one JSON document")
    show.set_defaults(func=cmd_show)

    validate = sub.add_parser("validate", help="check the [external] table; exit 2 if invalid")
    add_path_argument(validate)
    validate.add_argument("--json", action="store_true", help="print one JSON document")
    validate.add_argument("-q", "--quiet", action="store_true", help="print nothing when valid")
    validate.set_defaults(func=cmd_validate)

    wanted: set[str] | None = None  # help or an unknown command: every module
    if command in _COMMAND_MODULES:
        wanted = {_COMMAND_MODULES[command]}
    elif command in ("show", "validate"):
        wanted = set()
    for name in dict.fromkeys(_COMMAND_MODULES.values()):
        if wanted is not None and name not in wanted:
            continue
        try:
            # __import__ rather than importlib.import_module: the importlib
            # package (and warnings) would be one more import on every run
            __import__(name)
            module = sys.modules[name]
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    With ``--json`` exactly one document goes to stdout, also when the run fails:
    a usage error or invalid input (exit 2) or an undecidable one (exit 3) is a
    document with ``exit_code`` and ``errors``; the human message still goes to
    stderr.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)
    wants_json = "--json" in words
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Guard(out), _Guard(err)
    cache.defer_writes()  # each cache file written once, at the end
    try:
        return _main(words, command, wants_json)
    finally:
        sys.stdout, sys.stderr = out, err
        cache.written()


def _main(words: list[str], command: str | None, wants_json: bool) -> int:
    parser = build_parser(command)
    if wants_json:
        parsed = _parse_for_json(parser, words, command)
        if isinstance(parsed, int):
            return parsed
        args = parsed
    else:
        args = parser.parse_args(words)
    try:
        code: int = args.func(args)
    except ExtdepsError as exc:
        lines = exc.render()
        print(f"error: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(line, file=sys.stderr)
        if wants_json and getattr(args, "json", False):
            name = getattr(args, "command", command)
            sub = getattr(args, "registry_command", None)
            _emit_json(
                error_document(f"{name} {sub}" if sub else name, exc.exit_code, exc), sys.stdout
            )
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code


def _parse_for_json(
    parser: ArgumentParser, words: list[str], command: str | None
) -> Namespace | int:
    """Parse ``words``; a usage error is also printed as the run's JSON document."""
    import contextlib  # noqa: PLC0415 - --json only
    import io  # noqa: PLC0415

    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            args = parser.parse_args(words)
    except SystemExit as exc:
        sys.stderr.write(captured.getvalue())
        code = exc.code if isinstance(exc.code, int) else EXIT_INVALID
        if code == EXIT_INVALID:
            lines = [ln for ln in captured.getvalue().splitlines() if ln.startswith("error: ")]
            message = lines[-1].removeprefix("error: ") if lines else "invalid usage"
            error = ExtdepsError(message, hint="see --help")
            _emit_json(error_document(command, code, error), sys.stdout)
        return code
    sys.stderr.write(captured.getvalue())
    return args
