"""The command line's argument parser: the part of :mod:`argparse` extdeps uses.

The interface is argparse's (``add_argument``, ``add_subparsers``,
``add_argument_group``, ``add_mutually_exclusive_group``, ``set_defaults``,
``parse_args``), as are the command line rules: ``--opt value`` and
``--opt=value``, unique prefixes of long options, bundled short flags, ``--``,
and the wording of errors. It exists because argparse and the gettext lookups
behind each of its messages cost a fifth of a cached ``extdeps validate``.

Errors print the usage and one ``error:`` line to stderr and exit with 2;
``-h``/``--help`` prints help and exits with 0.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, NoReturn, TextIO

__all__ = ["ArgumentParser", "Namespace"]

_SUPPRESS = "==SUPPRESS=="
_HELP_POSITION = 24


class Namespace:
    """Parsed arguments as attributes."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    def __contains__(self, name: str) -> bool:
        return name in self.__dict__

    if TYPE_CHECKING:  # attributes are whatever the parser set

        def __getattr__(self, name: str) -> Any: ...

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Namespace) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in sorted(self.__dict__.items()))
        return f"Namespace({inner})"


class _Action:
    __slots__ = (
        "choices",
        "default",
        "dest",
        "group",
        "help",
        "kind",
        "metavar",
        "nargs",
        "option_strings",
        "required",
        "version",
    )

    def __init__(
        self,
        names: Sequence[str],
        *,
        action: str | None,
        dest: str | None,
        default: Any,
        metavar: str | None,
        help: str | None,
        choices: Iterable[str] | None,
        required: bool,
        nargs: str | None,
        version: str | None,
    ) -> None:
        self.option_strings = tuple(n for n in names if n.startswith("-"))
        if self.option_strings:
            longs = [n for n in self.option_strings if n.startswith("--")]
            guess = (longs or list(self.option_strings))[0].lstrip("-").replace("-", "_")
        else:
            guess = names[0]
        self.dest = dest or guess
        self.kind = action or "store"
        if self.kind not in ("store", "store_true", "append", "version", "help"):
            raise ValueError(f"unsupported action {self.kind!r}")
        if default is None and self.kind == "store_true":
            default = False
        self.default = default
        self.metavar = metavar
        self.help = help
        self.choices = tuple(choices) if choices is not None else None
        self.required = required
        self.nargs = nargs
        self.version = version
        self.group: _Exclusive | None = None

    @property
    def takes_value(self) -> bool:
        return self.kind in ("store", "append")

    def value_name(self) -> str:
        if self.metavar is not None:
            return self.metavar
        if self.choices is not None:
            return "{" + ",".join(self.choices) + "}"
        return self.dest.upper() if self.option_strings else self.dest

    def display(self) -> str:
        """How errors name the argument: ``--extra`` or ``PATH``."""
        return "/".join(self.option_strings) if self.option_strings else self.value_name()

    def invocation(self) -> str:
        """How help lists it: ``-y, --yes`` or ``--ecosystem ID``."""
        if not self.option_strings:
            return self.value_name()
        if not self.takes_value:
            return ", ".join(self.option_strings)
        name = self.value_name()
        return ", ".join(f"{s} {name}" for s in self.option_strings)

    def usage(self) -> str:
        if not self.option_strings:
            if self.nargs == "*":
                return f"[{self.value_name()} ...]"
            return f"[{self.value_name()}]" if self.nargs == "?" else self.value_name()
        part = self.option_strings[0]
        if self.takes_value:
            part += f" {self.value_name()}"
        return part if self.required else f"[{part}]"


class _Exclusive:
    """Options of which at most one may be given."""

    def __init__(self, parser: ArgumentParser) -> None:
        self._parser = parser
        self.actions: list[_Action] = []

    def add_argument(self, *names: str, **kwargs: Any) -> _Action:
        action = self._parser.add_argument(*names, **kwargs)
        action.group = self
        self.actions.append(action)
        return action


class _Group:
    """A titled section of the help; the arguments belong to the parser."""

    def __init__(self, parser: ArgumentParser, title: str | None) -> None:
        self._parser = parser
        self.title = title
        self.actions: list[_Action] = []

    def add_argument(self, *names: str, **kwargs: Any) -> _Action:
        action = self._parser.add_argument(*names, **kwargs)
        self.actions.append(action)
        return action


class _Subparsers:
    def __init__(
        self, parser: ArgumentParser, *, dest: str | None, metavar: str | None, parser_class: Any
    ) -> None:
        self._parent = parser
        self.dest = dest or _SUPPRESS
        self.metavar = metavar
        self.required = False
        self._class = parser_class or type(parser)
        self.choices: dict[str, ArgumentParser] = {}
        self.helps: dict[str, str | None] = {}

    def add_parser(self, name: str, *, help: str | None = None, **kwargs: Any) -> ArgumentParser:
        kwargs.setdefault("prog", f"{self._parent.prog} {name}")
        parser: ArgumentParser = self._class(**kwargs)
        self.choices[name] = parser
        self.helps[name] = help
        return parser

    def name(self) -> str:
        return self.metavar or "{" + ",".join(self.choices) + "}"


class ArgumentParser:
    """A parser for one command (or the top level), with argparse's interface."""

    def __init__(
        self,
        prog: str | None = None,
        *,
        description: str | None = None,
        epilog: str | None = None,
        add_help: bool = True,
    ) -> None:
        self.prog = prog or os.path.basename(sys.argv[0] or "extdeps")
        self.description = description
        self.epilog = epilog
        self._actions: list[_Action] = []
        self._groups: list[_Group] = []
        self._defaults: dict[str, Any] = {}
        self._subparsers: _Subparsers | None = None
        if add_help:
            self.add_argument("-h", "--help", action="help", help="show this help message and exit")

    # -- building -------------------------------------------------------------
    def add_argument(
        self,
        *names: str,
        action: str | None = None,
        dest: str | None = None,
        default: Any = None,
        metavar: str | None = None,
        help: str | None = None,
        choices: Iterable[str] | None = None,
        required: bool = False,
        nargs: str | None = None,
        version: str | None = None,
    ) -> _Action:
        if action == "version" and help is None:
            help = "show program's version number and exit"
        made = _Action(
            names,
            action=action,
            dest=dest,
            default=default,
            metavar=metavar,
            help=help,
            choices=choices,
            required=required,
            nargs=nargs,
            version=version,
        )
        self._actions.append(made)
        return made

    def add_argument_group(self, title: str | None = None) -> _Group:
        group = _Group(self, title)
        self._groups.append(group)
        return group

    def add_mutually_exclusive_group(self) -> _Exclusive:
        return _Exclusive(self)

    def add_subparsers(
        self, *, dest: str | None = None, metavar: str | None = None, parser_class: Any = None
    ) -> _Subparsers:
        self._subparsers = _Subparsers(self, dest=dest, metavar=metavar, parser_class=parser_class)
        return self._subparsers

    def set_defaults(self, **values: Any) -> None:
        self._defaults.update(values)

    # -- introspection --------------------------------------------------------
    def subcommand(self, name: str) -> ArgumentParser | None:
        """The parser of a subcommand, if this parser has that one."""
        return self._subparsers.choices.get(name) if self._subparsers is not None else None

    def option_strings(self) -> set[str]:
        """Every option this parser accepts (``--json``, ``-v``...)."""
        return {s for a in self._actions for s in a.option_strings}

    # -- parsing --------------------------------------------------------------
    def parse_args(self, args: Sequence[str] | None = None) -> Namespace:
        namespace = Namespace()
        self._parse(list(sys.argv[1:] if args is None else args), namespace)
        return namespace

    def _parse(self, words: list[str], namespace: Namespace) -> None:
        for action in self._actions:
            if action.kind in ("help", "version") or action.dest in namespace:
                continue
            default = action.default
            if action.kind == "append" and isinstance(default, list):
                default = list(default)  # never share a mutable default between runs
            setattr(namespace, action.dest, default)
        for key, value in self._defaults.items():
            if key not in namespace:
                setattr(namespace, key, value)
        seen: list[_Action] = []
        positionals: list[str] = []
        i = 0
        while i < len(words):
            word = words[i]
            i += 1
            if word == "--":
                positionals.extend(words[i:])
                break
            if not _looks_like_option(word):
                if self._subparsers is not None and not positionals:
                    self._enter(word, words[i:], namespace)
                    self._finish(positionals, seen, namespace, subcommand=True)
                    return
                positionals.append(word)
                continue
            if word.startswith("--"):
                name, eq, value = word.partition("=")
                action = self._option(name)
                explicit = value if eq else None
            else:
                action = self._option(word[:2])
                explicit = word[2:] or None
                if explicit is not None and not action.takes_value:
                    # bundled short flags: -qv
                    for letter in explicit:
                        self._apply(action, None, namespace, seen)
                        action = self._option("-" + letter)
                    explicit = None
            if action.takes_value and explicit is None:
                if i >= len(words) or _looks_like_option(words[i]):
                    self.error(f"argument {action.display()}: expected one argument")
                explicit = words[i]
                i += 1
            elif not action.takes_value and explicit is not None:
                self.error(f"argument {action.display()}: ignored explicit argument {explicit!r}")
            self._apply(action, explicit, namespace, seen)
        self._finish(positionals, seen, namespace, subcommand=False)

    def _enter(self, word: str, rest: list[str], namespace: Namespace) -> None:
        sub = self._subparsers
        assert sub is not None
        parser = sub.choices.get(word)
        if parser is None:
            options = ", ".join(repr(c) for c in sub.choices)
            self.error(f"argument {sub.name()}: invalid choice: {word!r} (choose from {options})")
        if sub.dest != _SUPPRESS:
            setattr(namespace, sub.dest, word)
        parser._parse(rest, namespace)

    def _finish(
        self, positionals: list[str], seen: list[_Action], namespace: Namespace, *, subcommand: bool
    ) -> None:
        missing = []
        for action in self._actions:
            if action.option_strings:
                if action.required and action not in seen:
                    missing.append(action.display())
                continue
            if action.nargs == "*":  # every remaining positional, possibly none
                setattr(namespace, action.dest, positionals[:])
                positionals.clear()
            elif positionals:
                setattr(namespace, action.dest, positionals.pop(0))
            elif action.nargs != "?":
                missing.append(action.display())
        sub = self._subparsers
        if sub is not None and not subcommand and sub.required:
            missing.append(sub.name())
        if missing:
            self.error(f"the following arguments are required: {', '.join(missing)}")
        if positionals:
            self.error(f"unrecognized arguments: {' '.join(positionals)}")

    def _option(self, name: str) -> _Action:
        exact = [a for a in self._actions if name in a.option_strings]
        if exact:
            return exact[0]
        if name.startswith("--") and len(name) > 2:
            matches = [
                (s, a) for a in self._actions for s in a.option_strings if s.startswith(name)
            ]
            if len(matches) == 1:
                return matches[0][1]
            if matches:
                names = ", ".join(s for s, _ in matches)
                self.error(f"ambiguous option: {name} could match {names}")
        return self.error(f"unrecognized arguments: {name}")

    def _apply(
        self, action: _Action, value: str | None, namespace: Namespace, seen: list[_Action]
    ) -> None:
        if action.group is not None:
            for other in action.group.actions:
                if other is not action and other in seen:
                    self.error(
                        f"argument {action.display()}: not allowed with argument {other.display()}"
                    )
        seen.append(action)
        if action.kind == "help":
            self.print_help()
            self.exit(0)
        if action.kind == "version":
            sys.stdout.write(f"{action.version}\n")
            self.exit(0)
        if action.kind == "store_true":
            setattr(namespace, action.dest, True)
            return
        assert value is not None
        if action.choices is not None and value not in action.choices:
            options = ", ".join(repr(c) for c in action.choices)
            self.error(
                f"argument {action.display()}: invalid choice: {value!r} (choose from {options})"
            )
        if action.kind == "append":
            current = getattr(namespace, action.dest, None)
            setattr(namespace, action.dest, [*(current or []), value])
        else:
            setattr(namespace, action.dest, value)

    # -- output ---------------------------------------------------------------
    def format_usage(self) -> str:
        parts = [a.usage() for a in self._actions if a.option_strings]
        parts += [a.usage() for a in self._actions if not a.option_strings]
        if self._subparsers is not None:
            parts.append(f"{self._subparsers.name()} ...")
        return _wrap_usage(f"usage: {self.prog} ", parts)

    def format_help(self) -> str:
        width = _columns() - 2
        out = [self.format_usage()]
        if self.description:
            out.append(_fill(self.description, width, 0) + "\n")
        listed = {id(a) for g in self._groups for a in g.actions}
        positional_rows = [(a.invocation(), a.help) for a in self._actions if not a.option_strings]
        if self._subparsers is not None:
            sub = self._subparsers
            positional_rows.append((sub.name(), None))
            positional_rows += [(f"  {n}", h) for n, h in sub.helps.items()]
        sections: list[tuple[str, list[tuple[str, str | None]]]] = []
        if positional_rows:
            sections.append(("positional arguments", positional_rows))
        options = [
            (a.invocation(), a.help)
            for a in self._actions
            if a.option_strings and id(a) not in listed
        ]
        sections.append(("options", options))
        for group in self._groups:
            sections.append((group.title or "", [(a.invocation(), a.help) for a in group.actions]))
        names = [name for _, rows in sections for name, _ in rows]
        column = min(max(len(name) for name in names) + 4, _HELP_POSITION)
        for title, rows in sections:
            if rows:
                out.append(f"{title}:\n" + _table(rows, width, column))
        if self.epilog:
            out.append(_fill(self.epilog, width, 0) + "\n")
        return "\n".join(out)

    def print_usage(self, file: TextIO | None = None) -> None:
        (file or sys.stdout).write(self.format_usage())

    def print_help(self, file: TextIO | None = None) -> None:
        (file or sys.stdout).write(self.format_help())

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise SystemExit(status)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"error: {message}\n")


def _looks_like_option(word: str) -> bool:
    if not word.startswith("-") or word == "-":
        return False
    try:
        float(word)  # a negative number is a value
    except ValueError:
        return True
    return False


def _columns() -> int:
    """The terminal width as :func:`shutil.get_terminal_size` finds it."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return max(columns or 80, 40)


def _fill(text: str, width: int, indent: int) -> str:
    """``text`` wrapped at spaces to ``width``, continuation lines indented."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and indent + len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return ("\n" + " " * indent).join(lines)


def _wrap_usage(head: str, parts: list[str]) -> str:
    width = _columns() - 2
    lines = [head.rstrip()]
    for part in parts:
        if len(lines[-1]) + 1 + len(part) > width and len(lines[-1]) > len(head):
            lines.append(" " * (len(head) - 1))
        lines[-1] += " " + part
    return "\n".join(lines) + "\n"


def _table(rows: list[tuple[str, str | None]], width: int, column: int) -> str:
    out = []
    for name, text in rows:
        left = f"  {name}"
        if not text:
            out.append(left)
        elif len(left) + 2 <= column:
            out.append(left.ljust(column) + _fill(text, width, column))
        else:
            out.append(left)
            out.append(" " * column + _fill(text, width, column))
    return "\n".join(out) + "\n"
