"""External dependency specifiers: a DepURL plus an optional PEP 508 marker.

Grammar::

    specifier = depurl [ ";" marker ]

The marker is parsed and evaluated by :mod:`packaging.markers`.
"""

from __future__ import annotations

from extdeps.model.depurl import DepURL
from extdeps.model.errors import InvalidDepURL, InvalidRequirement
from extdeps.model.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from packaging.markers import Marker

__all__ = ["ExternalRequirement"]


class ExternalRequirement(Record):
    """One external dependency: ``dep:generic/zlib@>=1.2; sys_platform == 'linux'``."""

    __slots__ = ("url", "_marker", "_marker_text")
    url: DepURL
    _marker: Marker | None
    _marker_text: str | None  # a marker validated earlier, parsed on first use

    def __init__(self, *, url: DepURL, marker: Marker | None = None) -> None:
        self._set(url=url, _marker=marker, _marker_text=None)

    @property
    def marker(self) -> Marker | None:
        """The environment marker (:class:`packaging.markers.Marker`), if any."""
        if self._marker is None and self._marker_text is not None:
            from packaging.markers import InvalidMarker, Marker  # noqa: PLC0415

            try:
                marker = Marker(self._marker_text)
            except InvalidMarker as exc:  # a text that was not validated after all
                reason = str(exc).splitlines()[0].rstrip(".")
                raise InvalidRequirement(
                    f"invalid environment marker: {reason}", text=self._marker_text
                ) from None
            object.__setattr__(self, "_marker", marker)
        return self._marker

    @classmethod
    def parse_valid(cls, text: str) -> ExternalRequirement:
        """Parse a specifier that was validated before, in its normal form (as
        ``str()`` wrote it, e.g. into a cache): the marker is parsed on first use,
        so reading such a table does not import :mod:`packaging.markers`."""
        head, sep, tail = text.partition(";")
        requirement = cls(url=DepURL.parse(head))
        if sep:
            object.__setattr__(requirement, "_marker_text", tail.strip())
        return requirement

    @classmethod
    def parse(cls, text: str) -> ExternalRequirement:
        """Parse an external dependency specifier, or raise :class:`InvalidRequirement`."""
        if not isinstance(text, str):
            raise InvalidRequirement(f"expected a string, got {type(text).__name__}")
        head, sep, tail = text.partition(";")
        try:
            url = DepURL.parse(head)
        except InvalidDepURL as exc:
            raise InvalidRequirement(exc.message, text=text, span=exc.span, hint=exc.hint) from None
        marker: Marker | None = None
        if sep:
            marker_start = len(head) + 1
            if not tail.strip():
                raise InvalidRequirement(
                    "expected an environment marker after ';'",
                    text=text,
                    span=(len(head), len(head) + 1),
                )
            # packaging.markers pulls in specifiers, tags and logging: import it
            # only for requirements that have a marker
            from packaging.markers import InvalidMarker, Marker  # noqa: PLC0415

            try:
                marker = Marker(tail.strip())
            except InvalidMarker as exc:
                reason = str(exc).splitlines()[0].rstrip(".")
                raise InvalidRequirement(
                    f"invalid environment marker: {reason}",
                    text=text,
                    span=(marker_start + len(tail) - len(tail.lstrip()), len(text.rstrip())),
                ) from None
        return cls(url=url, marker=marker)

    def __str__(self) -> str:
        if self._marker is None:
            if self._marker_text is not None:
                return f"{self.url}; {self._marker_text}"
            return str(self.url)
        return f"{self.url}; {self._marker}"

    def __repr__(self) -> str:
        return f"<ExternalRequirement({str(self)!r})>"

    def __hash__(self) -> int:
        return hash(str(self))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExternalRequirement):
            return NotImplemented
        return str(self) == str(other)

    @property
    def marker_text(self) -> str | None:
        """The marker in its normal form, without parsing a marker that is not parsed yet."""
        if self._marker is not None:
            return str(self._marker)
        return self._marker_text

    def evaluate(
        self, environment: Mapping[str, str] | None = None, *, extras: tuple[str, ...] = ()
    ) -> bool:
        """Whether the marker holds for ``environment`` (default: this interpreter).

        ``extras`` are the extra names selected; a marker naming ``extra`` holds
        when any of them satisfies it. A marker that cannot be evaluated (an
        undefined name, an invalid comparison) raises :class:`InvalidRequirement`.
        """
        marker = self.marker
        if marker is None:
            return True
        from packaging.markers import UndefinedComparison, UndefinedEnvironmentName  # noqa: PLC0415

        env = dict(environment) if environment is not None else {}
        try:
            if not extras:
                return marker.evaluate({**env, "extra": ""})
            return any(marker.evaluate({**env, "extra": extra}) for extra in extras)
        except (UndefinedEnvironmentName, UndefinedComparison, ValueError) as exc:
            # ValueError: a version in the marker too long to compare
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise InvalidRequirement(
                f"cannot evaluate marker '{marker}': {reason}", text=str(self)
            ) from None
