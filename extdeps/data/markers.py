"""Outcomes of environment markers, remembered across runs.

Evaluating a marker needs :mod:`packaging.markers`, whose import costs more than
a whole cached ``extdeps map``. An outcome depends only on the marker, the
extras and the marker environment, so it is kept in the cache directory keyed
by those three. The caller names the environment: the sorted values of an
explicit one, or the identity of the interpreter whose default environment is
meant (:func:`extdeps.system.interpreter.running_identity`).
"""

from __future__ import annotations

import os

from extdeps.data.cache import cache_dir, read_cache_file, write_cache_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["MarkerOutcomes"]

_FILE = "markers.marshal"
_KEEP = 1024


class MarkerOutcomes:
    """Remembered marker outcomes for one marker environment."""

    def __init__(self, where: str, *, directory: str | None = None) -> None:
        self.where = where
        self._path = os.path.join(directory, _FILE) if directory is not None else None
        self._known: dict[str, bool] | None = None

    @classmethod
    def for_environment(cls, environment: Mapping[str, str]) -> MarkerOutcomes:
        """Outcomes for an explicit marker environment."""
        where = repr(sorted((str(k), str(v)) for k, v in environment.items()))
        return cls(where, directory=cache_dir())

    @classmethod
    def for_interpreter(cls, identity: str) -> MarkerOutcomes:
        """Outcomes for the default environment of the interpreter ``identity`` names."""
        return cls(f"interpreter {identity}", directory=cache_dir())

    def _key(self, marker: str, extras: tuple[str, ...]) -> str:
        return f"{marker}\x00{extras!r}\x00{self.where}"

    def _load(self) -> dict[str, bool]:
        if self._known is None:
            stored = read_cache_file(self._path) if self._path is not None else None
            self._known = (
                {k: v for k, v in stored.items() if type(k) is str and type(v) is bool}
                if type(stored) is dict
                else {}
            )
        return self._known

    def get(self, marker: str, extras: tuple[str, ...]) -> bool | None:
        return self._load().get(self._key(marker, extras))

    def put(self, marker: str, extras: tuple[str, ...], outcome: bool) -> None:
        known = self._load()
        known[self._key(marker, extras)] = outcome
        while len(known) > _KEEP:
            known.pop(next(iter(known)))
        if self._path is not None:
            write_cache_file(self._path, known)
