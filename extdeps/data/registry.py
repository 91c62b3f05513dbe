"""The central registry of DepURLs (PEP 804 ``registry.json``).

A definition is *canonical* when it has no ``provides`` or provides only
``dep:virtual/...`` ids; otherwise it is an *alias* of the concrete ids it
provides. A virtual definition has no ``provides`` (its providers are the
canonical definitions that list it), except a virtual's other name, which
provides the one virtual it names (``obj-c`` for ``objective-c``).
"""

from __future__ import annotations

import os

from extdeps.data.files import data_dir, load_derived, load_json
from extdeps.model.depurl import canonical_id
from extdeps.model.errors import InvalidDepURL, InvalidDocument, MappingError
from extdeps.model.record import Record, memoized

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import Any

__all__ = ["Definition", "Registry", "load_registry"]

_VIRTUAL = "dep:virtual/"
_ENTRY_KEYS = frozenset({"id", "description", "provides", "urls"})


class Definition(Record):
    """One registry entry."""

    __slots__ = ("id", "description", "provides", "urls")
    id: str
    description: str | None
    provides: tuple[str, ...]
    urls: Mapping[str, str]

    def __init__(
        self,
        *,
        id: str,
        description: str | None = None,
        provides: tuple[str, ...] = (),
        urls: Mapping[str, str] | None = None,
    ) -> None:
        set_ = object.__setattr__  # thousands are built at load: keep it direct
        set_(self, "id", id)
        set_(self, "description", description)
        set_(self, "provides", tuple(provides))
        set_(self, "urls", urls or {})

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def is_virtual(self) -> bool:
        return self.id.startswith(_VIRTUAL)

    @property
    def is_alias(self) -> bool:
        """Another name of a concrete id, or a virtual id's other name (a virtual
        that provides the one virtual it names again: ``obj-c`` for ``objective-c``)."""
        if self.id.startswith(_VIRTUAL):
            return bool(self.provides)
        return any(not p.startswith(_VIRTUAL) for p in self.provides)

    @property
    def alias_of(self) -> str | None:
        """The id this alias names (its first concrete ``provides``)."""
        if not self.is_alias:
            return None
        if self.id.startswith(_VIRTUAL):
            return self.provides[0]
        return next(p for p in self.provides if not p.startswith(_VIRTUAL))

    @property
    def is_canonical(self) -> bool:
        return not self.is_alias

    @property
    def implements(self) -> tuple[str, ...]:
        """The virtual ids this definition provides (none for a virtual's other name)."""
        if self.id.startswith(_VIRTUAL):
            return ()
        return tuple(p for p in self.provides if p.startswith(_VIRTUAL))


def _urls(value: Any, key: str, source: str, errors: list[MappingError]) -> dict[str, str]:
    if value is None:
        return {}
    if type(value) is dict and all(type(v) is str for v in value.values()):
        return value  # the common shape: keep the parsed table
    if isinstance(value, str):
        return {"home": value}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict) and all(
        isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()
    ):
        return dict(value)
    errors.append(
        MappingError("expected a URL, a list of URLs or a table of URLs", source=source, key=key)
    )
    return {}


def _depurl_list(value: Any, key: str, source: str, errors: list[MappingError]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(
        isinstance(v, str) and v.startswith("dep:") for v in items
    ):
        errors.append(
            MappingError("expected a DepURL or a list of DepURLs", source=source, key=key)
        )
        return ()
    try:
        return tuple(canonical_id(item) for item in items)
    except InvalidDepURL as exc:
        errors.append(MappingError(f"not a valid DepURL: {exc.message}", source=source, key=key))
        return ()


class Registry:
    """The registry: look up ids, aliases and the providers of virtuals."""

    def __init__(
        self,
        definitions: list[Definition],
        *,
        source: str = "registry.json",
        providers: dict[str, list[str]] | None = None,
    ) -> None:
        self.source = source
        # ids the document wrote in another form than the canonical one: (written, canonical)
        self.normalized: list[tuple[str, str]] = []
        self._by_id: dict[str, Definition] = {}
        # compact rows (see from_compact), turned into definitions on first use
        self._rows: dict[str, list[Any]] = {}
        for definition in definitions:
            self._by_id.setdefault(definition.id, definition)
        if providers is not None:
            self._providers = providers
            return
        self._providers = {}
        for definition in self._by_id.values():
            if definition.is_canonical:
                for virtual in definition.implements:
                    self._providers.setdefault(virtual, []).append(definition.id)

    def compact(self) -> list[Any]:
        """The registry as plain data for a cache (see :meth:`from_compact`)."""
        rows = [[d.id, d.description, list(d.provides), dict(d.urls)] for d in self]
        return [rows, self._providers, [list(pair) for pair in self.normalized]]

    @classmethod
    def from_compact(cls, data: list[Any], *, source: str) -> Registry:
        """A registry from :meth:`compact`'s data, which was validated when made."""
        rows, providers, normalized = data
        registry = cls([], source=source, providers=providers)
        registry._rows = {row[0]: row for row in rows}
        registry.normalized = [(written, canonical) for written, canonical in normalized]
        return registry

    @classmethod
    def from_document(cls, document: Any, *, source: str = "registry.json") -> Registry:
        """Build a registry from a parsed ``registry.json``, checking types with key paths."""
        errors: list[MappingError] = []
        definitions: list[Definition] = []
        entries = document.get("definitions") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise InvalidDocument(
                [MappingError("expected an array", source=source, key="definitions")],
                source=source,
            )
        seen: set[str] = set()
        normalized: list[tuple[str, str]] = []
        for i, entry in enumerate(entries):
            if type(entry) is not dict:
                errors.append(
                    MappingError("expected a table", source=source, key=f"definitions[{i}]")
                )
                continue
            ident = entry.get("id")
            if type(ident) is not str or not ident.startswith("dep:"):
                errors.append(
                    MappingError(
                        "expected a DepURL string", source=source, key=f"definitions[{i}].id"
                    )
                )
                continue
            written = ident
            try:
                ident = canonical_id(ident)
            except InvalidDepURL as exc:
                errors.append(
                    MappingError(
                        f"not a valid DepURL: {exc.message}",
                        source=source,
                        key=f"definitions[{i}].id",
                    )
                )
                continue
            if ident != written:
                normalized.append((written, ident))
            if ident in seen:
                errors.append(
                    MappingError(f"duplicate id {ident}", source=source, key=f"definitions[{i}].id")
                )
                continue
            seen.add(ident)
            unknown = entry.keys() - _ENTRY_KEYS
            if unknown:
                errors.append(
                    MappingError(
                        "unknown key", source=source, key=f"definitions[{i}].{sorted(unknown)[0]}"
                    )
                )
            description = entry.get("description")
            if description is not None and type(description) is not str:
                errors.append(
                    MappingError(
                        "expected a string", source=source, key=f"definitions[{i}].description"
                    )
                )
                description = None
            provides: tuple[str, ...] = ()
            if "provides" in entry:
                provides = _depurl_list(
                    entry["provides"], f"definitions[{i}].provides", source, errors
                )
                namespace = ident[: ident.rfind("/") + 1]
                if ident.startswith(_VIRTUAL) and (
                    len(provides) != 1 or not provides[0].startswith(namespace)
                ):
                    errors.append(
                        MappingError(
                            "a virtual definition provides nothing, or only the one virtual "
                            "of its namespace it is another name of",
                            source=source,
                            key=f"definitions[{i}].provides",
                        )
                    )
            urls = entry.get("urls")
            if not (type(urls) is dict and all(type(v) is str for v in urls.values())):
                urls = _urls(urls, f"definitions[{i}].urls", source, errors)
            definitions.append(
                Definition(id=ident, description=description, provides=provides, urls=urls)
            )
        if errors:
            raise InvalidDocument(errors, source=source)
        registry = cls(definitions, source=source)
        registry.normalized = normalized
        return registry

    # -- lookups --------------------------------------------------------------
    def __contains__(self, ident: object) -> bool:
        return ident in self._by_id or ident in self._rows

    def __iter__(self) -> Iterator[Definition]:
        if not self._rows:
            return iter(self._by_id.values())
        return (d for d in map(self.get, self._rows) if d is not None)

    def __len__(self) -> int:
        return max(len(self._by_id), len(self._rows))

    def get(self, ident: str) -> Definition | None:
        definition = self._by_id.get(ident)
        if definition is None and ident in self._rows:
            _, description, provides, urls = self._rows[ident]
            definition = Definition(id=ident, description=description, provides=provides, urls=urls)
            self._by_id[ident] = definition
        return definition

    def canonical(self, ident: str) -> str:
        """The canonical id for ``ident``: itself, or the target of an alias."""
        definition = self.get(ident)
        seen = {ident}
        while definition is not None and definition.is_alias:
            target = definition.alias_of
            assert target is not None
            if target in seen:
                break
            seen.add(target)
            ident = target
            definition = self.get(target)
        return ident

    def providers(self, virtual: str) -> tuple[str, ...]:
        """Canonical ids that provide a virtual, in registry order."""
        return tuple(self._providers.get(virtual, ()))

    def canonical_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self if d.is_canonical)

    def suggest(self, ident: str, n: int = 3) -> list[str]:
        """Registry ids close to an unknown one (for "did you mean")."""
        import difflib  # noqa: PLC0415 - error path only

        return difflib.get_close_matches(ident, list(self._rows or self._by_id), n=n, cutoff=0.75)


@memoized(4)
def _load_cached(path: str) -> Registry:
    def derive(document: Any) -> list[Any]:
        return Registry.from_document(document, source=path).compact()

    try:
        return Registry.from_compact(load_derived(path, "registry", derive), source=path)
    except (TypeError, ValueError):  # a cache entry of another shape: rebuild
        return Registry.from_document(load_json(path), source=path)


def load_registry(path: str | os.PathLike[str] | None = None) -> Registry:
    """Load ``registry.json`` (the shipped one by default), cached per path."""
    from extdeps.model.arguments import path_like  # noqa: PLC0415

    resolved = (
        path_like(path, "path") if path is not None else os.path.join(data_dir(), "registry.json")
    )
    return _load_cached(resolved)
