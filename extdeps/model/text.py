"""Untrusted text made safe to show on a terminal or in a log.

Input files, archives and metadata are untrusted: a key, an extra name or a
member name can carry an escape sequence that retitles or clears a terminal, a
newline that forges another line of output, or a bidirectional override or
zero-width character that makes the shown text differ from the real one.
:func:`printable` escapes all of them, visibly (``\\x1b``, ``\\n``, ``\\u202e``).
"""

from __future__ import annotations

__all__ = ["INVISIBLE", "is_printable", "printable"]

# Characters that change how text around them is shown, or are not shown at all:
# bidirectional controls, zero-width characters, separators that break lines.
INVISIBLE = frozenset(
    "\u00ad"  # soft hyphen
    "\u061c"  # Arabic letter mark
    "\u180e"  # Mongolian vowel separator
    "\u200b\u200c\u200d\u200e\u200f"  # zero-width space/non-joiner/joiner, LRM, RLM
    "\u2028\u2029"  # line and paragraph separators
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def _unsafe(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0 or char in INVISIBLE


def is_printable(text: str) -> bool:
    """Whether ``text`` has no control, invisible or line-breaking character."""
    if text.isascii():
        return text.isprintable()  # one pass in C for the common case
    return not any(_unsafe(c) for c in text)


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control, invisible and line-breaking character escaped
    (and backslashes doubled when something was escaped, so the result reads
    back unambiguously). ``keep_newlines`` keeps ``\\n`` as a line break."""
    if text.isascii() and text.isprintable():
        return text  # the common case, one pass in C
    if not any(_unsafe(c) for c in text if not (keep_newlines and c == "\n")):
        return text
    out = []
    for char in text:
        if keep_newlines and char == "\n":
            out.append(char)
        elif char in _NAMED:
            out.append(_NAMED[char])
        elif _unsafe(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)
