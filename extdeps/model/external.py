"""The ``[external]`` table of ``pyproject.toml`` (PEP 725).

:meth:`External.from_table` validates everything at once: each problem becomes
an error with its key path (``external.host-requires[2]``), and all of them are
raised together as :class:`InvalidExternal`. An absent table is valid and
empty.
"""

from __future__ import annotations

from extdeps.model.errors import ExtdepsError, InvalidDepURL, InvalidExternal
from extdeps.model.record import Record
from extdeps.model.requirement import ExternalRequirement

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from typing import Any, Literal

    Category = Literal["build", "host", "run"]

__all__ = ["CATEGORIES", "External", "IncludeGroup", "normalize_name"]

CATEGORIES: tuple[Category, ...] = ("build", "host", "run")

_LIST_KEYS = {"build-requires": "build", "host-requires": "host", "dependencies": "run"}
_OPTIONAL_KEYS = {
    "optional-build-requires": "build",
    "optional-host-requires": "host",
    "optional-dependencies": "run",
}
KEYS = (*_LIST_KEYS, *_OPTIONAL_KEYS, "dependency-groups")
_LEGACY_KEYS = {
    "build-host-requires": (
        "host-requires",
        "'build-host-requires' was a withdrawn draft name; rename it to 'host-requires'",
    ),
    "optional-build-host-requires": (
        "optional-host-requires",
        "'optional-build-host-requires' was a withdrawn draft name; "
        "rename it to 'optional-host-requires'",
    ),
    "run-requires": ("dependencies", "runtime dependencies go in 'dependencies'"),
}
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_BARE_KEY_CHARS = _ALNUM + "_-"
_NAME_CHARS = _ALNUM + "._-"


def _valid_name(name: str) -> bool:
    """A PEP 685 / PEP 735 name: letters, digits, ``. _ -``, a letter or digit at
    each end."""
    return (
        name[:1] != "" and name[0] in _ALNUM and name[-1] in _ALNUM and not name.strip(_NAME_CHARS)
    )


def _close(word: str, possibilities: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    import difflib  # noqa: PLC0415 - only on error paths

    return difflib.get_close_matches(word, list(possibilities), n=n, cutoff=cutoff)


def normalize_name(name: str) -> str:
    """Normalize an extra or group name as PEP 685 and PEP 735 require."""
    if not isinstance(name, str):
        raise TypeError(f"name: expected a string, got {type(name).__name__}")
    out: list[str] = []
    for char in name:
        if char in "-_.":
            if not out or out[-1] != "-":
                out.append("-")
        else:
            out.append(char)
    return "".join(out).lower()


def _key(path: str, key: str) -> str:
    return f"{path}.{key}" if key and not key.strip(_BARE_KEY_CHARS) else f'{path}."{key}"'


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


class IncludeGroup(Record):
    """A ``{include-group = "name"}`` entry of a dependency group (name normalized)."""

    __slots__ = ("group",)
    group: str

    def __init__(self, *, group: str) -> None:
        self._set(group=group)


GroupEntry = ExternalRequirement | IncludeGroup


class External(Record):
    """A validated ``[external]`` table; names of extras and groups are normalized."""

    __slots__ = (
        "build_requires",
        "host_requires",
        "dependencies",
        "optional_build_requires",
        "optional_host_requires",
        "optional_dependencies",
        "dependency_groups",
    )
    build_requires: tuple[ExternalRequirement, ...]
    host_requires: tuple[ExternalRequirement, ...]
    dependencies: tuple[ExternalRequirement, ...]
    optional_build_requires: Mapping[str, tuple[ExternalRequirement, ...]]
    optional_host_requires: Mapping[str, tuple[ExternalRequirement, ...]]
    optional_dependencies: Mapping[str, tuple[ExternalRequirement, ...]]
    dependency_groups: Mapping[str, tuple[GroupEntry, ...]]

    def __init__(
        self,
        *,
        build_requires: tuple[ExternalRequirement, ...] = (),
        host_requires: tuple[ExternalRequirement, ...] = (),
        dependencies: tuple[ExternalRequirement, ...] = (),
        optional_build_requires: Mapping[str, tuple[ExternalRequirement, ...]] | None = None,
        optional_host_requires: Mapping[str, tuple[ExternalRequirement, ...]] | None = None,
        optional_dependencies: Mapping[str, tuple[ExternalRequirement, ...]] | None = None,
        dependency_groups: Mapping[str, tuple[GroupEntry, ...]] | None = None,
    ) -> None:
        self._set(
            build_requires=tuple(build_requires),
            host_requires=tuple(host_requires),
            dependencies=tuple(dependencies),
            optional_build_requires=dict(optional_build_requires or {}),
            optional_host_requires=dict(optional_host_requires or {}),
            optional_dependencies=dict(optional_dependencies or {}),
            dependency_groups=dict(dependency_groups or {}),
        )

    def __hash__(self) -> int:
        return hash(str(self.to_dict()))

    # -- construction -------------------------------------------------------
    @classmethod
    def from_pyproject(cls, data: Mapping[str, Any], *, source: str | None = None) -> External:
        """Validate the ``external`` table of a parsed ``pyproject.toml``."""
        if "external" not in data:
            return cls()
        return cls.from_table(data["external"], source=source)

    @classmethod
    def from_table(
        cls, table: object, *, source: str | None = None, normalized: bool = False
    ) -> External:
        """Validate an ``[external]`` table, reporting every problem at once.

        ``normalized`` says the table is :meth:`to_dict` output of a valid table
        (a cache): markers are then parsed only when something evaluates them.
        """
        errors: list[ExtdepsError] = []
        result = _Loader(source, errors, normalized=normalized).load(table)
        if errors:
            raise InvalidExternal(errors, source=source)
        assert result is not None
        return result

    # -- views --------------------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.build_requires,
                self.host_requires,
                self.dependencies,
                self.optional_build_requires,
                self.optional_host_requires,
                self.optional_dependencies,
                self.dependency_groups,
            )
        )

    @property
    def extras(self) -> tuple[str, ...]:
        """Every extra name used by an ``optional-*`` table, sorted."""
        names: set[str] = set()
        for table in (
            self.optional_build_requires,
            self.optional_host_requires,
            self.optional_dependencies,
        ):
            names.update(table)
        return tuple(sorted(names))

    def required(self, category: Category) -> tuple[ExternalRequirement, ...]:
        """The non-optional requirements of a category."""
        return {
            "build": self.build_requires,
            "host": self.host_requires,
            "run": self.dependencies,
        }[category]

    def optional(self, category: Category) -> Mapping[str, tuple[ExternalRequirement, ...]]:
        """The optional requirements of a category, by extra name."""
        return {
            "build": self.optional_build_requires,
            "host": self.optional_host_requires,
            "run": self.optional_dependencies,
        }[category]

    def group(self, name: str) -> tuple[ExternalRequirement, ...]:
        """A dependency group with its includes expanded, duplicates removed, in order."""
        key = normalize_name(name)
        if key not in self.dependency_groups:
            raise KeyError(name)
        return _expand(self.dependency_groups, key)

    def iter_requirements(self) -> Iterator[tuple[str, ExternalRequirement]]:
        """Every requirement with the key path it came from, groups unexpanded."""
        for key, category in _LIST_KEYS.items():
            for i, req in enumerate(self.required(category)):  # type: ignore[arg-type]
                yield f"external.{key}[{i}]", req
        for key, category in _OPTIONAL_KEYS.items():
            for extra, reqs in self.optional(category).items():  # type: ignore[arg-type]
                for i, req in enumerate(reqs):
                    yield f"{_key('external.' + key, extra)}[{i}]", req
        for name, entries in self.dependency_groups.items():
            for i, entry in enumerate(entries):
                if isinstance(entry, ExternalRequirement):
                    yield f"{_key('external.dependency-groups', name)}[{i}]", entry

    def to_dict(self) -> dict[str, Any]:
        """The table in canonical form, shaped like TOML (only non-empty keys)."""
        out: dict[str, Any] = {}
        for key, category in _LIST_KEYS.items():
            reqs = self.required(category)  # type: ignore[arg-type]
            if reqs:
                out[key] = [str(r) for r in reqs]
        for key, category in _OPTIONAL_KEYS.items():
            table = self.optional(category)  # type: ignore[arg-type]
            if table:
                out[key] = {name: [str(r) for r in reqs] for name, reqs in table.items()}
        if self.dependency_groups:
            out["dependency-groups"] = {
                name: [
                    str(e) if isinstance(e, ExternalRequirement) else {"include-group": e.group}
                    for e in entries
                ]
                for name, entries in self.dependency_groups.items()
            }
        return out


def _expand(
    groups: Mapping[str, Sequence[GroupEntry]], name: str
) -> tuple[ExternalRequirement, ...]:
    """A group's requirements, includes expanded depth-first in order, duplicates
    dropped. Each group is expanded once, however often it is included (a
    diamond of includes stays linear), and without recursion (a long chain of
    includes cannot exhaust the stack). A cycle raises ValueError."""
    seen: dict[str, ExternalRequirement] = {}
    done: set[str] = set()
    stack: list[tuple[str, int]] = [(name, 0)]
    active = {name}
    while stack:
        current, index = stack[-1]
        entries = groups[current]
        if index == len(entries):
            stack.pop()
            active.discard(current)
            done.add(current)
            continue
        stack[-1] = (current, index + 1)
        entry = entries[index]
        if isinstance(entry, ExternalRequirement):
            seen.setdefault(str(entry), entry)
        elif entry.group in active:
            raise ValueError(f"dependency group cycle through '{entry.group}'")
        elif entry.group not in done:
            active.add(entry.group)
            stack.append((entry.group, 0))
    return tuple(seen.values())


class _Loader:
    """Walks a raw table, collecting located errors instead of stopping at the first."""

    def __init__(
        self, source: str | None, errors: list[ExtdepsError], *, normalized: bool = False
    ) -> None:
        self.source = source
        self.errors = errors
        self.normalized = normalized

    def error(self, key: str, message: str, *, hint: str | None = None) -> None:
        self.errors.append(ExtdepsError(message, source=self.source, key=key, hint=hint))

    def load(self, table: object) -> External | None:
        if not isinstance(table, dict):
            self.error(
                "external",
                f"expected a table, got {_toml_type(table)}",
                hint="write the dependencies under an [external] header",
            )
            return None
        fields: dict[str, Any] = {}
        for key, value in table.items():
            path = _key("external", key)
            if key in _LIST_KEYS:
                fields[key.replace("-", "_")] = self.requirements(path, value)
            elif key in _OPTIONAL_KEYS:
                fields[key.replace("-", "_")] = self.optional(path, value, "extra")
            elif key == "dependency-groups":
                fields["dependency_groups"] = self.groups(path, value)
            else:
                target = self.unknown_key(path, key)
                # still validate the values, so one run shows every problem
                if target in _LIST_KEYS:
                    self.requirements(path, value)
                elif target in _OPTIONAL_KEYS:
                    self.optional(path, value, "extra")
                elif target == "dependency-groups":
                    self.groups(path, value)
        return External(**fields)

    def unknown_key(self, path: str, key: str) -> str | None:
        """Report an unknown key; return the key it stands for when that is certain."""
        if key in _LEGACY_KEYS:
            target, hint = _LEGACY_KEYS[key]
            self.error(path, "unknown key (a legacy spelling)", hint=hint)
            return target
        dashed = key.replace("_", "-")
        if dashed != key and (dashed in KEYS or dashed in _LEGACY_KEYS):
            target = _LEGACY_KEYS[dashed][0] if dashed in _LEGACY_KEYS else dashed
            self.error(
                path,
                "unknown key",
                hint=f"keys use dashes, not underscores: rename it to '{target}'",
            )
            return target
        close = _close(dashed, KEYS, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "allowed keys: " + ", ".join(KEYS)
        self.error(path, "unknown key", hint=hint)
        return None

    def requirement(self, path: str, value: object) -> ExternalRequirement | None:
        if not isinstance(value, str):
            self.error(
                path,
                f"expected a string (an external dependency specifier), got {_toml_type(value)}",
            )
            return None
        try:
            if self.normalized:
                return ExternalRequirement.parse_valid(value)
            return ExternalRequirement.parse(value)
        except InvalidDepURL as exc:
            self.errors.append(exc.located(source=self.source, key=path))
            return None

    def requirements(self, path: str, value: object) -> tuple[ExternalRequirement, ...]:
        if not isinstance(value, list):
            self.error(path, f"expected an array of strings, got {_toml_type(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            req = self.requirement(f"{path}[{i}]", item)
            if req is not None:
                out.append(req)
        return tuple(out)

    def names(self, path: str, value: object, what: str) -> Iterable[tuple[str, str, object]]:
        """Validate the names of an extras/groups table; yield (raw, normalized, value)."""
        if not isinstance(value, dict):
            self.error(path, f"expected a table of {what} names to arrays, got {_toml_type(value)}")
            return
        seen: dict[str, str] = {}
        for raw, item in value.items():
            key = _key(path, raw)
            if not _valid_name(raw):
                self.error(
                    key,
                    f"invalid {what} name '{raw}': use letters, digits, '-', '_' and '.', "
                    "starting and ending with a letter or digit",
                )
                continue
            norm = normalize_name(raw)
            if norm in seen:
                self.error(
                    key,
                    f"duplicate {what} name: '{raw}' and '{seen[norm]}' both normalize to '{norm}'",
                )
                continue
            seen[norm] = raw
            yield raw, norm, item

    def optional(
        self, path: str, value: object, what: str
    ) -> dict[str, tuple[ExternalRequirement, ...]]:
        return {
            norm: self.requirements(_key(path, raw), item)
            for raw, norm, item in self.names(path, value, what)
        }

    def groups(self, path: str, value: object) -> dict[str, tuple[GroupEntry, ...]]:
        groups: dict[str, tuple[GroupEntry, ...]] = {}
        where: dict[str, str] = {}
        for raw, norm, item in self.names(path, value, "dependency group"):
            gpath = _key(path, raw)
            where[norm] = gpath
            if not isinstance(item, list):
                self.error(gpath, f"expected an array, got {_toml_type(item)}")
                continue
            entries: list[GroupEntry] = []
            for i, entry in enumerate(item):
                epath = f"{gpath}[{i}]"
                if isinstance(entry, dict):
                    include = self.include(epath, entry)
                    if include is not None:
                        entries.append(include)
                elif isinstance(entry, str):
                    req = self.requirement(epath, entry)
                    if req is not None:
                        entries.append(req)
                else:
                    self.error(
                        epath,
                        'expected a string or an {include-group = "..."} table, '
                        f"got {_toml_type(entry)}",
                    )
            groups[norm] = tuple(entries)
        self.check_includes(groups, where)
        return groups

    def include(self, path: str, entry: dict[str, Any]) -> IncludeGroup | None:
        extra = sorted(set(entry) - {"include-group"})
        if extra:
            self.error(
                f"{path}.{extra[0]}" if extra[0] and not extra[0].strip(_BARE_KEY_CHARS) else path,
                "unknown key in a dependency group table; only 'include-group' is allowed",
            )
            return None
        if "include-group" not in entry:
            self.error(path, "an include table needs an 'include-group' key")
            return None
        name = entry["include-group"]
        if not isinstance(name, str):
            self.error(f"{path}.include-group", f"expected a string, got {_toml_type(name)}")
            return None
        return IncludeGroup(group=normalize_name(name))

    def check_includes(
        self, groups: dict[str, tuple[GroupEntry, ...]], where: dict[str, str]
    ) -> None:
        for name, entries in groups.items():
            for i, entry in enumerate(entries):
                if isinstance(entry, IncludeGroup) and entry.group not in groups:
                    close = _close(entry.group, groups, n=1)
                    self.error(
                        f"{where[name]}[{i}].include-group",
                        f"includes unknown dependency group '{entry.group}'",
                        hint=f"did you mean '{close[0]}'?" if close else None,
                    )
        # cycles: an iterative depth-first search with colours (no recursion, so a
        # chain of thousands of includes is fine)
        state: dict[str, int] = {}
        reported: set[frozenset[str]] = set()
        for start in groups:
            if start in state:
                continue
            path: list[str] = [start]
            positions: list[int] = [0]
            state[start] = 1
            while path:
                name = path[-1]
                entries = groups[name]
                index = positions[-1]
                if index == len(entries):
                    state[name] = 2
                    path.pop()
                    positions.pop()
                    continue
                positions[-1] = index + 1
                entry = entries[index]
                if not isinstance(entry, IncludeGroup) or entry.group not in groups:
                    continue
                if state.get(entry.group) == 1:
                    cycle = [*path[path.index(entry.group) :], entry.group]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        self.error(
                            where[cycle[0]],
                            "dependency groups include each other in a cycle: "
                            + " -> ".join(cycle),
                        )
                elif entry.group not in state:
                    state[entry.group] = 1
                    path.append(entry.group)
                    positions.append(0)
