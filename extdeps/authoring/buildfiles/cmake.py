"""``CMakeLists.txt`` and the directories ``add_subdirectory()`` names."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from extdeps.authoring.buildfiles import FIND_OPTIONS, PKG_OPTIONS, Kind, Use, read_file

__all__ = ["cmake_commands", "parse_cmake"]


_CMAKE_TOKEN_RE = re.compile(
    r"(?P<bc>\#\[(?P<e1>=*)\[.*?\](?P=e1)\])|(?P<comment>\#[^\n]*)"
    r"|(?P<br>\[(?P<e2>=*)\[.*?\](?P=e2)\])|(?P<q>\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<open>\()|(?P<close>\))|(?P<ws>\s+)|(?P<arg>[^\s()#\"]+)",
    re.DOTALL,
)
_PROJECT_KEYWORDS = {"VERSION", "DESCRIPTION", "HOMEPAGE_URL", "LANGUAGES"}
_PKG_MODULE_RE = re.compile(r"([^<>=]+)(?:(>=|<=|=|<|>)(.+))?\Z")


def cmake_commands(text: str) -> Iterator[tuple[str, list[str], int]]:
    """(command in lowercase, arguments, line) for every command invocation."""
    line, depth = 1, 0
    word: tuple[str, int] | None = None
    command: tuple[str, int] = ("", 0)
    args: list[str] = []
    for match in _CMAKE_TOKEN_RE.finditer(text):
        kind, value = match.lastgroup, match.group()
        if depth == 0:
            if kind == "arg":
                word = (value, line)
            elif kind == "open" and word is not None:
                command, args, depth = (word[0].lower(), word[1]), [], 1
            elif kind != "ws":
                word = None
        elif kind == "open":
            depth += 1
            args.append("(")
        elif kind == "close":
            depth -= 1
            if depth == 0:
                yield command[0], args, command[1]
                word = None
            else:
                args.append(")")
        elif kind == "q":
            args.append(value[1:-1])
        elif kind == "br":
            args.append(value[value.index("[", 1) + 1 : value.rindex("]", 0, -1)])
        elif kind == "arg":
            args.append(value)
        line += value.count("\n")


def _languages(args: list[str]) -> list[str]:
    """The languages a CMake ``project()`` enables (C and CXX when it names none)."""
    rest = args[1:]
    if "LANGUAGES" in rest:
        rest = rest[rest.index("LANGUAGES") + 1 :]
        stop = next((i for i, a in enumerate(rest) if a in _PROJECT_KEYWORDS), len(rest))
        rest = rest[:stop]
    elif any(a in _PROJECT_KEYWORDS for a in rest):
        rest = []
    return [a for a in rest or ["C", "CXX"] if a != "NONE"]


def parse_cmake(
    root: str, relpath: str = "CMakeLists.txt", seen: set[str] | None = None
) -> list[Use]:
    """Read a ``CMakeLists.txt`` and the directories its ``add_subdirectory()`` names."""
    seen = set() if seen is None else seen
    if relpath in seen or len(seen) > 500:
        return []
    seen.add(relpath)
    uses: list[Use] = []
    for name, args, line in cmake_commands(read_file(root, relpath) or ""):

        def add(
            kind: Kind,
            names: list[str],
            *,
            call: str = name,
            args: list[str] = args,
            at: int = line,
            **kw: Any,
        ) -> None:
            if any("${" in n for n in names) or not names:
                kind, names = "unresolved", [f"{call}({' '.join(args)})"]
            uses.append(Use(kind=kind, names=names, file=relpath, line=at, **kw))

        if name == "project" and args:
            if _languages(args):
                add("language", _languages(args))
        elif name == "enable_language":
            add("language", [a for a in args if a != "OPTIONAL"], optional="OPTIONAL" in args)
        elif name == "find_package" and args:
            version = args[1] if len(args) > 1 and re.match(r"\d+(\.\d+)*\Z", args[1]) else None
            op = "==" if "EXACT" in args else ">="
            add("dependency", args[:1], version=f"{op}{version}" if version else None)
        elif name in ("pkg_check_modules", "pkg_search_module") and len(args) > 1:
            add("program", ["pkg-config"])
            matches = [_PKG_MODULE_RE.match(a) for a in args[1:] if a not in PKG_OPTIONS]
            specs = [m.groups() for m in matches if m]
            for group in [specs] if name == "pkg_search_module" else [[s] for s in specs]:
                op, version = group[0][1], group[0][2]
                version = f"{'==' if op == '=' else op}{version}" if op else None
                add("dependency", [s[0] for s in group], version=version)
        elif name in ("find_program", "find_library") and len(args) > 1:
            rest = args[args.index("NAMES") + 1 :] if "NAMES" in args else args[1:]
            stop = next(
                (i for i, a in enumerate(rest) if a in FIND_OPTIONS or a.startswith("NO_")),
                len(rest),
            )
            add("program" if name == "find_program" else "library", rest[:stop])
        elif name == "add_subdirectory" and args and "${" not in args[0]:
            sub = posixpath.join(posixpath.dirname(relpath), args[0], "CMakeLists.txt")
            uses.extend(parse_cmake(root, posixpath.normpath(sub), seen))
    return uses
