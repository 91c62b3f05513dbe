"""PEP 440 versions, without importing :mod:`packaging.version` for the usual case.

Almost every version extdeps meets is a plain release (``3.7.1``, ``1.2.13``,
``2011``): DepURL ranges, pkg-config and tool output, the upstream part of a
distribution version. Those are parsed and compared here; anything else (an
epoch, a pre-, post- or dev-release, a local label, a ``v`` prefix, odd spacing)
goes to :class:`packaging.version.Version`, imported only then. Importing it
costs more than the whole of a cached ``extdeps validate``.

The two kinds compare with each other: a :class:`Release` turns itself into a
``packaging`` version when it meets one.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from packaging.version import Version as _PackagingVersion

__all__ = ["InvalidVersion", "Release", "parse_version"]


class InvalidVersion(ValueError):
    """Not a PEP 440 version."""


# A release component longer than this is not a version anyone writes; Python
# refuses to convert much longer digit strings to int at all.
_MAX_DIGITS = 64


def _release(text: str) -> tuple[int, ...] | None:
    """``(1, 2, 13)`` for ``"1.2.13"``; ``None`` unless the text is digits and dots."""
    if not text.isascii():
        return None
    parts = text.split(".")
    for part in parts:
        if not part.isdigit() or len(part) > _MAX_DIGITS:
            return None
    return tuple(int(part) for part in parts)


class Release:
    """A final release with no epoch: ``N(.N)*``, normalized (``01.0`` is ``1.0``)."""

    __slots__ = ("_key", "release")

    is_prerelease = False
    is_postrelease = False
    is_devrelease = False
    local = None
    epoch = 0
    pre = None
    post = None
    dev = None

    def __init__(self, release: tuple[int, ...]) -> None:
        self.release = release
        trimmed = list(release)
        while len(trimmed) > 1 and trimmed[-1] == 0:
            trimmed.pop()
        self._key = tuple(trimmed)

    def __str__(self) -> str:
        return ".".join(str(part) for part in self.release)

    def __repr__(self) -> str:
        return f"<Version({str(self)!r})>"

    @property
    def public(self) -> str:
        return str(self)

    @property
    def base_version(self) -> str:
        return str(self)

    def packaging(self) -> _PackagingVersion:
        from packaging.version import Version  # noqa: PLC0415 - only for mixed comparisons

        return Version(str(self))

    def __hash__(self) -> int:
        return hash(self.packaging())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Release):
            return self._key == other._key
        return self.packaging() == other

    def __lt__(self, other: object) -> bool:
        if isinstance(other, Release):
            return self._key < other._key
        return self.packaging() < other  # type: ignore[operator]

    def __le__(self, other: object) -> bool:
        if isinstance(other, Release):
            return self._key <= other._key
        return self.packaging() <= other  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        if isinstance(other, Release):
            return self._key > other._key
        return self.packaging() > other  # type: ignore[operator]

    def __ge__(self, other: object) -> bool:
        if isinstance(other, Release):
            return self._key >= other._key
        return self.packaging() >= other  # type: ignore[operator]


def parse_version(text: str) -> Release | _PackagingVersion:
    """The PEP 440 version ``text``; raises :class:`InvalidVersion`."""
    release = _release(text)
    if release is not None:
        return Release(release)
    from packaging.version import InvalidVersion as _Invalid  # noqa: PLC0415
    from packaging.version import Version  # noqa: PLC0415

    if len(text) > 1024 or any(len(run) > _MAX_DIGITS for run in _digit_runs(text)):
        raise InvalidVersion(f"{text[:40]}...: a number in it is too long")
    try:
        return Version(text)
    except _Invalid as exc:
        raise InvalidVersion(str(exc)) from None
    except ValueError as exc:  # int() refusing a huge number
        raise InvalidVersion(str(exc)) from None


def _digit_runs(text: str) -> list[str]:
    runs: list[str] = []
    current = []
    for char in text:
        if char.isdigit():
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs
