"""A tiny base for frozen, slotted value objects.

It gives what ``@dataclass(frozen=True, slots=True, kw_only=True)`` would, without
importing :mod:`dataclasses` (which pulls in :mod:`inspect`): the CLI's start-up
time is a product requirement. Subclasses list their fields in ``__slots__`` and
write a typed keyword-only ``__init__`` that calls :meth:`Record._set`.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import Any, Generic, ParamSpec, Protocol, TypeVar

    R = TypeVar("R", bound="Record")
    P = ParamSpec("P")
    T_co = TypeVar("T_co", covariant=True)
    T = TypeVar("T")

    class Memoized(Protocol, Generic[P, T_co]):
        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T_co: ...
        def cache_clear(self) -> None: ...


class Record:
    __slots__: tuple[str, ...] = ()

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def replace(self: R, **changes: Any) -> R:
        """A copy with some fields changed."""
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        return type(self)(**values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Record)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((type(self).__name__, *self._fields()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({inner})"


class LazyPattern:
    """A regular expression compiled on first use.

    Compiling a pattern costs about a millisecond on a slow machine; modules
    that are imported by every command keep their patterns lazy.
    """

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def _get(self) -> re.Pattern[str]:
        if self._compiled is None:
            import re  # noqa: PLC0415 - only when a pattern is first used

            self._compiled = re.compile(self._pattern, self._flags)
        return self._compiled

    def match(self, text: str) -> re.Match[str] | None:
        return self._get().match(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self._get().search(text)


def memoized(maxsize: int) -> Callable[[Callable[P, T]], Memoized[P, T]]:
    """Keep the last ``maxsize`` results of a function of hashable positional
    arguments (the oldest goes first); ``cache_clear()`` forgets them. What
    ``functools.lru_cache`` gives, without importing :mod:`functools` and
    :mod:`collections` (about 2 ms) on every run. Exceptions are not kept."""

    def decorate(function: Callable[P, T]) -> Memoized[P, T]:
        store: dict[Any, Any] = {}
        compute: Callable[..., Any] = function

        def call(*args: Any) -> Any:
            try:
                return store[args]
            except KeyError:
                pass
            value = compute(*args)
            if len(store) >= maxsize:
                del store[next(iter(store))]
            store[args] = value
            return value

        call.cache_clear = store.clear  # type: ignore[attr-defined]
        call.__doc__ = function.__doc__
        call.__name__ = getattr(function, "__name__", "call")
        call.__wrapped__ = function  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return decorate
