"""A fast reader for the plain part of TOML, with ``tomllib`` behind it.

Importing ``tomllib`` costs more than a bare interpreter start (it compiles
regular expressions and pulls in ``typing``, ``datetime`` and ``string``), and a
cold ``extdeps check`` reads exactly one small ``pyproject.toml``. Most of those
files use a small part of TOML: tables, arrays of tables, bare, quoted and
dotted keys, one-line strings, decimal integers, booleans, arrays and inline
tables. :func:`loads` reads that part and returns ``None`` for anything else,
and also whenever it is in doubt about validity, so the caller hands the text
to ``tomllib``, which gives the answer or the error message.

The contract, checked by the tests against ``tomllib`` on every TOML file in the
repository and on generated and mutated documents: :func:`loads` returns either
``None`` or exactly what ``tomllib.loads`` returns, and it never accepts a
document that ``tomllib`` refuses.

Unsupported, so always left to ``tomllib``: multi-line strings, floats, dates and
times, non-decimal integers, ``inf``/``nan``, tables extended through dotted keys
from a header (``[a.b]`` after ``a.b.c = 1``), and anything invalid.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["loads"]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
# what may follow a value: whitespace, a separator, a comment or the line's end
_AFTER_VALUE = frozenset(" \t,]}#\r\n")
_MAX_DEPTH = 32


class _Unsupported(Exception):
    """Not in the subset, or not certainly valid: ``tomllib`` decides."""


def loads(text: str) -> dict[str, Any] | None:
    """``text`` parsed as ``tomllib.loads`` would, or ``None`` to ask ``tomllib``."""
    try:
        return _Reader(text).document()
    except (_Unsupported, IndexError, ValueError):
        return None


def _clean(segment: str, *, tab: bool = True) -> bool:
    """No control characters other than tab (which TOML allows in strings and comments)."""
    if segment.isprintable():
        return True
    for char in segment:
        code = ord(char)
        if (code < 0x20 and not (tab and char == "\t")) or code == 0x7F:
            return False
    return True


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.end = len(text)
        self.pos = 0
        self.root: dict[str, Any] = {}
        # identities of the tables built so far, by how they came to be
        self.defined: set[int] = {id(self.root)}  # by a [header] (or the root)
        self.implicit: set[int] = set()  # as a parent in a header: may be defined once
        self.dotted: set[int] = set()  # by dotted keys: extensible only by more of them
        self.frozen: set[int] = set()  # inline tables: never extended
        self.arrays: set[int] = set()  # arrays of tables, [[name]]

    # -- the document -------------------------------------------------------

    def document(self) -> dict[str, Any]:
        text = self.text
        table = self.root
        while self.pos < self.end:
            self.blank()
            if self.pos >= self.end:
                break
            char = text[self.pos]
            if char == "[":
                table = self.header()
            elif char not in "#\r\n":
                self.keyval(table, self.dotted)
            self.blank()
            self.line_end()
        return self.root

    def blank(self) -> None:
        text, pos, end = self.text, self.pos, self.end
        while pos < end and text[pos] in " \t":
            pos += 1
        self.pos = pos

    def line_end(self) -> None:
        """A comment (optional), then a newline or the end of the text."""
        text = self.text
        if self.pos >= self.end:
            return
        if text[self.pos] == "#":
            stop = text.find("\n", self.pos)
            stop = self.end if stop < 0 else stop
            comment = text[self.pos + 1 : stop]
            if comment.endswith("\r"):
                comment = comment[:-1]
            if not _clean(comment):
                raise _Unsupported
            self.pos = stop
            if self.pos >= self.end:
                return
        if text.startswith("\r\n", self.pos):
            self.pos += 2
        elif text[self.pos] == "\n":
            self.pos += 1
        else:
            raise _Unsupported

    def header(self) -> dict[str, Any]:
        text = self.text
        many = text.startswith("[[", self.pos)
        self.pos += 2 if many else 1
        self.blank()
        keys = self.key()
        self.blank()
        closing = "]]" if many else "]"
        if not text.startswith(closing, self.pos):
            raise _Unsupported
        self.pos += len(closing)
        table = self.root
        for name in keys[:-1]:
            value = table.get(name)
            if value is None:
                value = table[name] = {}
                self.implicit.add(id(value))
            elif type(value) is list and id(value) in self.arrays:
                value = value[-1]
            elif type(value) is not dict or id(value) in self.frozen or id(value) in self.dotted:
                raise _Unsupported
            table = value
        name = keys[-1]
        value = table.get(name)
        new: dict[str, Any] = {}
        if many:
            if value is None:
                value = table[name] = []
                self.arrays.add(id(value))
            elif type(value) is not list or id(value) not in self.arrays:
                raise _Unsupported
            value.append(new)
        elif value is None:
            table[name] = new
        elif (
            type(value) is dict
            and id(value) in self.implicit
            and id(value) not in self.defined
            and id(value) not in self.dotted
            and id(value) not in self.frozen
        ):
            new = value
        else:
            raise _Unsupported
        self.implicit.discard(id(new))
        self.defined.add(id(new))
        return new

    # -- keys ---------------------------------------------------------------

    def key(self) -> list[str]:
        keys = [self.simple_key()]
        while True:
            self.blank()
            if self.pos < self.end and self.text[self.pos] == ".":
                self.pos += 1
                self.blank()
                keys.append(self.simple_key())
            else:
                return keys

    def simple_key(self) -> str:
        text, pos = self.text, self.pos
        char = text[pos]
        if char == '"':
            if text.startswith('"""', pos):
                raise _Unsupported
            return self.basic_string()
        if char == "'":
            if text.startswith("'''", pos):
                raise _Unsupported
            return self.literal_string()
        end = pos
        while end < self.end and text[end] in _BARE:
            end += 1
        if end == pos:
            raise _Unsupported
        self.pos = end
        return text[pos:end]

    def keyval(self, table: dict[str, Any], dotted: set[int], depth: int = -1) -> None:
        """``key = value`` into ``table``; dotted keys make (or extend) tables of
        ``dotted``. ``depth`` is that of the inline table holding it (-1: none)."""
        if depth + 1 > _MAX_DEPTH:
            raise _Unsupported
        keys = self.key()
        if self.pos >= self.end or self.text[self.pos] != "=":
            raise _Unsupported
        self.pos += 1
        self.blank()
        value = self.value(depth + 1)
        for name in keys[:-1]:
            inner = table.get(name)
            if inner is None:
                inner = table[name] = {}
                dotted.add(id(inner))
            elif type(inner) is not dict or id(inner) not in dotted:
                raise _Unsupported
            table = inner
        if keys[-1] in table:
            raise _Unsupported  # a duplicate key: tomllib words the error
        table[keys[-1]] = value

    # -- values -------------------------------------------------------------

    def value(self, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise _Unsupported
        text, pos = self.text, self.pos
        char = text[pos]
        if char == '"':
            if text.startswith('"""', pos):
                raise _Unsupported
            value: Any = self.basic_string()
        elif char == "'":
            if text.startswith("'''", pos):
                raise _Unsupported
            value = self.literal_string()
        elif char == "[":
            value = self.array(depth)
        elif char == "{":
            value = self.inline_table(depth)
        elif text.startswith("true", pos):
            self.pos += 4
            value = True
        elif text.startswith("false", pos):
            self.pos += 5
            value = False
        else:
            value = self.integer()
        if self.pos < self.end and self.text[self.pos] not in _AFTER_VALUE:
            raise _Unsupported
        return value

    def integer(self) -> int:
        text, start = self.text, self.pos
        end = start
        while end < self.end and text[end] not in _AFTER_VALUE:
            end += 1
        token = text[start:end]
        digits = token[1:] if token[:1] in ("+", "-") else token
        if not digits or len(digits) > 100 or not (digits == "0" or digits[0] in "123456789"):
            raise _Unsupported
        previous = "_"
        for char in digits:
            if char == "_":
                if previous == "_":
                    raise _Unsupported
            elif char not in _DIGITS:
                raise _Unsupported
            previous = char
        if previous == "_":
            raise _Unsupported
        self.pos = end
        return int(token.replace("_", ""))

    def basic_string(self) -> str:
        text = self.text
        start = self.pos + 1
        close = text.find('"', start)
        if close < 0:
            raise _Unsupported
        segment = text[start:close]
        if "\\" not in segment:
            if "\n" in segment or not _clean(segment):
                raise _Unsupported
            self.pos = close + 1
            return segment
        out: list[str] = []
        pos = start
        while True:
            char = text[pos]
            if char == '"':
                self.pos = pos + 1
                return "".join(out)
            if char == "\\":
                code = text[pos + 1]
                if code in _ESCAPES:
                    out.append(_ESCAPES[code])
                    pos += 2
                    continue
                width = 4 if code == "u" else 8 if code == "U" else 0
                digits = text[pos + 2 : pos + 2 + width]
                if not width or len(digits) != width or not set(digits) <= _HEX:
                    raise _Unsupported
                number = int(digits, 16)
                if 0xD800 <= number <= 0xDFFF or number > 0x10FFFF:
                    raise _Unsupported
                out.append(chr(number))
                pos += 2 + width
                continue
            if not _clean(char):
                raise _Unsupported
            out.append(char)
            pos += 1

    def literal_string(self) -> str:
        text = self.text
        start = self.pos + 1
        close = text.find("'", start)
        if close < 0:
            raise _Unsupported
        segment = text[start:close]
        if "\n" in segment or not _clean(segment):
            raise _Unsupported
        self.pos = close + 1
        return segment

    def skip_space(self) -> None:
        """Whitespace, newlines and comments, as arrays allow between items."""
        text = self.text
        while self.pos < self.end:
            char = text[self.pos]
            if char in " \t":
                self.pos += 1
            elif char == "#" or char in "\r\n":
                self.line_end()
            else:
                return

    def array(self, depth: int) -> list[Any]:
        self.pos += 1
        items: list[Any] = []
        while True:
            self.skip_space()
            if self.text[self.pos] == "]":
                self.pos += 1
                return items
            items.append(self.value(depth + 1))
            self.skip_space()
            char = self.text[self.pos]
            if char == ",":
                self.pos += 1
            elif char == "]":
                self.pos += 1
                return items
            else:
                raise _Unsupported

    def inline_table(self, depth: int) -> dict[str, Any]:
        self.pos += 1
        table: dict[str, Any] = {}
        dotted: set[int] = set()
        self.blank()
        if self.text[self.pos] == "}":
            self.pos += 1
        else:
            while True:
                self.keyval(table, dotted, depth)
                self.blank()
                char = self.text[self.pos]
                if char == ",":
                    self.pos += 1
                    self.blank()
                elif char == "}":
                    self.pos += 1
                    break
                else:
                    raise _Unsupported
        self.frozen.add(id(table))
        self.frozen.update(dotted)
        return table
