"""``[external]`` tables for projects that publish none yet.

Most projects on the package index with compiled code declare no ``[external]``
table, so a preflight of ``pip install lxml`` would find nothing to check.
``mappings/project-tables.json`` gives the table of widely used ones, keyed by
the project's normalized name and a range of its versions; each is verified by
building that project's sdist from source with nothing but what extdeps
installs (``mappings/verification/project-tables.md``). A table is used only for
an sdist that has no table of its own, and always reported as such.

A directory of ``<project>.toml`` files, each holding an ``[external]`` table,
overrides the shipped tables (``--project-tables DIR``, read by the preflight).
"""

from __future__ import annotations

import os

from extdeps.data.files import data_dir, load_json
from extdeps.model.errors import ExtdepsError, InvalidDocument, MappingError
from extdeps.model.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from extdeps.model.external import External

__all__ = ["ProjectTable", "ProjectTables", "load_project_tables", "normalize_name"]

_KEYS = frozenset({"versions", "external", "source", "note"})


def normalize_name(name: str) -> str:
    """A project name as PEP 503 normalizes it (``PyYAML`` -> ``pyyaml``)."""
    out = []
    previous_sep = False
    for char in name.lower():
        if char in "-_.":
            if not previous_sep:
                out.append("-")
            previous_sep = True
        else:
            out.append(char)
            previous_sep = False
    return "".join(out)


class ProjectTable(Record):
    """The ``[external]`` table extdeps knows for a range of a project's versions."""

    __slots__ = ("project", "versions", "external", "source", "origin")
    project: str
    versions: str
    external: External
    source: str | None
    origin: str

    def __init__(
        self,
        *,
        project: str,
        versions: str,
        external: External,
        source: str | None = None,
        origin: str,
    ) -> None:
        self._set(
            project=project, versions=versions, external=external, source=source, origin=origin
        )

    def describe(self) -> str:
        """``extdeps' table for lxml >=5`` (or the override file it came from)."""
        span = f" {self.versions}" if self.versions else ""
        return f"{self.origin} for {self.project}{span}"


def _version_matches(versions: str, version: str | None) -> bool:
    if not versions:
        return True
    if version is None:
        return False
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    try:
        return Version(version) in SpecifierSet(versions)
    except (InvalidSpecifier, InvalidVersion):
        return False


class ProjectTables:
    """Tables by normalized project name, each a list of version ranges in order."""

    def __init__(self, tables: Mapping[str, list[ProjectTable]] | None = None) -> None:
        self.tables: dict[str, list[ProjectTable]] = dict(tables or {})

    def __len__(self) -> int:
        return len(self.tables)

    def lookup(self, name: str, version: str | None) -> ProjectTable | None:
        """The first table of ``name`` whose range admits ``version``."""
        for table in self.tables.get(normalize_name(name), ()):
            if _version_matches(table.versions, version):
                return table
        return None

    def overridden_by(self, other: ProjectTables) -> ProjectTables:
        """These tables with ``other``'s projects replacing theirs."""
        return ProjectTables({**self.tables, **other.tables})

    @classmethod
    def from_document(cls, document: Any, *, source: str) -> ProjectTables:
        """From a parsed ``project-tables.json``; every problem with its key path."""
        from extdeps.model.external import External  # noqa: PLC0415

        errors: list[ExtdepsError] = []
        projects = document.get("projects") if isinstance(document, dict) else None
        if not isinstance(projects, dict):
            raise InvalidDocument(
                [MappingError("expected a table of projects", source=source, key="projects")],
                source=source,
            )
        out: dict[str, list[ProjectTable]] = {}
        for name, entries in projects.items():
            key = f"projects.{name}"
            if not isinstance(name, str) or normalize_name(name) != name:
                errors.append(
                    MappingError("expected a normalized project name", source=source, key=key)
                )
                continue
            if not isinstance(entries, list) or not entries:
                errors.append(
                    MappingError("expected a non-empty list of tables", source=source, key=key)
                )
                continue
            for i, entry in enumerate(entries):
                where = f"{key}[{i}]"
                if not isinstance(entry, dict):
                    errors.append(MappingError("expected a table", source=source, key=where))
                    continue
                unknown = sorted(set(entry) - _KEYS)
                if unknown:
                    errors.append(
                        MappingError("unknown key", source=source, key=f"{where}.{unknown[0]}")
                    )
                versions = entry.get("versions", "")
                if not isinstance(versions, str) or not _valid_specifier(versions):
                    errors.append(
                        MappingError(
                            "expected a PEP 440 version specifier (or '' for every version)",
                            source=source,
                            key=f"{where}.versions",
                        )
                    )
                    continue
                label = entry.get("source")
                if label is not None and not isinstance(label, str):
                    errors.append(
                        MappingError("expected a URL", source=source, key=f"{where}.source")
                    )
                try:
                    external = External.from_table(entry.get("external"), source=source)
                except ExtdepsError as exc:
                    for problem in getattr(exc, "errors", [exc]):
                        errors.append(
                            MappingError(
                                problem.message,
                                source=source,
                                key=f"{where}.{problem.key}"
                                if problem.key
                                else f"{where}.external",
                            )
                        )
                    continue
                out.setdefault(name, []).append(
                    ProjectTable(
                        project=name,
                        versions=versions,
                        external=external,
                        source=label if isinstance(label, str) else None,
                        origin="extdeps' table",
                    )
                )
        if errors:
            raise InvalidDocument(errors, source=source)
        return cls(out)


def _valid_specifier(text: str) -> bool:
    if not text:
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        return False
    return True


def load_project_tables(path: str | None = None) -> ProjectTables:
    """The shipped ``project-tables.json`` (or another file of that form)."""
    file = path or os.path.join(data_dir(), "project-tables.json")
    if not os.path.exists(file):
        return ProjectTables()
    return ProjectTables.from_document(load_json(file), source=file)
