"""``extdeps scan``: propose an ``[external]`` table from a project's build files.

Readers (plain functions on text, tested on captured strings):

- ``meson.build`` (and the files its ``subdir()`` calls name): ``project()`` and
  ``add_languages()`` languages, ``dependency()``, ``find_program()``,
  ``<compiler>.find_library()``; string variables and ``get_option()`` defaults
  from ``meson.options``/``meson_options.txt`` are followed. When ``meson`` is
  installed, ``meson introspect --scan-dependencies`` adds what the reader missed;
  when it is missing or fails, the reader's answer stands.
- ``CMakeLists.txt`` (and ``add_subdirectory()``): ``project()`` and
  ``enable_language()`` languages, ``find_package()``, ``pkg_check_modules()``,
  ``pkg_search_module()``, ``find_program()``, ``find_library()``.
- ``setup.py`` (read with :mod:`ast`, never run) and ``setup.cfg``: extension
  modules (a compiler per source language) and ``libraries=[...]``.
- ``Cargo.toml``: a Rust compiler, and ``*-sys`` crates as libraries.

Each name goes through one table of build-system names (pkg-config modules,
CMake packages, linker names, programs; :func:`extdeps.authoring.lint.lookup_name`, which
lint's "did you mean" shares) to a registry id. Names that need no
entry (the C toolchain, Python itself, PyPI packages) and names nobody knows
are kept as comments in the output, never dropped.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from extdeps.authoring.lint import category_of, lookup_name
from extdeps.model.errors import InputError

if TYPE_CHECKING:
    from extdeps.data.registry import Registry
    from extdeps.model.external import External

__all__ = [
    "Difference",
    "Entry",
    "Note",
    "ScanResult",
    "Use",
    "compare",
    "parse_cargo",
    "parse_cmake",
    "parse_meson",
    "parse_meson_scan",
    "parse_setup_cfg",
    "parse_setup_py",
    "scan",
]

Kind = Literal["language", "dependency", "program", "library", "unresolved"]
_MESON_TIMEOUT = 60

# fmt: off
_LANGUAGES = {  # meson and CMake language names, lowercase
    "c": "dep:virtual/compiler/c", "cpp": "dep:virtual/compiler/cxx",
    "cxx": "dep:virtual/compiler/cxx", "fortran": "dep:virtual/compiler/fortran",
    "cuda": "dep:virtual/compiler/cuda", "hip": "dep:virtual/compiler/hip",
    "rust": "dep:virtual/compiler/rust", "objc": "dep:virtual/compiler/objective-c",
    "objcpp": "dep:virtual/compiler/objective-cxx",
    "objcxx": "dep:virtual/compiler/objective-cxx", "d": "dep:virtual/compiler/d",
    "cs": "dep:virtual/compiler/c-sharp", "csharp": "dep:virtual/compiler/c-sharp",
    "go": "dep:virtual/compiler/go", "zig": "dep:virtual/compiler/zig",
    "nim": "dep:virtual/compiler/nim", "nasm": "dep:generic/nasm",
    "asm_nasm": "dep:generic/nasm", "java": "dep:generic/openjdk", "cython": "=pypi",
    "asm": "=toolchain", "asm-att": "=toolchain",
}
_SOURCE_LANGUAGES = {
    ".c": "c", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".f": "fortran",
    ".for": "fortran", ".f90": "fortran", ".f95": "fortran", ".cu": "cuda", ".m": "objc",
    ".mm": "objcpp", ".pyx": "c",
}
_PKG_OPTIONS = {
    "REQUIRED", "QUIET", "NO_CMAKE_PATH", "NO_CMAKE_ENVIRONMENT_PATH", "IMPORTED_TARGET",
    "GLOBAL",
}
_FIND_OPTIONS = {
    "HINTS", "PATHS", "PATH_SUFFIXES", "DOC", "REQUIRED", "NAMES_PER_DIR", "VALIDATOR",
    "REGISTRY_VIEW", "ENV", "OPTIONAL",
}
# fmt: on
_NOTES = {
    "=toolchain": "part of the C toolchain; no entry needed",
    "=python": "Python's headers are implied by a compiler entry (PEP 725); no entry needed",
    "=pypi": "a PyPI package: list it in [build-system] requires",
    "=language": "no compiler DepURL for this language; add one by hand",
    "=unknown": "not a known name; find its DepURL and add it by hand",
}
# Tools a build system needs anyway: declared, they are not "unused" in --diff.
_IMPLIED_TOOLS = frozenset(
    f"dep:generic/{n}" for n in ("cmake", "meson", "ninja", "make", "pkg-config", "ccache")
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Use:
    """One thing a build file asks for, where it asks for it."""

    kind: Kind
    names: Sequence[str]  # alternatives, in the build file's order
    file: str
    line: int | None = None
    optional: bool = False
    version: str | None = None
    native: bool = False
    via: str | None = None  # how the name was found when it was not written literally

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(self.names))

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def _read(root: str, relpath: str) -> str | None:
    try:
        with open(os.path.join(root, *relpath.split("/")), encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


# -- meson ----------------------------------------------------------------------

_MESON_TOKEN_RE = re.compile(
    r"(?P<ml>'''.*?''')|(?P<str>'(?:[^'\\\n]|\\.)*')|(?P<comment>\#[^\n]*)"
    r"|(?P<nl>\n)|(?P<ws>[ \t\r\f]+)|(?P<id>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|\+=|.)",
    re.DOTALL,
)
_Token = tuple[str, str, int]  # kind, text, line
_Args = list[tuple[str | None, list[_Token]]]


def _meson_tokens(text: str) -> list[_Token]:
    """(kind, text, line) tokens; newlines inside brackets are dropped."""
    tokens: list[_Token] = []
    line, depth = 1, 0
    for match in _MESON_TOKEN_RE.finditer(text):
        kind, value = match.lastgroup or "op", match.group()
        if kind == "ml":
            tokens.append(("str", value[3:-3], line))
        elif kind == "str":
            tokens.append(("str", re.sub(r"\\(.)", r"\1", value[1:-1]), line))
        elif kind == "nl" and depth == 0:
            tokens.append(("nl", "\n", line))
        elif kind in ("id", "op"):
            depth = max(0, depth + (value in "([{") - (value in ")]}"))
            tokens.append((kind, value, line))
        line += value.count("\n")
    return tokens


def _split_args(tokens: list[_Token], start: int) -> _Args:
    """The arguments of the call whose '(' is at ``start``: (keyword or None, tokens)."""
    args: _Args = []
    current: list[_Token] = []
    depth = 0
    for tok in tokens[start + 1 :]:
        text = tok[1] if tok[0] == "op" else ""
        if text and text in ")]}" and depth == 0:
            break
        depth += bool(text and text in "([{") - bool(text and text in ")]}")
        if text == "," and depth == 0:
            args.append(_keyword(current))
            current = []
        else:
            current.append(tok)
    if current:
        args.append(_keyword(current))
    return args


def _keyword(tokens: list[_Token]) -> tuple[str | None, list[_Token]]:
    if len(tokens) >= 2 and tokens[0][0] == "id" and tokens[1][1] == ":":
        return tokens[0][1], tokens[2:]
    return None, tokens


@dataclass(frozen=True, slots=True)
class _Option:
    name: str


_Value = str | list[str] | bool | _Option | None


class _MesonReader:
    """Walks meson files in the order meson runs them (``subdir()`` shares scope)."""

    def __init__(self, root: str, options: dict[str, str]) -> None:
        self.root = root
        self.options = options
        self.variables: dict[str, _Value] = {}
        self.uses: list[Use] = []
        self.seen: set[str] = set()

    def value(self, tokens: list[_Token]) -> _Value:
        texts = [t[1] for t in tokens]
        if len(tokens) == 1 and tokens[0][0] == "str":
            return tokens[0][1]
        if texts in (["true"], ["false"]):
            return texts[0] == "true"
        if len(tokens) == 1 and tokens[0][0] == "id":
            return self.variables.get(texts[0])
        inner = tokens[1:-1]
        if (
            texts[:1] == ["["]
            and texts[-1:] == ["]"]
            and all(t[0] == "str" or t[1] == "," for t in inner)
        ):
            return [t[1] for t in inner if t[0] == "str"]
        if len(tokens) == 4 and texts[:2] == ["get_option", "("] and tokens[2][0] == "str":
            return _Option(name=tokens[2][1])
        return None

    def read(self, relpath: str) -> None:
        if relpath in self.seen or len(self.seen) > 500:
            return
        self.seen.add(relpath)
        tokens = _meson_tokens(_read(self.root, relpath) or "")
        for i, (kind, text, _) in enumerate(tokens):
            nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
            if kind != "id":
                continue
            if nxt == "=" and (i == 0 or tokens[i - 1][0] == "nl"):
                end = next((j for j in range(i + 2, len(tokens)) if tokens[j][0] == "nl"), None)
                self.variables[text] = self.value(tokens[i + 2 : end])
            elif nxt == "(":
                method = i > 0 and tokens[i - 1][1] == "."
                self.call(relpath, tokens[i], _split_args(tokens, i + 1), method=method)

    def names(self, arg: list[_Token]) -> tuple[list[str], str | None]:
        value = self.value(arg)
        if isinstance(value, str):
            return [value], None
        if isinstance(value, list):
            return value, None
        if isinstance(value, _Option) and value.name in self.options:
            return [self.options[value.name]], f"get_option('{value.name}')"
        return [], None

    def call(self, file: str, tok: _Token, args: _Args, *, method: bool) -> None:
        name, line = tok[1], tok[2]
        positional = [a for k, a in args if k is None]
        keywords = {k: a for k, a in args if k is not None}
        optional = "required" in keywords and self.value(keywords["required"]) is not True
        native = "native" in keywords and self.value(keywords["native"]) is True
        if name in ("project", "add_languages") and not method:
            languages: list[str] = []
            for arg in positional[1:] if name == "project" else positional:
                languages += self.names(arg)[0]
            if languages:
                self.uses.append(
                    Use(kind="language", names=languages, file=file, line=line, optional=optional)
                )
        elif name == "subdir" and not method and positional:
            sub = self.value(positional[0])
            if isinstance(sub, str):
                self.read(
                    posixpath.normpath(posixpath.join(posixpath.dirname(file), sub, "meson.build"))
                )
        elif name == "dependency" and method:  # python_installation.dependency()
            self.uses.append(Use(kind="dependency", names=["python"], file=file, line=line))
        elif (name, method) in (
            ("dependency", False),
            ("find_program", False),
            ("find_library", True),
        ):
            kind: Kind = "program" if name == "find_program" else "library"
            kind = "dependency" if name == "dependency" else kind
            names: list[str] = []
            via = None
            for arg in positional:
                found, via = self.names(arg)
                if not found:
                    text = " ".join(f"'{t[1]}'" if t[0] == "str" else t[1] for t in arg)
                    self.uses.append(
                        Use(kind="unresolved", names=[f"{name}({text})"], file=file, line=line)
                    )
                    return
                names += found
            version = self.value(keywords["version"]) if "version" in keywords else None
            version = ",".join(version) if isinstance(version, list) else version
            version = version if isinstance(version, str) else None
            if names:
                use = Use(kind=kind, names=names, file=file, line=line, optional=optional)
                self.uses.append(replace(use, version=version, native=native, via=via))


def parse_meson_options(text: str) -> dict[str, str]:
    """Option name -> default value, for the string and combo options of an options file."""
    tokens = _meson_tokens(text)
    reader = _MesonReader("", {})
    out: dict[str, str] = {}
    for i, tok in enumerate(tokens[:-1]):
        if tok[1] == "option" and tokens[i + 1][1] == "(":
            args = _split_args(tokens, i + 1)
            keywords = {k: a for k, a in args if k is not None}
            name = reader.value(args[0][1]) if args and args[0][0] is None else None
            value = reader.value(keywords.get("value", []))
            if isinstance(name, str) and isinstance(value, str):
                out[name] = value
    return out


def parse_meson(root: str) -> tuple[list[Use], list[str]]:
    """Read ``meson.build`` under ``root`` and the files its ``subdir()`` calls name."""
    options = parse_meson_options(
        _read(root, "meson.options") or _read(root, "meson_options.txt") or ""
    )
    reader = _MesonReader(root, options)
    reader.read("meson.build")
    return reader.uses, sorted(reader.seen)


def parse_meson_scan(stdout: str) -> list[Use]:
    """Parse ``meson introspect --scan-dependencies`` JSON; ValueError if malformed."""
    import json  # noqa: PLC0415 - only when meson ran

    document = json.loads(stdout)
    if isinstance(document, dict):  # the shape of combined (-f) output
        document = document.get("scan_dependencies")
    if not isinstance(document, list):
        raise ValueError("expected a JSON array")
    out = []
    for item in document:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValueError("expected objects with a 'name'")
        version = ",".join(v for v in item.get("version") or [] if isinstance(v, str))
        optional = item.get("required") is False
        out.append(
            Use(kind="dependency", names=[item["name"]], file="meson.build", optional=optional,
                version=version or None, via="meson introspect")
        )  # fmt: skip
    return out


def meson_command() -> list[str] | None:
    """The meson command: ``$MESON`` (as meson-python reads it), else ``meson`` on PATH."""
    import shlex  # noqa: PLC0415
    import shutil  # noqa: PLC0415

    override = os.environ.get("MESON")
    if override:
        return shlex.split(override)
    found = shutil.which("meson")
    return [found] if found else None


def run_meson_scan(root: str, command: Sequence[str]) -> tuple[list[Use] | None, str]:
    """Run ``meson introspect --scan-dependencies``: (dependencies or None, what happened)."""
    import subprocess  # noqa: PLC0415 - only when meson is there

    argv = [*command, "introspect", "--scan-dependencies", "meson.build"]
    try:
        done = subprocess.run(
            argv, cwd=root, capture_output=True, text=True, timeout=_MESON_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"meson introspect could not run ({type(exc).__name__})"
    if done.returncode != 0:
        lines = (done.stderr or done.stdout or "").strip().splitlines()
        reason = lines[0][:100] if lines else "no output"
        return None, f"meson introspect failed with exit status {done.returncode}: {reason}"
    try:
        return parse_meson_scan(done.stdout), "meson introspect --scan-dependencies"
    except ValueError as exc:
        return None, f"meson introspect printed unexpected output: {exc}"


# -- CMake ------------------------------------------------------------------------

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
    for name, args, line in cmake_commands(_read(root, relpath) or ""):

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
            matches = [_PKG_MODULE_RE.match(a) for a in args[1:] if a not in _PKG_OPTIONS]
            specs = [m.groups() for m in matches if m]
            for group in [specs] if name == "pkg_search_module" else [[s] for s in specs]:
                op, version = group[0][1], group[0][2]
                version = f"{'==' if op == '=' else op}{version}" if op else None
                add("dependency", [s[0] for s in group], version=version)
        elif name in ("find_program", "find_library") and len(args) > 1:
            rest = args[args.index("NAMES") + 1 :] if "NAMES" in args else args[1:]
            stop = next(
                (i for i, a in enumerate(rest) if a in _FIND_OPTIONS or a.startswith("NO_")),
                len(rest),
            )
            add("program" if name == "find_program" else "library", rest[:stop])
        elif name == "add_subdirectory" and args and "${" not in args[0]:
            sub = posixpath.join(posixpath.dirname(relpath), args[0], "CMakeLists.txt")
            uses.extend(parse_cmake(root, posixpath.normpath(sub), seen))
    return uses


# -- setup.py, setup.cfg, Cargo.toml ------------------------------------------------


def parse_setup_py(text: str, file: str = "setup.py") -> list[Use]:
    """Extension modules and ``libraries=[...]`` of a ``setup.py``, read with :mod:`ast`."""
    import ast  # noqa: PLC0415 - setup.py only

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        return [Use(kind="unresolved", names=[f"setup.py cannot be parsed: {exc}"], file=file)]
    uses: list[Use] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if called.endswith("Extension"):
            languages: set[str] = {"rust"} if called == "RustExtension" else set()
            if called.startswith("Pybind11"):
                languages.add("cpp")
            lang = keywords.get("language")
            if isinstance(lang, ast.Constant) and isinstance(lang.value, str):
                languages.add("cpp" if lang.value.lower() in ("c++", "cpp") else lang.value)
            for source in ast.walk(node):
                if isinstance(source, ast.Constant) and isinstance(source.value, str):
                    suffix = os.path.splitext(source.value)[1].lower()
                    languages.add(_SOURCE_LANGUAGES.get(suffix, ""))
            languages.discard("")
            for language in sorted(languages or {"c"}):
                uses.append(Use(kind="language", names=[language], file=file, line=node.lineno))
        libraries = keywords.get("libraries")
        if isinstance(libraries, ast.List | ast.Tuple):
            for item in libraries.elts:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    uses.append(
                        Use(kind="library", names=[item.value], file=file, line=item.lineno)
                    )
    return uses


def parse_setup_cfg(text: str, file: str = "setup.cfg") -> list[Use]:
    """``libraries`` of the ``[build_ext]`` section of a ``setup.cfg``."""
    uses: list[Use] = []
    section = ""
    collecting = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = (
            raw.split("#", 1)[0].split(";", 1)[0] if not raw.lstrip().startswith(("#", ";")) else ""
        )
        if line.strip().startswith("["):
            section, collecting = line.strip().strip("[]").strip(), False
            continue
        key, sep, value = line.partition("=") if "=" in line else line.partition(":")
        if sep and not raw[:1].isspace():
            collecting = section == "build_ext" and key.strip() == "libraries"
        elif collecting and raw[:1].isspace():
            value = line
        else:
            continue
        if collecting:
            for name in re.split(r"[\s,]+", value.strip()):
                if name:
                    uses.append(Use(kind="library", names=[name], file=file, line=number))
    return uses


def parse_cargo(text: str, file: str = "Cargo.toml") -> list[Use]:
    """A Rust compiler, and the C libraries that ``*-sys`` crates link."""
    uses = [Use(kind="language", names=["rust"], file=file, line=1)]
    for number, raw in enumerate(text.splitlines(), 1):
        match = re.match(r"\s*([A-Za-z0-9_-]+)-sys\s*=", raw)
        if match:
            name = match.group(1).lower()
            via = f"{name}-sys crate (it may build its own copy)"
            uses.append(Use(kind="library", names=[name], file=file, line=number, via=via))
    return uses


# -- from names to DepURLs -------------------------------------------------------

_TOOLS = frozenset(
    f"dep:generic/{n}"
    for n in (  # noqa: SIM905 - a word list reads better than one name a line
        "pkg-config ninja cmake meson swig bison flex git doxygen perl patchelf nasm yasm "
        "gperf m4 make autoconf automake libtool help2man pandoc texinfo ccache cuda-nvcc "
        "go openjdk rust"
    ).split()
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A proposed requirement, with the build-file lines it comes from."""

    requirement: str
    category: Literal["build", "host"]
    where: Sequence[str]
    optional: bool = False
    detail: str | None = None

    @property
    def id(self) -> str:
        return self.requirement.partition("@")[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A name that gets no entry: why, and where it was found."""

    where: str
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.name}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanResult:
    files: Sequence[str]
    entries: Sequence[Entry]
    notes: Sequence[Note]
    info: Sequence[str] = ()


def _version(ident: str, version: str | None) -> tuple[str, str | None]:
    """``ident`` with the build file's version constraint, when a DepURL can carry it."""
    from extdeps.model.depurl import DepURL  # noqa: PLC0415
    from extdeps.model.errors import InvalidDepURL  # noqa: PLC0415

    if not version:
        return ident, None
    try:
        return str(DepURL.parse(f"{ident}@{version.replace(' ', '')}")), None
    except InvalidDepURL:
        return ident, f"version '{version}' cannot be written in a DepURL"


def resolve(uses: Sequence[Use], registry: Registry) -> tuple[list[Entry], list[Note]]:
    """Turn build-file uses into proposed entries and notes (merging repeats)."""
    entries: dict[tuple[str, str], Entry] = {}
    notes: list[Note] = []

    def add(ident: str, category: Literal["build", "host"], use: Use, detail: str | None) -> None:
        key = (ident.partition("@")[0], category)
        old = entries.get(key)
        if old is None:
            entries[key] = Entry(
                requirement=ident, category=category, where=(use.where,), optional=use.optional,
                detail=detail,
            )  # fmt: skip
        else:
            where = old.where if use.where in old.where else (*old.where, use.where)
            better = old.requirement if "@" in old.requirement else ident
            entries[key] = replace(
                old, requirement=better, where=where, optional=old.optional and use.optional
            )

    for use in uses:
        if use.kind == "unresolved":
            message = "the name is not written literally; add its DepURL by hand"
            notes.append(Note(where=use.where, name=use.names[0], message=message))
            continue
        if use.kind == "language":
            for language in use.names:
                compiler = _LANGUAGES.get(language.lower(), "=language")
                if compiler.startswith("="):
                    name = f"language '{language}'"
                    notes.append(Note(where=use.where, name=name, message=_NOTES[compiler]))
                else:
                    add(compiler, "build", use, None)
            continue
        looked = [(name, lookup_name(name, registry)) for name in use.names]
        name, target = next(((n, t) for n, t in looked if t), looked[0])
        shown = "'" + "' or '".join(use.names) + "'" + (f" ({use.via})" if use.via else "")
        option = use.via.split("'")[1] if use.via and use.via.startswith("get_option") else ""
        detail, problem = use.via, None
        if f"dep:virtual/interface/{option}" in registry:
            # an option picks the library: propose the interface it names
            target = requirement = f"dep:virtual/interface/{option}"
            detail = f"{use.via} picks the library (default '{name}')"
            if use.version:
                detail += f"; its version must be {use.version}"
        elif target is None or target.startswith("="):
            message = _NOTES[target or "=unknown"]
            notes.append(Note(where=use.where, name=shown, message=message))
            continue
        elif target not in registry:
            message = f"maps to {target}, which the registry lacks; check it by hand"
            notes.append(Note(where=use.where, name=shown, message=message))
            continue
        else:
            target = registry.canonical(target)
            version = None if use.kind == "program" else use.version
            requirement, problem = _version(target, version)
        detail = "; ".join(d for d in (detail, problem) if d) or None
        build = use.kind == "program" or use.native or target in _TOOLS
        add(requirement, "build" if build else "host", use, detail)
    ordered = sorted(entries.values(), key=lambda e: not e.id.startswith("dep:virtual/compiler/"))
    return ordered, notes


def _is_library(use: Use, registry: Registry) -> bool:
    found = lookup_name(use.names[0], registry) if use.kind == "dependency" else None
    return found is not None and not found.startswith("=")


def _locate(root: str, files: Sequence[str], use: Use) -> Use:
    """``use`` with the first line of ``files`` that quotes its name."""
    quoted = f"'{use.names[0]}'"
    for file in files:
        for number, line in enumerate((_read(root, file) or "").splitlines(), 1):
            if quoted in line.split("#", 1)[0]:
                return replace(use, file=file, line=number)
    return use


def scan(root: str, *, registry: Registry | None = None, use_meson: bool = True) -> ScanResult:
    """Read the build files under ``root`` and propose entries for an ``[external]`` table."""
    if not os.path.isdir(root):
        raise InputError("not a directory; scan reads a project's source tree", source=root)
    if registry is None:
        from extdeps.data.registry import load_registry  # noqa: PLC0415

        registry = load_registry()
    uses: list[Use] = []
    files: list[str] = []
    info: list[str] = []
    if os.path.isfile(os.path.join(root, "meson.build")):
        meson_uses, meson_files = parse_meson(root)
        files += meson_files
        command = meson_command() if use_meson else None
        if command is None:
            why = "meson not found" if use_meson else "meson introspect not used"
            info.append(f"{why}: meson.build read by extdeps's own reader")
        else:
            found, what = run_meson_scan(root, command)
            info.append(what if found is not None else f"{what}; used extdeps's own reader")
            if found is not None:  # meson evaluated the names the reader could not
                meson_uses = [u for u in meson_uses if not u.names[0].startswith("dependency(")]
            known = {n.lower() for u in meson_uses if u.kind == "dependency" for n in u.names}
            meson_uses += [
                _locate(root, files, u) for u in found or () if u.names[0].lower() not in known
            ]
        libraries = [u for u in meson_uses if _is_library(u, registry)]
        library = next(
            (u for u in libraries if not u.optional), libraries[0] if libraries else None
        )
        if library is not None:
            via = "meson's dependency() finds libraries with pkg-config"
            uses.append(replace(library, kind="program", names=("pkg-config",), via=via))
        uses.append(Use(kind="program", names=["ninja"], file="meson.build", via="meson's backend"))
        uses += meson_uses
    if os.path.isfile(os.path.join(root, "CMakeLists.txt")):
        cmake_uses = parse_cmake(root)
        files += sorted({u.file for u in cmake_uses} | {"CMakeLists.txt"})
        uses += cmake_uses
    for name, parser in (
        ("setup.py", parse_setup_py),
        ("setup.cfg", parse_setup_cfg),
        ("Cargo.toml", parse_cargo),
    ):
        text = _read(root, name)
        if text is not None:
            files.append(name)
            uses += parser(text, name)
    entries, notes = resolve(uses, registry)
    return ScanResult(
        files=tuple(files), entries=tuple(entries), notes=tuple(notes), info=tuple(info)
    )


# -- comparing with the declared table ----------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Difference:
    kind: Literal["undeclared", "unused"]
    requirement: str
    where: str


def compare(result: ScanResult, external: External, registry: Registry) -> list[Difference]:
    """Entries the build files need that the table lacks, and build/host entries of the
    table that no build file uses (tools every build of that kind needs excepted)."""

    def related(a: str, b: str) -> bool:
        if a == b:
            return True
        da, db = registry.get(a), registry.get(b)
        return bool((da and b in da.implements) or (db and a in db.implements))

    declared = []
    for key, req in external.iter_requirements():
        ident = registry.canonical(req.url.id) if req.url.id in registry else req.url.id
        declared.append((key, ident, str(req)))
    out = [
        Difference(kind="undeclared", requirement=entry.requirement, where=", ".join(entry.where))
        for entry in result.entries
        if not entry.optional
        and entry.id not in _IMPLIED_TOOLS
        and not any(related(entry.id, d) for _, d, _ in declared)
    ]
    for key, ident, text in declared:
        if category_of(key) not in ("build", "host"):
            continue
        if ident in _IMPLIED_TOOLS or any(related(e.id, ident) for e in result.entries):
            continue
        out.append(Difference(kind="unused", requirement=text, where=key))
    return out
