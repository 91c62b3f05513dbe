"""``meson.build`` (and the files its ``subdir()`` calls name), and ``meson introspect``."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from extdeps.authoring.buildfiles import Kind, Use, read_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from extdeps.system.machine import System

__all__ = [
    "meson_command",
    "parse_meson",
    "parse_meson_options",
    "parse_meson_scan",
    "run_meson_scan",
]


_MESON_TIMEOUT = 60


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
        tokens = _meson_tokens(read_file(self.root, relpath) or "")
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
        read_file(root, "meson.options") or read_file(root, "meson_options.txt") or ""
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


def meson_command(system: System) -> list[str] | None:
    """The meson command: ``$MESON`` (as meson-python reads it), else ``meson`` on PATH."""
    override = system.environ.get("MESON")
    if override:
        import shlex  # noqa: PLC0415

        return shlex.split(override)
    found = system.which("meson")
    return [found] if found else None


def run_meson_scan(
    root: str, command: Sequence[str], system: System
) -> tuple[list[Use] | None, str]:
    """Run ``meson introspect --scan-dependencies``: (dependencies or None, what happened)."""
    argv = [*command, "introspect", "--scan-dependencies", "meson.build"]
    done = system.run(argv, timeout=_MESON_TIMEOUT, cwd=root)
    if done.returncode is None:
        return None, f"meson introspect could not run: {done.error}"
    if done.returncode != 0:
        lines = (done.stderr or done.stdout or "").strip().splitlines()
        reason = lines[0][:100] if lines else "no output"
        return None, f"meson introspect failed with exit status {done.returncode}: {reason}"
    try:
        return parse_meson_scan(done.stdout), "meson introspect --scan-dependencies"
    except ValueError as exc:
        return None, f"meson introspect printed unexpected output: {exc}"
