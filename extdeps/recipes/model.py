"""Recipe generation for distribution packagers: ``extdeps recipe``.

From a project's ``[project]`` table (read and validated with
``pyproject-metadata``) and its ``[external]`` table, produce a starting point
for a package in another ecosystem, with the external dependencies in the
format's build/host/run slots. The names come from the ecosystem's mapping;
what cannot be mapped becomes a clearly marked ``TODO`` line, never dropped.
Environment markers become the format's conditionals where it has them
(conda selectors, Spack ``when=``), else a ``TODO`` line.

The model (:class:`RecipeData`) is built once; each format family is a module
of :mod:`extdeps.recipes` that renders it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from extdeps.data.mapping import EcosystemMapping, load_mapping
from extdeps.data.registry import Registry, load_registry
from extdeps.model.errors import ExtdepsError, InputError
from extdeps.model.external import CATEGORIES, External
from extdeps.model.record import Record
from extdeps.model.requirement import ExternalRequirement

if TYPE_CHECKING:
    from extdeps.model.external import Category

__all__ = ["RecipeData", "RecipeDep", "build_recipe_data"]

_COMPILER = "dep:virtual/compiler/"


class RecipeDep(Record):
    """One external dependency placed in one category of a recipe."""

    __slots__ = ("requirement", "category", "extra", "packages", "alternatives", "reason")
    requirement: ExternalRequirement
    category: Category
    extra: str | None
    packages: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]
    reason: str | None

    def __init__(
        self,
        *,
        requirement: ExternalRequirement,
        category: Category,
        extra: str | None = None,
        packages: Sequence[str] = (),
        alternatives: Sequence[Sequence[str]] = (),
        reason: str | None = None,
    ) -> None:
        self._set(
            requirement=requirement,
            category=category,
            extra=extra,
            packages=tuple(packages),
            alternatives=tuple(tuple(a) for a in alternatives),
            reason=reason,
        )

    @property
    def url(self) -> Any:
        return self.requirement.url

    @property
    def compiler(self) -> str | None:
        """The language when this is a ``dep:virtual/compiler/*`` requirement."""
        ident: str = self.requirement.url.id
        return ident[len(_COMPILER) :] if ident.startswith(_COMPILER) else None


class RecipeData(Record):
    """Everything a recipe needs, independent of the format."""

    __slots__ = (
        "name",
        "version",
        "summary",
        "license",
        "homepage",
        "requires_python",
        "python_deps",
        "python_extras",
        "build_system",
        "deps",
        "ecosystem",
    )
    name: str
    version: str
    summary: str
    license: str | None
    homepage: str | None
    requires_python: str | None
    python_deps: tuple[Any, ...]
    python_extras: Mapping[str, tuple[Any, ...]]
    build_system: tuple[Any, ...]
    deps: tuple[RecipeDep, ...]
    ecosystem: str | None

    def __init__(self, **values: Any) -> None:
        self._set(**values)

    @property
    def compiled(self) -> bool:
        return any(d.compiler for d in self.deps)

    def in_category(self, category: Category) -> list[RecipeDep]:
        return [d for d in self.deps if d.category == category]

    @property
    def import_name(self) -> str:
        return re.sub(r"[-.]+", "_", self.name).lower()


def _project_metadata(data: Mapping[str, Any], source: str) -> Any:
    try:
        from pyproject_metadata import (  # noqa: PLC0415 - an optional dependency
            ConfigurationError,
            StandardMetadata,
        )
    except ImportError:
        raise ExtdepsError(
            "recipe generation needs pyproject-metadata",
            hint="pip install 'extdeps[recipe]'",
        ) from None
    try:
        return StandardMetadata.from_pyproject(dict(data), allow_extra_keys=True)
    except ConfigurationError as exc:
        raise InputError(f"invalid [project] table: {exc}", source=source) from None
    except Exception as exc:  # an ExceptionGroup of ConfigurationErrors on newer versions
        errors = getattr(exc, "exceptions", None)
        if errors:
            message = "; ".join(str(e) for e in errors)
            raise InputError(f"invalid [project] table: {message}", source=source) from None
        raise


def _alternatives(
    mapping: EcosystemMapping, ident: str, category: Category
) -> list[tuple[str, ...]]:
    out = []
    for entry in mapping.alternatives(ident):
        try:
            specs = mapping.resolve(entry).get(category, ())
        except ExtdepsError:
            continue
        if specs and tuple(specs) not in out:
            out.append(tuple(specs))
    return out


def build_recipe_data(
    data: Mapping[str, Any],
    external: External,
    *,
    source: str,
    ecosystem: str | None,
    mapping: EcosystemMapping | None = None,
    registry: Registry | None = None,
) -> RecipeData:
    """Collect the project metadata and map every external dependency."""
    meta = _project_metadata(data, source)
    if meta.version is None:
        raise InputError(
            "[project] has a dynamic version; recipes need a fixed version", source=source
        )
    registry = registry or load_registry()
    if mapping is None and ecosystem is not None:
        mapping = load_mapping(ecosystem)
    deps: list[RecipeDep] = []

    def add(req: ExternalRequirement, category: Category, extra: str | None) -> None:
        ident = registry.canonical(req.url.id)
        if mapping is None:
            deps.append(RecipeDep(requirement=req, category=category, extra=extra))
            return
        alternatives = _alternatives(mapping, ident, category)
        if alternatives:
            deps.append(
                RecipeDep(
                    requirement=req,
                    category=category,
                    extra=extra,
                    packages=alternatives[0],
                    alternatives=alternatives,
                )
            )
            return
        if ident not in registry:
            reason = f"{ident} is not in the registry"
        elif ident in mapping:
            reason = f"{mapping.name} has no package for it"
        else:
            reason = f"the {mapping.name} mapping does not list it"
        deps.append(RecipeDep(requirement=req, category=category, extra=extra, reason=reason))

    for category in CATEGORIES:
        for req in external.required(category):
            add(req, category, None)
        for extra, reqs in external.optional(category).items():
            for req in reqs:
                add(req, category, extra)
    build_system = data.get("build-system", {})
    requires = build_system.get("requires", []) if isinstance(build_system, dict) else []
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    parsed = []
    for i, text in enumerate(requires if isinstance(requires, list) else []):
        try:
            parsed.append(Requirement(str(text)))
        except InvalidRequirement as exc:
            raise InputError(f"build-system.requires[{i}]: {exc}", source=source) from None
    urls = dict(meta.urls or {})
    homepage = next(
        (urls[k] for k in urls if k.lower() in ("homepage", "home", "source", "repository")),
        next(iter(urls.values()), None),
    )
    license_text = None
    if meta.license is not None:
        license_text = meta.license if isinstance(meta.license, str) else meta.license.text
    return RecipeData(
        name=meta.name,
        version=str(meta.version),
        summary=meta.description or "",
        license=license_text,
        homepage=homepage,
        requires_python=str(meta.requires_python) if meta.requires_python else None,
        python_deps=tuple(meta.dependencies),
        python_extras={k: tuple(v) for k, v in (meta.optional_dependencies or {}).items()},
        build_system=tuple(parsed),
        deps=tuple(deps),
        ecosystem=ecosystem,
    )
