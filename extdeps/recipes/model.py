"""Recipe generation for distribution packagers: ``extdeps recipe``.

From a project (a source directory or an sdist, read in memory) produce the
packaging of another ecosystem: its ``[project]`` table (validated with
``pyproject-metadata``; the readme and PEP 639 license files are read from the
project's own files, wherever the command runs), its ``[external]`` table
(external dependencies in the format's build/host/run slots, names from the
ecosystem's mapping), its build backend (the one an extdeps wrapper wraps, with
the edit that makes the build use it) and the sdist's name, URL (PEP 625) and
digests. Names of Python packages come from ``python-packages.json``, verified
per ecosystem. What extdeps cannot know is a clearly marked ``TODO(extdeps)``
placeholder that the format's own tools refuse, never a silent guess.

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
    from extdeps.sources import ProjectFiles

__all__ = ["Person", "RecipeData", "RecipeDep", "build_recipe_data"]

_COMPILER = "dep:virtual/compiler/"


class RecipeDep(Record):
    """One external dependency placed in one category of a recipe."""

    __slots__ = (
        "requirement",
        "category",
        "extra",
        "packages",
        "alternatives",
        "reason",
        "linked",
        "virtual_package",
    )
    requirement: ExternalRequirement
    category: Category
    extra: str | None
    packages: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]
    reason: str | None
    linked: bool  # a shared library the build links: needed at run time as well
    # the ecosystem's virtual package for a fact of the machine (conda's __cuda)
    virtual_package: str | None

    def __init__(
        self,
        *,
        requirement: ExternalRequirement,
        category: Category,
        extra: str | None = None,
        packages: Sequence[str] = (),
        alternatives: Sequence[Sequence[str]] = (),
        reason: str | None = None,
        linked: bool = False,
        virtual_package: str | None = None,
    ) -> None:
        self._set(
            requirement=requirement,
            category=category,
            extra=extra,
            packages=tuple(packages),
            alternatives=tuple(tuple(a) for a in alternatives),
            reason=reason,
            linked=linked,
            virtual_package=virtual_package,
        )

    @property
    def url(self) -> Any:
        return self.requirement.url

    @property
    def compiler(self) -> str | None:
        """The language when this is a ``dep:virtual/compiler/*`` requirement."""
        ident: str = self.requirement.url.id
        return ident[len(_COMPILER) :] if ident.startswith(_COMPILER) else None


class Person(Record):
    """An author or maintainer: a name and/or an email address."""

    __slots__ = ("name", "email")
    name: str | None
    email: str | None

    def __init__(self, *, name: str | None = None, email: str | None = None) -> None:
        self._set(name=name, email=email)

    def __str__(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or f"<{self.email}>"


class RecipeData(Record):
    """Everything a recipe needs, independent of the format."""

    __slots__ = (
        "name",
        "version",
        "summary",
        "description",
        "readme_file",
        "license",
        "license_files",
        "license_texts",
        "authors",
        "homepage",
        "requires_python",
        "python_deps",
        "python_extras",
        "build_system",
        "backend",
        "wrapped_backend",
        "pyproject_text",
        "deps",
        "ecosystem",
        "sha256",
        "sha512",
        "import_names",
        "import_names_known",
        "python_names",
        "packager",
        "timestamp",
    )
    name: str
    version: str
    summary: str
    description: str | None  # the readme's text
    readme_file: str | None
    license: str | None  # an SPDX expression (PEP 639) or None
    license_files: tuple[str, ...]
    license_texts: Mapping[str, str]
    authors: tuple[Person, ...]
    homepage: str | None
    requires_python: str | None
    python_deps: tuple[Any, ...]
    python_extras: Mapping[str, tuple[Any, ...]]
    build_system: tuple[Any, ...]  # requirements, the wrapped backend's in place of extdeps
    backend: str | None  # the build-backend module a distribution build should use
    wrapped_backend: str | None  # the extdeps wrapper pyproject.toml names, if any
    pyproject_text: str
    deps: tuple[RecipeDep, ...]
    ecosystem: str | None
    sha256: str | None
    sha512: str | None
    import_names: tuple[str, ...]
    import_names_known: bool  # False: derived from the project name, unconfirmed
    python_names: Mapping[str, Mapping[str, str | None]]  # PyPI name -> ecosystem -> package
    packager: Person | None  # who makes the package (DEBEMAIL, RPM_PACKAGER), if known
    timestamp: int  # seconds since the epoch, for changelog entries

    def __init__(self, **values: Any) -> None:
        self._set(**values)

    @property
    def compiled(self) -> bool:
        return any(d.compiler for d in self.deps)

    def in_category(self, category: Category) -> list[RecipeDep]:
        return [d for d in self.deps if d.category == category]

    @property
    def normalized(self) -> str:
        """The PEP 503 name: lowercase, runs of ``-_.`` as ``-``."""
        return re.sub(r"[-_.]+", "-", self.name).lower()

    @property
    def dist_name(self) -> str:
        """The name in distribution file names (PEP 625): ``-`` as ``_``."""
        return self.normalized.replace("-", "_")

    @property
    def sdist_filename(self) -> str:
        return f"{self.dist_name}-{self.version}.tar.gz"

    @property
    def sdist_url(self) -> str:
        """Where PyPI serves the sdist (its stable ``packages/source`` address)."""
        return (
            f"https://files.pythonhosted.org/packages/source/{self.normalized[0]}/"
            f"{self.normalized}/{self.sdist_filename}"
        )

    @property
    def import_name(self) -> str:
        return self.import_names[0]

    def python_package(self, requirement: Any, ecosystem: str) -> str | None:
        """The ecosystem's package for a Python requirement (verified data), or None.
        A release (``debian+12``) falls back to its family (``debian``)."""
        name = re.sub(r"[-_.]+", "-", str(requirement.name)).lower()
        names = self.python_names.get(name) or {}
        if ecosystem in names:
            return names[ecosystem]
        return names.get(ecosystem.split("+", maxsplit=1)[0])

    @property
    def maintainer(self) -> Person | None:
        """The packager when known, else the first author with an email address."""
        if self.packager is not None:
            return self.packager
        return next((a for a in self.authors if a.email), None)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _project_metadata(data: Mapping[str, Any], source: str) -> Any:
    """``[project]`` validated by pyproject-metadata, without the fields that name
    files (the readme, license files): those are read from the project's files."""
    try:
        from pyproject_metadata import (  # noqa: PLC0415 - only this command needs it
            ConfigurationError,
            StandardMetadata,
        )
    except ImportError:  # pragma: no cover - a core dependency; a broken install
        raise ExtdepsError(
            "recipe generation needs pyproject-metadata, a dependency of extdeps",
            hint="reinstall extdeps: pip install --force-reinstall extdeps",
        ) from None
    project = dict(data.get("project") or {}) if isinstance(data.get("project"), dict) else {}
    for key in ("readme", "license-files"):
        project.pop(key, None)
    if isinstance(project.get("license"), dict):
        project.pop("license")  # legacy table: a file or a text, handled apart
    dynamic = [d for d in project.get("dynamic", []) if d not in ("readme", "license-files")]
    if "dynamic" in project:
        project["dynamic"] = dynamic
    trimmed = {**data, "project": project}
    try:
        return StandardMetadata.from_pyproject(trimmed, allow_extra_keys=True)
    except ConfigurationError as exc:
        raise InputError(f"invalid [project] table: {exc}", source=source) from None
    except Exception as exc:  # an ExceptionGroup of ConfigurationErrors on newer versions
        errors = getattr(exc, "exceptions", None)
        if errors:
            message = "; ".join(str(e) for e in errors)
            raise InputError(f"invalid [project] table: {message}", source=source) from None
        raise


# -- text that recipes quote: one line, no control characters -------------------------
#
# A recipe is code (shell for PKGBUILD and APKBUILD, Ruby, Python, Nix, RPM macros,
# Jinja): every value is quoted for its format, and what a one-line field must not
# hold is refused here, before any format sees it.

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _check_line(text: str, key: str, source: str) -> None:
    if _CONTROL.search(text):
        raise InputError(
            f"{key}: a line break or control character in a one-line field", source=source
        )


def _check_url(url: object, key: str, source: str) -> None:
    if not isinstance(url, str) or not re.fullmatch(r"https?://[^\s\"'<>\\`{}|^]+", url):
        raise InputError(
            f"{key}: not an http(s) URL without spaces or quotes: {url!r}", source=source
        )


def _license(value: object, source: str) -> str | None:
    """A PEP 639 license expression, in its canonical SPDX form."""
    if not isinstance(value, str):
        return None
    from packaging.licenses import (  # noqa: PLC0415
        InvalidLicenseExpression,
        canonicalize_license_expression,
    )

    try:
        return str(canonicalize_license_expression(value))
    except InvalidLicenseExpression as exc:
        raise InputError(f"project.license: {exc}", source=source) from None


def _glob(pattern: str) -> re.Pattern[str]:
    """A PEP 639 license-files glob as a regular expression over POSIX paths."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(pattern[i]))
                i += 1
            else:
                out.append("[" + pattern[i + 1 : end].replace("!", "^", 1) + "]")
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _license_files(project: Mapping[str, Any], files: ProjectFiles, source: str) -> list[str]:
    """The files PEP 639 ``license-files`` globs name; each glob must match."""
    patterns = project.get("license-files")
    if patterns is None:
        return []
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise InputError("project.license-files: expected a list of globs", source=source)
    names = files.names()
    found: list[str] = []
    for pattern in patterns:
        if pattern.startswith("/") or ".." in pattern.split("/") or "\\" in pattern:
            raise InputError(
                f"project.license-files: {pattern!r} must be relative, without '..'",
                source=source,
            )
        matched = [n for n in names if _glob(pattern).match(n)]
        if not matched:
            raise InputError(
                f"project.license-files: {pattern!r} matches no file of the project",
                source=source,
            )
        found += [m for m in matched if m not in found]
    return found


def _readme(
    project: Mapping[str, Any], files: ProjectFiles, source: str
) -> tuple[str | None, str | None]:
    """(text, file name) of the project's readme."""
    readme = project.get("readme")
    if isinstance(readme, dict):
        if isinstance(readme.get("text"), str):
            return str(readme["text"]), None
        readme = readme.get("file")
    if not isinstance(readme, str):
        return None, None
    try:
        return files.read(readme).decode("utf-8", "replace"), readme
    except InputError:
        raise InputError(
            f"project.readme: {readme!r} is not a file of the project", source=source
        ) from None


# build backends an extdeps wrapper wraps: the module and the requirement to use
WRAPPED = {
    "extdeps.backends.mesonpy": ("mesonpy", "meson-python>=0.15"),
    "extdeps.backends.setuptools": ("setuptools.build_meta", "setuptools>=77"),
}


def _build_system(data: Mapping[str, Any], source: str) -> tuple[list[Any], str | None, str | None]:
    """(requirements, backend, wrapped backend): a project built with an extdeps
    wrapper is packaged with the backend the wrapper wraps."""
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    build_system = data.get("build-system", {})
    if not isinstance(build_system, dict):
        build_system = {}
    requires = build_system.get("requires", [])
    backend = _text(build_system.get("build-backend"))
    wrapped = backend if backend in WRAPPED else None
    parsed = []
    for i, text in enumerate(requires if isinstance(requires, list) else []):
        try:
            requirement = Requirement(str(text))
        except InvalidRequirement as exc:
            raise InputError(f"build-system.requires[{i}]: {exc}", source=source) from None
        if wrapped and requirement.name.lower() == "extdeps":
            requirement = Requirement(WRAPPED[wrapped][1])
        parsed.append(requirement)
    if wrapped:
        backend = WRAPPED[wrapped][0]
    elif backend is None:
        backend = "setuptools.build_meta:__legacy__"
        if not parsed:
            parsed = [Requirement("setuptools>=40.8"), Requirement("wheel")]
    return parsed, backend, wrapped


def _import_names(
    data: Mapping[str, Any], files: ProjectFiles, name: str
) -> tuple[list[str], bool]:
    """The top-level modules the project installs, and whether they were found (not
    derived from the project's name): PEP 794 ``import-names``, else the build
    files (meson's ``extension_module``, setuptools' ``ext-modules``, ``packages``
    and ``py-modules``), else package directories."""
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    assert isinstance(project, dict)
    declared = project.get("import-names")
    if isinstance(declared, list) and declared and all(isinstance(n, str) for n in declared):
        return [n.split(";")[0].strip().split(".")[0] for n in declared], True
    found: list[str] = []
    names = files.names()
    if "meson.build" in names:
        text = files.read("meson.build").decode("utf-8", "replace")
        found += re.findall(r"extension_module\(\s*'([A-Za-z_][A-Za-z0-9_]*)'", text)
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    setuptools = tool.get("setuptools") if isinstance(tool, dict) else None
    if isinstance(setuptools, dict):
        for module in setuptools.get("ext-modules") or []:
            if isinstance(module, dict) and isinstance(module.get("name"), str):
                found.append(module["name"].split(".")[0])
        for package in setuptools.get("packages") or []:
            if isinstance(package, str):
                found.append(package.split(".")[0])
        for module in setuptools.get("py-modules") or []:
            if isinstance(module, str):
                found.append(module)
    for candidate in names:
        parts = candidate.split("/")
        if parts[-1] != "__init__.py" or len(parts) > 3:
            continue
        top = parts[1] if parts[0] == "src" and len(parts) == 3 else parts[0]
        if len(parts) == 3 and parts[0] != "src":
            continue
        if top not in ("tests", "test", "docs", "doc", "examples", "benchmarks"):
            found.append(top)
    found = list(dict.fromkeys(n for n in found if n.isidentifier()))
    if found:
        return found, True
    return [re.sub(r"[-.]+", "_", name).lower()], False


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
    files: ProjectFiles,
    source: str,
    ecosystem: str | None,
    mapping: EcosystemMapping | None = None,
    registry: Registry | None = None,
    digests: Mapping[str, str] | None = None,
    pyproject_text: str = "",
    pkg_info: Mapping[str, str] | None = None,
    packager: Person | None = None,
    timestamp: int = 0,
) -> RecipeData:
    """Collect the project metadata and map every external dependency.

    ``digests`` are the sdist's (``sha256``, ``sha512``): computed from the input
    when it is an sdist, or from ``--sdist FILE``. ``pkg_info`` holds the fields of
    an sdist's PKG-INFO, which fill in what ``[project]`` leaves dynamic.
    """
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    assert isinstance(project, dict)
    info = dict(pkg_info or {})
    dynamic = [d for d in project.get("dynamic", []) if isinstance(d, str)]
    filled = dict(project)
    if "version" in dynamic and info.get("Version"):
        filled["version"] = info["Version"]
        filled["dynamic"] = [d for d in dynamic if d != "version"]
    if isinstance(project.get("description"), str):
        _check_line(project["description"], "project.description", source)
    meta = _project_metadata({**data, "project": filled}, source)
    if meta.version is None:
        raise InputError(
            "[project] has a dynamic version; recipes need a fixed version",
            source=source,
            hint="give the sdist (its PKG-INFO has the version): extdeps recipe SDIST",
        )
    registry = registry or load_registry()
    if mapping is None and ecosystem is not None:
        mapping = load_mapping(ecosystem)
    deps: list[RecipeDep] = []

    from extdeps.data.probes import load_probes  # noqa: PLC0415

    probes = load_probes()

    def add(req: ExternalRequirement, category: Category, extra: str | None) -> None:
        ident = registry.canonical(req.url.id)
        probe = probes.get(ident)
        linked = category == "host" and probe is not None and bool(probe.libraries)
        if mapping is None:
            deps.append(RecipeDep(requirement=req, category=category, extra=extra, linked=linked))
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
                    linked=linked,
                )
            )
            return
        virtual_package = None
        if ident not in registry:
            reason = f"{ident} is not in the registry"
        elif ident in mapping:
            reason = f"{mapping.name} has no package for it"
            named = mapping.alternatives(ident)[0].extra_metadata.get("virtual_package")
            virtual_package = named if isinstance(named, str) and named else None
        else:
            reason = f"the {mapping.name} mapping does not list it"
        deps.append(
            RecipeDep(
                requirement=req,
                category=category,
                extra=extra,
                reason=reason,
                linked=linked,
                virtual_package=virtual_package,
            )
        )

    for category in CATEGORIES:
        for req in external.required(category):
            add(req, category, None)
        for extra, reqs in external.optional(category).items():
            for req in reqs:
                add(req, category, extra)
    requires, backend, wrapped = _build_system(data, source)
    urls = dict(meta.urls or {})
    for key, url in urls.items():
        _check_url(url, f"project.urls.{key}", source)
    homepage = next(
        (urls[k] for k in urls if k.lower() in ("homepage", "home", "source", "repository")),
        next(iter(urls.values()), None),
    )
    license_expression = _license(project.get("license"), source)
    license_files = _license_files(project, files, source)
    texts = {}
    for name in license_files:
        texts[name] = files.read(name, 1 << 20).decode("utf-8", "replace")
    description, readme_file = _readme(project, files, source)
    authors = tuple(
        Person(name=_text(author[0]), email=_text(author[1]))
        for author in (meta.authors or [])
        if isinstance(author, tuple) and len(author) == 2
    )
    for i, person in enumerate(authors):
        _check_line(person.name or "", f"project.authors[{i}].name", source)
        _check_line(person.email or "", f"project.authors[{i}].email", source)
    import_names, known = _import_names(data, files, str(meta.name))
    from extdeps.data.files import load_python_packages  # noqa: PLC0415

    return RecipeData(
        name=meta.name,
        version=str(meta.version),
        summary=meta.description or "",
        description=description,
        readme_file=readme_file,
        license=license_expression,
        license_files=tuple(license_files),
        license_texts=texts,
        authors=authors,
        homepage=homepage,
        requires_python=str(meta.requires_python) if meta.requires_python else None,
        python_deps=tuple(meta.dependencies),
        python_extras={k: tuple(v) for k, v in (meta.optional_dependencies or {}).items()},
        build_system=tuple(requires),
        backend=backend,
        wrapped_backend=wrapped,
        pyproject_text=pyproject_text,
        deps=tuple(deps),
        ecosystem=ecosystem,
        sha256=(digests or {}).get("sha256"),
        sha512=(digests or {}).get("sha512"),
        import_names=tuple(import_names),
        import_names_known=known,
        python_names=load_python_packages(),
        packager=packager,
        timestamp=timestamp,
    )
