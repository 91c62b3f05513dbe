"""The one error hierarchy of extdeps.

Every error knows where it happened: the file (``source``), the key path inside
it (``key``, e.g. ``external.host-requires[2]``) and, for syntax errors, the
offending text and the span inside it. ``str(error)`` is one line; the CLI adds
the caret display and ``hint:`` lines through :meth:`ExtdepsError.render`.
"""

from __future__ import annotations

from extdeps.model.text import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


__all__ = [
    "ExtdepsError",
    "InputError",
    "InvalidDepURL",
    "InvalidDocument",
    "InvalidExternal",
    "InvalidRequirement",
    "MappingError",
    "UndecidedError",
]


class ExtdepsError(Exception):
    """Base class of every error extdeps raises on purpose."""

    exit_code: int = 2

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        key: str | None = None,
        hint: str | None = None,
        text: str | None = None,
        span: tuple[int, int] | None = None,
    ) -> None:
        message = message if isinstance(message, str) else str(message)
        super().__init__(message)
        self.message = message
        self.source = source
        self.key = key
        self.hint = hint
        self.text = text
        self.span = span

    def located(self, *, source: str | None = None, key: str | None = None) -> ExtdepsError:
        """Fill in the location if it is not known yet, and return self."""
        if self.source is None:
            self.source = source
        if self.key is None:
            self.key = key
        return self

    def __str__(self) -> str:
        # every part may come from an untrusted file: one line, nothing that a
        # terminal would act on (see extdeps.model.text)
        parts = [printable(p) for p in (self.source, self.key) if p]
        parts.append(printable(self.message))
        return ": ".join(parts)

    def caret(self) -> list[str]:
        """The offending text with a caret line under the bad span, or nothing."""
        if self.text is None or self.span is None:
            return []
        start, end = self.span
        start = max(0, min(start, len(self.text)))
        end = max(start + 1, min(end, len(self.text) + 1))
        text = self.text.replace("\t", " ")
        shown = printable(text)
        # escapes widen the text: the caret follows what is shown
        left = len(printable(text[:start]))
        width = max(1, len(printable(text[start:end])))
        return [f"    {shown}", "    " + " " * left + "^" * width]

    def render(self) -> list[str]:
        """All lines for a human: the message, the caret display, the hint."""
        lines = [str(self), *self.caret()]
        if self.hint:
            lines.append(f"hint: {printable(self.hint)}")
        return lines


class InputError(ExtdepsError):
    """A file could not be found, read or decoded (missing file, TOML syntax, non-UTF-8)."""


class InvalidDepURL(ExtdepsError, ValueError):
    """A string is not a valid DepURL."""


class InvalidRequirement(InvalidDepURL):
    """A string is not a valid external dependency specifier (DepURL plus marker)."""


class MappingError(ExtdepsError):
    """A registry, known-ecosystems or mapping document (or one entry of it) is invalid."""


class UndecidedError(ExtdepsError):
    """extdeps cannot decide: an unknown ecosystem, an unmapped dependency."""

    exit_code = 3


class InvalidDocument(ExtdepsError):
    """A document (an ``[external]`` table, a mapping file) has one or more problems.

    ``errors`` holds every problem found, each located; ``str()`` names the first
    and how many more there are.
    """

    def __init__(self, errors: Iterable[ExtdepsError], *, source: str | None = None) -> None:
        if isinstance(errors, ExtdepsError) or not hasattr(errors, "__iter__"):
            raise TypeError(f"errors: expected a list of errors, got {type(errors).__name__}")
        self.errors: Sequence[ExtdepsError] = tuple(errors)
        for error in self.errors:
            if not isinstance(error, ExtdepsError):
                raise TypeError(f"errors: expected ExtdepsError items, got {type(error).__name__}")
        first = str(self.errors[0]) if self.errors else "invalid input"
        more = len(self.errors) - 1
        message = first if more == 0 else f"{first} (and {more} more)"
        super().__init__(message, source=None)
        self.source = source

    def __str__(self) -> str:
        return self.message

    def render(self) -> list[str]:
        lines: list[str] = []
        for error in self.errors:
            lines.extend(error.render())
        return lines


class InvalidExternal(InvalidDocument):
    """An ``[external]`` table has one or more problems."""
