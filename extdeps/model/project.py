"""A project as extdeps reads it: its ``[external]`` table, name, version and the
rest of its ``pyproject.toml`` (or what a wheel's or distribution's metadata says)."""

from __future__ import annotations

from extdeps.model.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from extdeps.model.external import External

__all__ = ["Project"]


class Project(Record):
    """A project as read from its ``pyproject.toml``."""

    __slots__ = ("source", "external", "name", "version", "data")
    source: str
    external: External
    name: str | None
    version: str | None
    data: Mapping[str, Any]

    def __init__(
        self,
        *,
        source: str,
        external: External,
        name: str | None = None,
        version: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        self._set(source=source, external=external, name=name, version=version, data=data or {})

    def __repr__(self) -> str:
        return f"Project(source={self.source!r}, name={self.name!r})"

    @property
    def tool_config(self) -> Mapping[str, Any]:
        """The ``[tool.extdeps]`` table, or an empty mapping."""
        tool = self.data.get("tool")
        table = tool.get("extdeps") if isinstance(tool, dict) else None
        return table if isinstance(table, dict) else {}
