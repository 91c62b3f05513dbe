"""Argument checks for the public API: a wrong type is a :class:`TypeError` that
says what was expected, never an ``AttributeError`` from deep inside, and a
single string is never taken for a list of strings."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

__all__ = ["need", "optional_str", "path_like", "strings"]


def _kind(value: object) -> str:
    return type(value).__name__


def need(value: Any, kind: type | tuple[type, ...], name: str) -> None:
    """``value`` must be an instance of ``kind``."""
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise TypeError(f"{name}: expected {names}, got {_kind(value)}")


def optional_str(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name}: expected a string or None, got {_kind(value)}")
    return value


def strings(value: Iterable[str] | None, name: str) -> tuple[str, ...]:
    """A list (any iterable but a string) of strings, as a tuple."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name}: expected a list of strings, got a single {_kind(value)}")
    try:
        items = tuple(value)
    except TypeError:
        raise TypeError(f"{name}: expected a list of strings, got {_kind(value)}") from None
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name}: expected a list of strings, found {_kind(item)}")
    return items


def path_like(value: Any, name: str) -> str:
    """A path given as ``str`` or :class:`os.PathLike`, as ``str``."""
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        text = os.fspath(value)
        if isinstance(text, str):
            return text
    raise TypeError(f"{name}: expected a path (str or os.PathLike), got {_kind(value)}")
