"""Ecosystem mappings (PEP 804 ``<ecosystem>.mapping.json``) and known ecosystems.

Pure data handling: loading with located errors, looking up the specs of an id
per category, following ``specs_from``, rendering version constraints through a
package manager's ``specifier_syntax`` and batching install commands. Nothing
here runs a command.

Safety: a mapping file carries commands. Package specs are limited to a safe
character set (no whitespace, no shell syntax, no leading ``-`` that could be
read as an option); command templates must contain exactly one ``{}`` and must
not elevate privileges themselves (``requires_elevation`` says that instead).
"""

from __future__ import annotations

import os

from extdeps.data.files import data_dir, load_json
from extdeps.model.depurl import canonical_id
from extdeps.model.errors import (
    ExtdepsError,
    InvalidDepURL,
    InvalidDocument,
    MappingError,
    UndecidedError,
)
from extdeps.model.record import Record, memoized

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import Any, Literal

    Category = Literal["build", "host", "run"]

__all__ = [
    "Command",
    "EcosystemMapping",
    "MappingEntry",
    "PackageManager",
    "SpecifierSyntax",
    "known_ecosystems",
    "load_mapping",
    "mapping_path",
]

CATEGORIES: tuple[Category, ...] = ("build", "host", "run")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_SPEC_CHARS = _ALNUM + "_+.@:/=*~,-"
_ECOSYSTEM_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_."


def safe_spec(text: str) -> bool:
    """Whether a package spec is a plain name: letters, digits and
    ``+ . _ @ : / = * ~ , -``, not starting with ``-`` (or another symbol)."""
    return text[:1] != "" and text[0] in _ALNUM + "_" and not text.strip(_SPEC_CHARS)


# Package specs are arguments in an argument list (never a shell string), so what
# a spec may hold is what its package manager accepts in one argument. Each
# family of managers: the symbols a spec may contain besides letters and digits,
# and those it may start with. No spec may start with "-" (the manager would read
# an option), hold a control character or recipe template syntax ({{ }}, {% %}).
_SPEC_FAMILIES: dict[str, tuple[str, str]] = {
    # apt, dnf, pacman, apk, brew, nix, choco, scoop, winget, pip, ...
    "plain": (_SPEC_CHARS, "_"),
    # conda MatchSpec: "libblas * *_openblas", "numpy >=1.20", "conda-forge::zlib"
    "conda": (_SPEC_CHARS + " <>!|[]'\"", "_"),
    # Spack specs, variants and dependencies as further arguments: "+clang", "^zlib"
    "spack": (_SPEC_CHARS + " ^%", "_+~^%@"),
    # Conan references with version ranges: "zlib/[*]", "zlib/[>=1.2 <2]"
    "conan": (_SPEC_CHARS + " []<>^|#", "_"),
    # Portage atoms: ">=dev-libs/foo-1.2:0", "sys-devel/gcc[cxx]"
    "gentoo": (_SPEC_CHARS + "[]<>!?", "_<>=~!"),
    # vcpkg features: "curl[ssl,http2]"
    "vcpkg": (_SPEC_CHARS + "[]", "_"),
}
_MANAGER_FAMILIES = {
    "conda": "conda",
    "mamba": "conda",
    "micromamba": "conda",
    "pixi": "conda",
    "spack": "spack",
    "conan": "conan",
    "portage": "gentoo",
    "emerge": "gentoo",
    "pkgcore": "gentoo",
    "vcpkg": "vcpkg",
}


def spec_family(managers: Sequence[str]) -> str:
    """The spec syntax of a mapping's package managers (``plain`` when they differ
    or none is known)."""
    families = {_MANAGER_FAMILIES.get(name, "plain") for name in managers}
    return families.pop() if len(families) == 1 else "plain"


def spec_problem(text: str, family: str = "plain") -> str | None:
    """Why ``text`` cannot be passed to a package manager of ``family`` as one
    argument, or None when it can."""
    chars, first = _SPEC_FAMILIES.get(family, _SPEC_FAMILIES["plain"])
    if not text:
        return "an empty spec"
    if "{{" in text or "{%" in text or "${{" in text:
        return "recipe template syntax, not a spec a package manager accepts"
    if text.startswith("-"):
        return "it starts with '-', which the package manager would read as an option"
    if text != text.strip():
        return "leading or trailing whitespace"
    if text[0] not in _ALNUM + first:
        return f"it starts with {text[0]!r}"
    allowed = _ALNUM + chars
    odd = next((c for c in text if c not in allowed), None)
    if odd is not None:
        return f"{odd!r} is not in the {family} spec syntax"
    return None


def _valid_ecosystem(text: str) -> bool:
    """``name`` or ``name+version``, each of ``a-z 0-9 - _ .``."""
    name, plus, version = text.partition("+")
    return (
        bool(name)
        and not name.strip(_ECOSYSTEM_CHARS)
        and (not plus or (bool(version) and not version.strip(_ECOSYSTEM_CHARS)))
    )


_SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "fish", "csh", "tcsh", "cmd", "powershell", "pwsh"}
_ELEVATORS = {"sudo", "doas", "su", "pkexec", "run0", "runas", "env"}
_OPERATORS = {
    "==": "equal",
    ">": "greater_than",
    ">=": "greater_than_equal",
    "<": "less_than",
    "<=": "less_than_equal",
}


class Command(Record):
    """A command template: ``argv`` with exactly one ``{}`` placeholder."""

    __slots__ = ("argv", "requires_elevation", "multiple_specifiers")
    argv: tuple[str, ...]
    requires_elevation: bool
    multiple_specifiers: str

    def __init__(
        self, *, argv: Sequence[str], requires_elevation: bool, multiple_specifiers: str
    ) -> None:
        self._set(
            argv=tuple(argv),
            requires_elevation=requires_elevation,
            multiple_specifiers=multiple_specifiers,
        )

    def render(self, specs: Sequence[tuple[tuple[str, ...], bool]]) -> list[list[str]]:
        """Command lines for ``specs`` (each: its argv tokens, whether it has a version).

        Batching follows ``multiple_specifiers``: ``always`` puts every spec in one
        command, ``name-only`` batches the unversioned ones and gives each versioned
        one its own command, ``never`` gives each spec its own command.
        """
        if not specs:
            return []
        groups: list[list[tuple[str, ...]]]
        if self.multiple_specifiers == "always":
            groups = [[tokens for tokens, _ in specs]]
        elif self.multiple_specifiers == "name-only":
            plain = [tokens for tokens, versioned in specs if not versioned]
            groups = [plain] if plain else []
            groups += [[tokens] for tokens, versioned in specs if versioned]
        else:
            groups = [[tokens] for tokens, _ in specs]
        lines = []
        for group in groups:
            flat = [token for tokens in group for token in tokens]
            line: list[str] = []
            for arg in self.argv:
                if arg == "{}":
                    line.extend(flat)
                else:
                    line.append(arg)
            lines.append(line)
        return lines


class SpecifierSyntax(Record):
    """How a package manager writes names and version constraints."""

    __slots__ = ("name_only", "exact_version", "version_ranges")
    name_only: tuple[str, ...]
    exact_version: tuple[str, ...] | None
    version_ranges: Mapping[str, Any] | None

    def __init__(
        self,
        *,
        name_only: Sequence[str],
        exact_version: Sequence[str] | None,
        version_ranges: Mapping[str, Any] | None,
    ) -> None:
        self._set(
            name_only=tuple(name_only),
            exact_version=tuple(exact_version) if exact_version is not None else None,
            version_ranges=dict(version_ranges) if version_ranges is not None else None,
        )

    def render(self, name: str, clauses: Sequence[tuple[str, str]] = ()) -> tuple[str, ...] | None:
        """The argv tokens for ``name`` constrained by ``clauses`` ((operator, version)
        pairs); ``None`` when this package manager cannot express the constraint."""
        if not clauses:
            return tuple(t.replace("{name}", name) for t in self.name_only)
        if len(clauses) == 1 and clauses[0][0] == "==" and self.exact_version is not None:
            version = clauses[0][1]
            return tuple(
                t.replace("{name}", name).replace("{version}", version) for t in self.exact_version
            )
        ranges = self.version_ranges
        if ranges is None:
            return None
        parts = []
        for op, version in clauses:
            template = ranges.get(_OPERATORS.get(op, ""))
            if not isinstance(template, str):
                return None
            parts.append(template.replace("{version}", version).replace("{name}", name))
        joiner = ranges.get("and")
        groups = [joiner.join(parts)] if isinstance(joiner, str) else parts
        tokens: list[str] = []
        for group in groups:
            tokens.extend(
                t.replace("{ranges}", group).replace("{name}", name) for t in ranges["syntax"]
            )
        return tuple(tokens)


class PackageManager(Record):
    """A package manager of an ecosystem, with its install and query commands."""

    __slots__ = ("name", "install", "query", "syntax")
    name: str
    install: Command
    query: Command
    syntax: SpecifierSyntax

    def __init__(
        self, *, name: str, install: Command, query: Command, syntax: SpecifierSyntax
    ) -> None:
        self._set(name=name, install=install, query=query, syntax=syntax)


class MappingEntry(Record):
    """One ``mappings[]`` item: an id with its specs (or the id it takes them from)."""

    __slots__ = ("id", "specs", "specs_from", "description", "extra_metadata")
    id: str
    specs: Mapping[Category, tuple[str, ...]] | None
    specs_from: str | None
    description: str | None
    extra_metadata: Mapping[str, Any]

    def __init__(
        self,
        *,
        id: str,
        specs: Mapping[Category, tuple[str, ...]] | None = None,
        specs_from: str | None = None,
        description: str | None = None,
        extra_metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self._set(
            id=id,
            specs=dict(specs) if specs is not None else None,
            specs_from=specs_from,
            description=description,
            extra_metadata=dict(extra_metadata or {}),
        )

    def __hash__(self) -> int:
        return hash((self.id, self.specs_from))


class _Checker:
    def __init__(self, source: str, family: str = "plain") -> None:
        self.source = source
        self.family = family
        self.errors: list[MappingError] = []
        # specs no package manager of the family accepts: their entries are dropped
        self.refused: list[MappingError] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(MappingError(message, source=self.source, key=key))

    def spec_list(self, value: Any, key: str) -> tuple[str, ...] | None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.error(key, "expected a string or a list of strings")
            return None
        out = []
        for i, item in enumerate(items):
            ikey = f"{key}[{i}]" if not isinstance(value, str) else key
            if not isinstance(item, str):
                self.error(ikey, "expected a string")
                continue
            problem = spec_problem(item, self.family)
            if problem is not None:
                self.refused.append(
                    MappingError(
                        f"package spec {item!r} refused: {problem}", source=self.source, key=ikey
                    )
                )
            out.append(item)
        return tuple(out)

    def specs(self, value: Any, key: str) -> dict[Category, tuple[str, ...]] | None:
        if isinstance(value, dict):
            if not value:
                self.error(key, "expected at least one of build, host and run (or [] for none)")
                return None
            unknown = sorted(set(value) - set(CATEGORIES))
            if unknown:
                self.error(f"{key}.{unknown[0]}", "unknown category; expected build, host or run")
                return None
            out: dict[Category, tuple[str, ...]] = {}
            for category in CATEGORIES:
                if category in value:
                    specs = self.spec_list(value[category], f"{key}.{category}")
                    if specs is not None:
                        out[category] = specs
                else:
                    out[category] = ()
            return out
        specs = self.spec_list(value, key)
        return None if specs is None else dict.fromkeys(CATEGORIES, specs)

    def entry(self, raw: dict[str, Any], key: str) -> MappingEntry | None:
        ident = canonical_id(raw["id"])  # checked when the document was read
        extra = sorted(
            set(raw) - {"id", "description", "specs", "specs_from", "urls", "extra_metadata"}
        )
        if extra:
            self.error(f"{key}.{extra[0]}", "unknown key")
        if ("specs" in raw) == ("specs_from" in raw):
            self.error(key, "expected exactly one of 'specs' and 'specs_from'")
            return None
        specs = None
        specs_from = None
        if "specs" in raw:
            specs = self.specs(raw["specs"], f"{key}.specs")
            if specs is None:
                return None
        else:
            specs_from = raw["specs_from"]
            if not isinstance(specs_from, str) or not specs_from.startswith("dep:"):
                self.error(f"{key}.specs_from", "expected a DepURL string")
                return None
            try:
                specs_from = canonical_id(specs_from)
            except InvalidDepURL as exc:
                self.error(f"{key}.specs_from", f"not a valid DepURL: {exc.message}")
                return None
        metadata = raw.get("extra_metadata", {})
        if not isinstance(metadata, dict):
            self.error(f"{key}.extra_metadata", "expected a table")
            metadata = {}
        description = raw.get("description")
        return MappingEntry(
            id=ident,
            specs=specs,
            specs_from=specs_from,
            description=description if isinstance(description, str) else None,
            extra_metadata=metadata,
        )

    def command(self, value: Any, key: str, default_multiple: str) -> Command | None:
        if not isinstance(value, dict):
            self.error(key, "expected a table with 'command'")
            return None
        unknown = sorted(set(value) - {"command", "requires_elevation", "multiple_specifiers"})
        if unknown:
            self.error(f"{key}.{unknown[0]}", "unknown key")
        argv = value.get("command")
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            self.error(f"{key}.command", "expected a non-empty list of strings")
            return None
        if argv.count("{}") != 1:
            self.error(f"{key}.command", "expected exactly one '{}' placeholder")
            return None
        for i, arg in enumerate(argv):
            if not arg or any(c in arg for c in "\0\n\r"):
                self.error(f"{key}.command[{i}]", f"unsafe argument {arg!r}")
                return None
        program = os.path.basename(argv[0])
        if program in _ELEVATORS or argv[0] == "{}":
            self.error(
                f"{key}.command[0]",
                f"{argv[0]!r} cannot start a command; use requires_elevation instead",
            )
            return None
        if program in _SHELLS:
            self.error(
                f"{key}.command[0]",
                f"{argv[0]!r}: commands are argument lists, never shell strings",
            )
            return None
        elevation = value.get("requires_elevation", False)
        if not isinstance(elevation, bool):
            self.error(f"{key}.requires_elevation", "expected true or false")
            return None
        multiple = value.get("multiple_specifiers", default_multiple)
        if multiple not in ("always", "name-only", "never"):
            self.error(f"{key}.multiple_specifiers", "expected 'always', 'name-only' or 'never'")
            return None
        return Command(argv=argv, requires_elevation=elevation, multiple_specifiers=multiple)

    def syntax(self, value: Any, key: str) -> SpecifierSyntax | None:
        if not isinstance(value, dict):
            self.error(key, "expected a table")
            return None
        missing = [k for k in ("name_only", "exact_version", "version_ranges") if k not in value]
        if missing:
            self.error(f"{key}.{missing[0]}", "missing required key")
            return None
        name_only = value["name_only"]
        if not (
            isinstance(name_only, list)
            and all(isinstance(t, str) for t in name_only)
            and any("{name}" in t for t in name_only)
        ):
            self.error(f"{key}.name_only", "expected a list of strings with '{name}'")
            return None
        exact = value["exact_version"]
        if exact is not None and not (
            isinstance(exact, list)
            and all(isinstance(t, str) for t in exact)
            and any("{name}" in t for t in exact)
            and any("{version}" in t for t in exact)
        ):
            self.error(
                f"{key}.exact_version", "expected null or a list with '{name}' and '{version}'"
            )
            return None
        ranges = value["version_ranges"]
        if ranges is not None:
            if not isinstance(ranges, dict) or not isinstance(ranges.get("syntax"), list):
                self.error(f"{key}.version_ranges", "expected null or a table with 'syntax'")
                return None
            if not any(isinstance(t, str) and "{ranges}" in t for t in ranges["syntax"]):
                self.error(f"{key}.version_ranges.syntax", "expected '{ranges}' in a template")
                return None
            for op in (*_OPERATORS.values(), "and"):
                if op not in ranges:
                    self.error(f"{key}.version_ranges.{op}", "missing required key")
                    return None
                item = ranges[op]
                if item is not None and not isinstance(item, str):
                    self.error(f"{key}.version_ranges.{op}", "expected a string or null")
                    return None
                if op != "and" and isinstance(item, str) and "{version}" not in item:
                    self.error(f"{key}.version_ranges.{op}", "expected '{version}' in it")
                    return None
        return SpecifierSyntax(name_only=name_only, exact_version=exact, version_ranges=ranges)


class EcosystemMapping:
    """A loaded mapping: entries by id (alternatives kept in order) and package managers."""

    def __init__(
        self,
        *,
        name: str,
        entries: Sequence[MappingEntry],
        package_managers: Sequence[PackageManager],
        description: str | None = None,
        source: str = "<mapping>",
    ) -> None:
        self.name = name
        self.description = description
        self.source = source
        self.package_managers = tuple(package_managers)
        self._raw: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._by_id: dict[str, list[MappingEntry]] = {}
        self.family = spec_family([m.name for m in self.package_managers])
        # entries dropped because a spec is one no package manager here accepts
        self.refused: dict[str, list[MappingError]] = {}
        for entry in entries:
            self._by_id.setdefault(entry.id, []).append(entry)

    def _build(self, ident: str) -> list[MappingEntry]:
        built = self._by_id.get(ident)
        if built is not None:
            return built
        check = _Checker(self.source, self.family)
        out = []
        for i, raw in self._raw.get(ident, ()):
            before = len(check.refused)
            entry = check.entry(raw, f"mappings[{i}]")
            if entry is not None and len(check.refused) == before:
                out.append(entry)
        if check.errors:
            raise InvalidDocument(check.errors, source=self.source)
        if check.refused:
            self.refused[ident] = check.refused
        self._by_id[ident] = out
        return out

    @property
    def entries(self) -> tuple[MappingEntry, ...]:
        """Every entry, in document order (checking them all)."""
        self.validate()
        return tuple(e for ident in self.ids() for e in self._by_id.get(ident, ()))

    def warnings(self) -> list[MappingError]:
        """Every entry dropped for a spec its package managers cannot accept (all
        entries are checked), each naming the file, the entry and the reason."""
        for ident in self.ids():
            try:  # noqa: SIM105 - contextlib would be one more import
                self._build(ident)
            except InvalidDocument:
                pass  # an invalid entry is an error, reported by validate()
        return [problem for problems in self.refused.values() for problem in problems]

    def validate(self) -> None:
        """Check every entry now; raise :class:`InvalidDocument` with all problems."""
        errors: list[ExtdepsError] = []
        for ident in self.ids():
            try:
                self._build(ident)
            except InvalidDocument as exc:
                errors.extend(exc.errors)
        if errors:
            raise InvalidDocument(errors, source=self.source)

    @classmethod
    def from_document(cls, document: Any, *, source: str = "<mapping>") -> EcosystemMapping:
        """Build a mapping from a parsed document, collecting every problem with its key path."""
        check = _Checker(source)
        if not isinstance(document, dict):
            raise InvalidDocument([MappingError("expected a JSON object", source=source)])
        unknown = sorted(
            set(document)
            - {"$schema", "schema_version", "name", "description", "mappings", "package_managers"}
        )
        for key in unknown:
            check.error(key, "unknown key")
        name = document.get("name")
        if not isinstance(name, str) or not name:
            check.error("name", "expected a non-empty string")
            name = ""
        raw_entries = document.get("mappings")
        if not isinstance(raw_entries, list):
            check.error("mappings", "expected an array")
            raw_entries = []
        raw_by_id: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for i, raw in enumerate(raw_entries):
            key = f"mappings[{i}]"
            if not isinstance(raw, dict):
                check.error(key, "expected a table")
                continue
            ident = raw.get("id")
            if not isinstance(ident, str) or not ident.startswith("dep:"):
                check.error(f"{key}.id", "expected a DepURL string")
                continue
            try:
                ident = canonical_id(ident)  # written as the registry writes it, or not
            except InvalidDepURL as exc:
                check.error(f"{key}.id", f"not a valid DepURL: {exc.message}")
                continue
            raw_by_id.setdefault(ident, []).append((i, raw))
        managers: list[PackageManager] = []
        raw_managers = document.get("package_managers")
        if not isinstance(raw_managers, list):
            check.error("package_managers", "expected an array")
            raw_managers = []
        for i, raw in enumerate(raw_managers):
            key = f"package_managers[{i}]"
            if not isinstance(raw, dict):
                check.error(key, "expected a table")
                continue
            pm_name = raw.get("name")
            commands = raw.get("commands")
            if not isinstance(pm_name, str) or not pm_name:
                check.error(f"{key}.name", "expected a non-empty string")
                continue
            if not isinstance(commands, dict):
                check.error(f"{key}.commands", "expected a table with 'install' and 'query'")
                continue
            unknown_cmds = sorted(set(commands) - {"install", "query"})
            if unknown_cmds:
                check.error(
                    f"{key}.commands.{unknown_cmds[0]}", "unknown command; expected install, query"
                )
            install = check.command(commands.get("install"), f"{key}.commands.install", "always")
            query = check.command(commands.get("query"), f"{key}.commands.query", "never")
            syntax = check.syntax(raw.get("specifier_syntax"), f"{key}.specifier_syntax")
            if install and query and syntax:
                managers.append(
                    PackageManager(name=pm_name, install=install, query=query, syntax=syntax)
                )
        check.family = spec_family([m.name for m in managers])
        if check.errors:
            # a broken document: report its entries' problems too, all at once
            for pairs in raw_by_id.values():
                for i, raw in pairs:
                    check.entry(raw, f"mappings[{i}]")
            check.errors.extend(check.refused)
            check.errors.sort(key=lambda e: (not (e.key or "").startswith("mappings"), e.key or ""))
            raise InvalidDocument(check.errors, source=source)
        mapping = cls(
            name=name,
            entries=(),
            package_managers=managers,
            description=document.get("description")
            if isinstance(document.get("description"), str)
            else None,
            source=source,
        )
        # entries are checked when first used (loading stays cheap); `entries` and
        # `validate()` check them all
        mapping._raw = raw_by_id
        return mapping

    # -- lookups --------------------------------------------------------------
    def __contains__(self, ident: object) -> bool:
        return ident in self._raw or ident in self._by_id

    def __iter__(self) -> Iterator[MappingEntry]:
        return iter(self.entries)

    def ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self._raw, *self._by_id]))

    def alternatives(self, ident: str) -> tuple[MappingEntry, ...]:
        """Every entry for ``ident``, the ecosystem's preferred one first."""
        return tuple(self._build(ident)) if ident in self else ()

    def resolve(self, entry: MappingEntry) -> Mapping[Category, tuple[str, ...]]:
        """The specs of an entry, following ``specs_from`` (first alternative of the target)."""
        seen = [entry.id]
        while entry.specs is None:
            target = entry.specs_from
            assert target is not None
            if target in seen:
                raise MappingError(
                    "specs_from forms a cycle: " + " -> ".join([*seen, target]), source=self.source
                )
            candidates = self.alternatives(target)
            if not candidates:
                raise MappingError(
                    f"{entry.id}: specs_from names {target}, which this mapping lacks",
                    source=self.source,
                )
            seen.append(target)
            entry = candidates[0]
        return entry.specs

    def specs(self, ident: str, category: Category) -> tuple[str, ...] | None:
        """The preferred specs of ``ident`` for ``category``: ``None`` when the mapping
        does not list the id, ``()`` when the ecosystem has no package for it."""
        candidates = self.alternatives(ident)
        if not candidates:
            return None
        return self.resolve(candidates[0]).get(category, ())

    def package_manager(self, name: str | None = None) -> PackageManager:
        """The named package manager, or the ecosystem's default (the first)."""
        if not self.package_managers:
            raise UndecidedError(f"mapping {self.name!r} lists no package manager")
        if name is None:
            return self.package_managers[0]
        for manager in self.package_managers:
            if manager.name == name:
                return manager
        for manager in self.package_managers:  # the program it runs: apt-get for apt
            if os.path.basename(manager.install.argv[0]) == name:
                return manager
        known = ", ".join(m.name for m in self.package_managers)
        raise UndecidedError(
            f"package manager {name!r} is not in the {self.name} mapping; expected one of {known}"
        )

    def extended(self, other: EcosystemMapping, *, replace: bool = True) -> EcosystemMapping:
        """This mapping with ``other`` layered on top, as PEP 804 describes.

        With ``replace`` (``--patch-mapping``), ids present in ``other`` replace
        this mapping's entries for those ids, new ids are added, and ``other``'s
        package managers replace those of the same name and come first. Without
        it (``--extend-mapping``), ``other``'s entries are appended as further
        alternatives after this mapping's, and only its package managers of new
        names are added, after this mapping's.
        """
        overridden = set(other.ids()) if replace else set()
        entries = [e for e in self.entries if e.id not in overridden]
        entries.extend(other.entries)
        if not replace:  # keep each id's alternatives together, this mapping's first
            order = {ident: i for i, ident in enumerate(dict.fromkeys(e.id for e in entries))}
            entries.sort(key=lambda e: order[e.id])
        names = {m.name for m in other.package_managers}
        if replace:
            managers = [m for m in self.package_managers if m.name not in names]
            managers = list(other.package_managers) + managers if names else managers
        else:
            known = {m.name for m in self.package_managers}
            managers = [
                *self.package_managers,
                *(m for m in other.package_managers if m.name not in known),
            ]
        merged = EcosystemMapping(
            name=self.name,
            description=self.description,
            entries=entries,
            package_managers=managers,
            source=f"{self.source} + {other.source}",
        )
        merged.refused = {
            **{k: v for k, v in self.refused.items() if k not in overridden},
            **other.refused,
        }
        return merged


def mapping_path(ecosystem: str) -> str:
    """The shipped mapping file for an ecosystem id (which may not exist)."""
    if not _valid_ecosystem(ecosystem):
        raise UndecidedError(f"invalid ecosystem id {ecosystem!r}")
    return os.path.join(data_dir(), f"{ecosystem}.mapping.json")


@memoized(16)
def _load_mapping_file(path: str) -> EcosystemMapping:
    return EcosystemMapping.from_document(load_json(path), source=path)


def load_mapping(ecosystem_or_path: str | os.PathLike[str]) -> EcosystemMapping:
    """Load a shipped mapping by ecosystem id (``debian+12``) or any mapping file by path."""
    from extdeps.model.arguments import path_like  # noqa: PLC0415

    text = path_like(ecosystem_or_path, "ecosystem_or_path")
    if text.endswith(".json") or os.sep in text:
        mapping = _load_mapping_file(os.path.abspath(text))
        mapping.validate()  # a user's file is checked whole before anything uses it
        return mapping
    path = mapping_path(text)
    if not os.path.exists(path):
        known = ", ".join(sorted(known_ecosystems()))
        raise UndecidedError(
            f"no mapping for ecosystem {text!r}", hint=f"shipped ecosystems: {known}"
        )
    return _load_mapping_file(path)


@memoized(1)
def known_ecosystems() -> Mapping[str, str]:
    """Ecosystem id -> canonical mapping URL, from ``known-ecosystems.json``."""
    path = os.path.join(data_dir(), "known-ecosystems.json")
    document = load_json(path)
    ecosystems = document.get("ecosystems") if isinstance(document, dict) else None
    if not isinstance(ecosystems, dict):
        raise MappingError("expected a table", source=path, key="ecosystems")
    out = {}
    for key, value in ecosystems.items():
        if not isinstance(value, dict) or not isinstance(value.get("mapping"), str):
            raise MappingError(
                "expected a table with 'mapping'", source=path, key=f"ecosystems.{key}"
            )
        out[key] = value["mapping"]
    return out
