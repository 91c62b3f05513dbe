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
            from packaging.markers import Marker  # noqa: PLC0415

            object.__setattr__(self, "_marker", Marker(self._marker_text))
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

    def evaluate(
        self, environment: Mapping[str, str] | None = None, *, extras: tuple[str, ...] = ()
    ) -> bool:
        """Whether the marker holds for ``environment`` (default: this interpreter).

        ``extras`` are the extra names selected; a marker naming ``extra`` holds
        when any of them satisfies it. A marker that cannot be evaluated (an
        undefined name, an invalid comparison) raises :class:`InvalidRequirement`.
        """
        if self._marker is not None:
            text = str(self._marker)
        elif self._marker_text is not None:
            text = self._marker_text
        else:
            return True
        key = _outcome_key(text, environment, extras)
        known = _outcomes().get(key) if key is not None else None
        if known is not None:
            return known
        marker = self.marker
        assert marker is not None
        from packaging.markers import UndefinedComparison, UndefinedEnvironmentName  # noqa: PLC0415

        env = dict(environment) if environment is not None else None
        try:
            if not extras:
                base = {} if env is None else env
                outcome = marker.evaluate({**base, "extra": ""})
            else:
                outcome = any(marker.evaluate({**(env or {}), "extra": extra}) for extra in extras)
        except (UndefinedEnvironmentName, UndefinedComparison) as exc:
            raise InvalidRequirement(
                f"cannot evaluate marker '{marker}': {exc}", text=str(self)
            ) from None
        if key is not None:
            _remember(key, outcome)
        return outcome


# -- outcomes of markers, remembered across runs --------------------------------
#
# Evaluating a marker needs packaging.markers, whose import costs more than a
# whole cached ``extdeps map``. An outcome depends only on the marker, the
# extras and the marker environment; for the default environment (this
# interpreter) that is a function of the interpreter and the operating system
# (``os.uname()``), which the key names. Outcomes are kept in the cache
# directory (see extdeps.data.files.cache_dir).

_OUTCOMES_FILE = "markers.marshal"
_outcome_cache: dict[str, bool] | None = None


def _outcome_key(
    marker: str, environment: Mapping[str, str] | None, extras: tuple[str, ...]
) -> str | None:
    if environment is not None:
        where = repr(sorted((str(k), str(v)) for k, v in environment.items()))
    else:
        import os  # noqa: PLC0415
        import sys  # noqa: PLC0415

        uname = getattr(os, "uname", None)
        if uname is None:
            return None  # no cheap, complete description of this machine: evaluate
        where = repr((sys.version, sys.implementation.name, sys.platform, os.name, tuple(uname())))
    return f"{marker}\x00{extras!r}\x00{where}"


def _outcomes() -> dict[str, bool]:
    global _outcome_cache  # noqa: PLW0603 - one cache per process
    if _outcome_cache is None:
        _outcome_cache = {}
        path = _outcomes_path()
        if path is not None:
            from extdeps.data.files import read_cache_file  # noqa: PLC0415

            stored = read_cache_file(path)
            if type(stored) is dict:
                _outcome_cache = {
                    k: v for k, v in stored.items() if type(k) is str and type(v) is bool
                }
    return _outcome_cache


def _outcomes_path() -> str | None:
    import os  # noqa: PLC0415

    from extdeps.data.files import cache_dir  # noqa: PLC0415

    directory = cache_dir()
    return os.path.join(directory, _OUTCOMES_FILE) if directory is not None else None


def _remember(key: str, outcome: bool) -> None:
    outcomes = _outcomes()
    outcomes[key] = outcome
    while len(outcomes) > 1024:
        outcomes.pop(next(iter(outcomes)))
    path = _outcomes_path()
    if path is not None:
        from extdeps.data.files import write_cache_file  # noqa: PLC0415

        write_cache_file(path, outcomes)
