"""Resolution: from an ``[external]`` table to ecosystem package names and install commands.

Pure: takes the table, the registry, a mapping and the choices (categories,
extras, groups, marker environment, providers) and returns data. Nothing is
run and no dependency is ever dropped silently: each one ends up ``mapped``,
``unavailable`` (the mapping says the ecosystem has no package), ``unknown``
(the mapping or the registry does not know it) or ``skipped`` (its marker is
false for the target environment).
"""

from __future__ import annotations

from extdeps.data.mapping import EcosystemMapping, MappingEntry, PackageManager
from extdeps.data.registry import Registry
from extdeps.model.arguments import need, strings
from extdeps.model.errors import ExtdepsError, UndecidedError
from extdeps.model.external import CATEGORIES, External, normalize_name
from extdeps.model.record import Record
from extdeps.model.requirement import ExternalRequirement
from extdeps.model.virtuals import describe, scheme

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Literal

    from extdeps.data.markers import MarkerOutcomes
    from extdeps.model.external import Category

    Status = Literal["mapped", "unavailable", "unknown", "skipped"]

# every status, in the order the documentation lists them
STATUSES: tuple[Status, ...] = ("mapped", "unavailable", "unknown", "skipped")

__all__ = [
    "InstallPlan",
    "Resolved",
    "Selected",
    "plan_install",
    "resolve",
    "select",
]

PYTHON_ID = "dep:generic/python"
# "did you mean" for at most this many unknown ids per call: each costs
# milliseconds, and a hostile table may list thousands
SUGGESTION_BUDGET = 20
_COMPILER_PREFIX = "dep:virtual/compiler/"


class Selected(Record):
    """A requirement chosen for a category, with where it came from."""

    __slots__ = ("requirement", "category", "origin", "active")
    requirement: ExternalRequirement
    category: Category
    origin: str
    active: bool

    def __init__(
        self, *, requirement: ExternalRequirement, category: Category, origin: str, active: bool
    ) -> None:
        self._set(requirement=requirement, category=category, origin=origin, active=active)


class Resolved(Record):
    """One selected requirement, resolved against a mapping."""

    __slots__ = (
        "selected",
        "canonical",
        "provider",
        "specs",
        "status",
        "reason",
        "repository",
        "virtual_package",
    )
    selected: Selected
    canonical: str
    provider: str | None
    specs: tuple[str, ...]
    status: Status
    reason: str | None
    repository: str | None  # a repository the packages need that is off by default
    # the ecosystem's name for a fact of the machine it detects and never installs
    # (conda's ``__cuda``, ``__glibc``): set on an ``unavailable`` item
    virtual_package: str | None

    def __init__(
        self,
        *,
        selected: Selected,
        canonical: str,
        status: Status,
        specs: Sequence[str] = (),
        provider: str | None = None,
        reason: str | None = None,
        repository: str | None = None,
        virtual_package: str | None = None,
    ) -> None:
        self._set(
            selected=selected,
            canonical=canonical,
            provider=provider,
            specs=tuple(specs),
            status=status,
            reason=reason,
            repository=repository,
            virtual_package=virtual_package,
        )

    @property
    def left_out(self) -> bool:
        """Whether the ecosystem can neither install it nor names it: unknown, or
        unavailable without a virtual package that stands for it."""
        return self.status == "unknown" or (
            self.status == "unavailable" and self.virtual_package is None
        )

    @property
    def requirement(self) -> ExternalRequirement:
        return self.selected.requirement

    @property
    def category(self) -> Category:
        return self.selected.category


def select(
    external: External,
    *,
    categories: Iterable[Category] = CATEGORIES,
    extras: Iterable[str] = (),
    all_extras: bool = False,
    groups: Iterable[str] = (),
    environment: Mapping[str, str] | None = None,
    imply_python: bool = True,
    outcomes: MarkerOutcomes | None = None,
) -> list[Selected]:
    """The requirements for the chosen categories, extras and groups, markers evaluated.

    Dependency groups have no category; their requirements are listed under
    ``host`` (they are installed into the build/host environment). When the
    build requirements name a compiler, Python's headers are added as a host
    requirement, as PEP 725 specifies. ``outcomes`` remembers marker outcomes
    across runs; it must describe the same ``environment``.
    """
    need(external, External, "external")
    wanted: tuple[Category, ...] = ()
    for category in dict.fromkeys(strings(categories, "categories")):
        if category not in CATEGORIES:
            raise ExtdepsError(
                f"unknown category {category!r}; expected a subset of build, host, run"
            )
        wanted += (category,)
    extras = strings(extras, "extras")
    groups = strings(groups, "groups")
    if environment is not None and not (
        hasattr(environment, "keys") and hasattr(environment, "__getitem__")
    ):
        raise TypeError(f"environment: expected a mapping, got {type(environment).__name__}")
    chosen = tuple(normalize_name(e) for e in extras)
    known = set(external.extras)
    for extra in chosen:
        if extra not in known:
            raise ExtdepsError(
                f"unknown extra {extra!r}",
                hint="extras of this project: " + (", ".join(sorted(known)) or "none"),
            )
    if all_extras:
        chosen = tuple(sorted(known))
    out: list[Selected] = []

    def add(req: ExternalRequirement, category: Category, origin: str, extra: str = "") -> None:
        extras = (extra,) if extra else ()
        marker = req.marker_text if outcomes is not None else None
        known = outcomes.get(marker, extras) if outcomes is not None and marker else None
        if known is not None:
            active = known
        else:
            active = req.evaluate(environment, extras=extras)
            if outcomes is not None and marker:
                outcomes.put(marker, extras, active)
        out.append(Selected(requirement=req, category=category, origin=origin, active=active))

    keys = {"build": "build-requires", "host": "host-requires", "run": "dependencies"}
    for category in wanted:
        for i, req in enumerate(external.required(category)):
            add(req, category, f"external.{keys[category]}[{i}]")
        for extra in chosen:
            for i, req in enumerate(external.optional(category).get(extra, ())):
                add(req, category, f"external.optional-{keys[category]}.{extra}[{i}]", extra)
    for group in groups:
        name = normalize_name(group)
        if name not in external.dependency_groups:
            raise ExtdepsError(
                f"unknown dependency group {group!r}",
                hint="groups of this project: "
                + (", ".join(sorted(external.dependency_groups)) or "none"),
            )
        for i, req in enumerate(external.group(name)):
            add(req, "host", f"external.dependency-groups.{name}[{i}]")
    if imply_python and any(
        s.active and s.requirement.url.id.startswith(_COMPILER_PREFIX) for s in out
    ):
        from extdeps.model.depurl import DepURL  # noqa: PLC0415 - only when implied

        python = ExternalRequirement(url=DepURL.parse(PYTHON_ID))
        if not any(s.requirement.url.id == PYTHON_ID for s in out) and "host" in wanted:
            out.append(
                Selected(
                    requirement=python,
                    category="host",
                    origin="implied: a compiler is listed, so Python's headers are needed",
                    active=True,
                )
            )
    return out


def _provider_entry(
    mapping: EcosystemMapping,
    registry: Registry,
    virtual: str,
    alternatives: Sequence[MappingEntry],
    wanted: str | None,
) -> MappingEntry | None:
    if wanted is None:
        return alternatives[0]
    target = wanted if wanted.startswith("dep:") else f"dep:generic/{wanted}"
    target = registry.canonical(target)
    for entry in alternatives:
        if target in (entry.specs_from, entry.extra_metadata.get("provider")):
            return entry
    if target in mapping and target in registry.providers(virtual):
        return mapping.alternatives(target)[0]
    return None


def resolve(
    selected: Iterable[Selected],
    *,
    registry: Registry,
    mapping: EcosystemMapping,
    providers: Mapping[str, str] | None = None,
) -> list[Resolved]:
    """Map each selected requirement to this ecosystem's package names."""
    need(registry, Registry, "registry")
    need(mapping, EcosystemMapping, "mapping")
    selected = list(selected)
    for item in selected:
        need(item, Selected, "selected[]")
    choices = dict(providers or {})
    out: list[Resolved] = []
    budget = SUGGESTION_BUDGET
    for item in selected:
        url = item.requirement.url
        canonical = registry.canonical(url.id)
        if not item.active:
            out.append(
                Resolved(
                    selected=item, canonical=canonical, status="skipped", reason="marker is false"
                )
            )
            continue
        alternatives = mapping.alternatives(canonical)
        if not alternatives:
            reason = (
                "not in the registry"
                if canonical not in registry
                else f"the {mapping.name} mapping has no entry for it"
            )
            refused = mapping.refused.get(canonical)
            if refused:
                reason = (
                    f"the {mapping.name} mapping's entry for it was refused: {refused[0].message}"
                )
            suggestions: list[str] = []
            if canonical not in registry and budget > 0:
                budget -= 1  # "did you mean" is slow: only for the first few unknown ids
                suggestions = registry.suggest(canonical)
            legacy = {"cpp": "cxx", "c++": "cxx"}.get(url.name) if url.is_virtual else None
            if legacy and url.namespace == "compiler":
                suggestions = [f"dep:virtual/compiler/{legacy}"]
            if suggestions:
                reason += "; did you mean " + " or ".join(suggestions) + "?"
            out.append(
                Resolved(selected=item, canonical=canonical, status="unknown", reason=reason)
            )
            continue
        provider = None
        entry: MappingEntry | None = alternatives[0]
        if url.is_virtual:
            short = url.name
            wanted = choices.get(canonical) or choices.get(short)
            entry = _provider_entry(mapping, registry, canonical, alternatives, wanted)
            if entry is None:
                out.append(
                    Resolved(
                        selected=item,
                        canonical=canonical,
                        status="unknown",
                        reason=f"provider {wanted!r} is not available for {canonical} "
                        f"in the {mapping.name} mapping",
                    )
                )
                continue
            named = entry.extra_metadata.get("provider")
            provider = entry.specs_from or (named if isinstance(named, str) else None)
        assert entry is not None
        try:
            specs = mapping.resolve(entry).get(item.category, ())
        except ExtdepsError as exc:
            out.append(
                Resolved(selected=item, canonical=canonical, status="unknown", reason=exc.message)
            )
            continue
        unverified = entry.extra_metadata.get("unverified")
        if not specs and unverified:
            # an empty entry that says nobody could confirm the names: not "unavailable"
            out.append(
                Resolved(
                    selected=item,
                    canonical=canonical,
                    provider=provider,
                    status="unknown",
                    reason=f"the {mapping.name} mapping has no verified package names for it: "
                    f"{unverified}",
                )
            )
            continue
        if not specs:
            virtual_package = entry.extra_metadata.get("virtual_package")
            if isinstance(virtual_package, str) and virtual_package:
                reason = (
                    f"a fact of the machine: {mapping.name}'s virtual package "
                    f"{virtual_package} (detected, never installed)"
                )
            else:
                virtual_package = None
                reason = (
                    f"the {mapping.name} mapping says it has no package for "
                    f"the {item.category} category"
                )
            out.append(
                Resolved(
                    selected=item,
                    canonical=canonical,
                    provider=provider,
                    status="unavailable",
                    reason=reason,
                    virtual_package=virtual_package,
                )
            )
            continue
        repository = entry.extra_metadata.get("repository")
        out.append(
            Resolved(
                selected=item,
                canonical=canonical,
                provider=provider,
                specs=specs,
                status="mapped",
                repository=repository if isinstance(repository, str) else None,
            )
        )
    return out


class InstallPlan(Record):
    """Install commands for resolved dependencies, and what could not go into them."""

    __slots__ = ("manager", "commands", "packages", "notes", "unmapped")
    manager: str
    commands: tuple[tuple[str, ...], ...]
    packages: tuple[str, ...]
    notes: tuple[str, ...]
    unmapped: tuple[Resolved, ...]

    def __init__(
        self,
        *,
        manager: str,
        commands: Iterable[Sequence[str]],
        packages: Iterable[str],
        notes: Iterable[str],
        unmapped: Iterable[Resolved],
    ) -> None:
        self._set(
            manager=manager,
            commands=tuple(tuple(c) for c in commands),
            packages=tuple(packages),
            notes=tuple(notes),
            unmapped=tuple(unmapped),
        )


def plan_install(
    resolved: Iterable[Resolved],
    manager: PackageManager,
    *,
    is_root: bool,
    strict_versions: bool = False,
) -> InstallPlan:
    """Batch the mapped packages into install commands for ``manager``.

    A version constraint is rendered through the manager's ``specifier_syntax``.
    Where the manager cannot express it, or the constraint is on a virtual
    dependency (its version follows the virtual's scheme, never a package's
    version: see :mod:`extdeps.model.virtuals`), that package is installed by
    name and a note says so;
    with ``strict_versions`` that is an :class:`UndecidedError` instead.
    """
    need(manager, PackageManager, "manager")
    resolved = list(resolved)
    for item in resolved:
        need(item, Resolved, "resolved[]")
    specs: dict[str, tuple[tuple[str, ...], bool]] = {}
    notes: list[str] = []
    unmapped: list[Resolved] = []
    for item in resolved:
        if item.status in ("unknown", "unavailable"):
            unmapped.append(item)
            continue
        if item.status != "mapped":
            continue
        url = item.requirement.url
        clauses = url.clauses
        for name in item.specs:
            constrained = bool(clauses) and not url.is_virtual and not _has_constraint(name)
            tokens = manager.syntax.render(name, clauses if constrained else ())
            if constrained and tokens is None:
                message = (
                    f"{manager.name} cannot express {url.version!r} for {name}; "
                    f"installing it by name ({url.id})"
                )
                if strict_versions:
                    raise UndecidedError(message, hint="drop --strict-versions to install by name")
                notes.append(message + "; `extdeps check` verifies the version afterwards")
                tokens = manager.syntax.render(name)
            elif clauses and url.is_virtual and name == item.specs[0]:
                what = describe(scheme(url.namespace, url.name))
                notes.append(
                    f"{url} constrains {what}, not a package version; {name} is "
                    "installed by name and `extdeps check` verifies it"
                )
            assert tokens is not None
            versioned = tokens != manager.syntax.render(name)
            key = " ".join(tokens)
            specs.setdefault(key, (tokens, versioned))
    for repository, names in _needing(resolved).items():
        verb = "is" if len(names) == 1 else "are"
        notes.append(
            f"{', '.join(names)} {verb} in the {repository} repository, which is off by "
            "default; enable it first: " + _ENABLE.get(repository, repository)
        )
    commands = manager.install.render(list(specs.values()))
    if manager.install.requires_elevation and not is_root:
        commands = [["sudo", *c] for c in commands]
    packages = [token for tokens, _ in specs.values() for token in tokens]
    return InstallPlan(
        manager=manager.name,
        commands=commands,
        packages=packages,
        notes=list(dict.fromkeys(notes)),
        unmapped=unmapped,
    )


# how to turn on the repositories a mapping entry can need (extra_metadata.repository)
_ENABLE = {
    "powertools": "dnf config-manager --set-enabled powertools (RHEL: subscription-manager "
    "repos --enable codeready-builder-for-rhel-8-x86_64-rpms)",
    "crb": "dnf config-manager --set-enabled crb (RHEL: subscription-manager repos --enable "
    "codeready-builder-for-rhel-9-x86_64-rpms)",
    "epel": "dnf install epel-release (on RHEL, the epel-release package of "
    "https://dl.fedoraproject.org/pub/epel/)",
}


def _needing(resolved: Sequence[Resolved]) -> dict[str, list[str]]:
    """Repository -> the packages that need it, of the mapped items."""
    out: dict[str, list[str]] = {}
    for item in resolved:
        if item.status == "mapped" and item.repository:
            out.setdefault(item.repository, []).extend(
                s for s in item.specs if s not in out.get(item.repository, [])
            )
    return out


def _has_constraint(spec: str) -> bool:
    """Whether a spec carries its manager's own syntax (a version, a range, a build
    string, USE flags): then it is installed as written."""
    return any(c in spec for c in "=<>[ ")
