"""``extdeps lint``: checks of a valid ``[external]`` table against the registry and mappings.

Validation (:meth:`External.from_table`) checks syntax; lint checks meaning. Each
rule yields :class:`Finding` objects with a rule id, a severity, the key path, a
one-line message and a hint:

==================== ======== ==========================================================
rule                 severity what it flags
==================== ======== ==========================================================
unknown-id           error    a ``generic``/``virtual`` id the registry does not know
                     warning  any other id the registry does not know
alias                warning  an alias; the hint names its canonical id
ecosystem-specific   warning  ``dep:deb/...``, ``dep:rpm/...``, ``dep:conda/...``...
virtual-version      warning  a virtual's version that is plausible but unusual for its
                              scheme (the parser refuses those that cannot mean anything)
never-true-marker    error    a marker that no environment satisfies
                     warning  a marker false on Linux, macOS and Windows, Python 3.9-3.14
compiler-at-runtime  warning  a compiler under ``dependencies``
library-at-build     warning  a library under ``build-requires`` (belongs in host-requires)
==================== ======== ==========================================================

Lint is pure: the registry and mappings are parameters (the shipped ones by
default) and nothing touches the system. The table of build-system names
(pkg-config modules, CMake packages, linker names) that lint's "did you mean"
uses lives here too; ``extdeps scan`` maps build files through it.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from packaging.version import InvalidVersion, Version

from extdeps.authoring.names import known_name
from extdeps.model.errors import ExtdepsError
from extdeps.model.record import Record
from extdeps.model.virtuals import version_problem

if TYPE_CHECKING:
    from packaging.markers import Marker

    from extdeps.data.mapping import EcosystemMapping
    from extdeps.data.registry import Registry
    from extdeps.model.depurl import DepURL
    from extdeps.model.external import External
    from extdeps.model.requirement import ExternalRequirement

__all__ = [
    "RULES",
    "CoverageRow",
    "Finding",
    "LintReport",
    "category_of",
    "lint_external",
    "shipped_mappings",
]

Severity = Literal["error", "warning"]
Category = Literal["build", "host", "run"]
RULES = (
    "unknown-id",
    "alias",
    "ecosystem-specific",
    "virtual-version",
    "never-true-marker",
    "compiler-at-runtime",
    "library-at-build",
)

# Misspellings and old names that difflib would not find (or would rank badly).
_DID_YOU_MEAN = {
    "dep:virtual/compiler/cpp": "dep:virtual/compiler/cxx",
    "dep:virtual/compiler/c++": "dep:virtual/compiler/cxx",
    "dep:virtual/compiler/cplusplus": "dep:virtual/compiler/cxx",
    "dep:virtual/compiler/g++": "dep:virtual/compiler/cxx",
    "dep:virtual/compiler/cc": "dep:virtual/compiler/c",
    "dep:virtual/compiler/gcc": "dep:virtual/compiler/c",
    "dep:virtual/compiler/clang": "dep:virtual/compiler/c",
    "dep:virtual/compiler/gfortran": "dep:virtual/compiler/fortran",
    "dep:virtual/compiler/f77": "dep:virtual/compiler/fortran",
    "dep:virtual/compiler/f90": "dep:virtual/compiler/fortran",
    "dep:virtual/compiler/f95": "dep:virtual/compiler/fortran",
    "dep:virtual/compiler/objc": "dep:virtual/compiler/objective-c",
    "dep:virtual/compiler/objc++": "dep:virtual/compiler/objective-cxx",
    "dep:virtual/compiler/objcxx": "dep:virtual/compiler/objective-cxx",
    "dep:virtual/compiler/objcpp": "dep:virtual/compiler/objective-cxx",
    "dep:virtual/compiler/csharp": "dep:virtual/compiler/c-sharp",
    "dep:virtual/compiler/cs": "dep:virtual/compiler/c-sharp",
    "dep:virtual/compiler/nvcc": "dep:virtual/compiler/cuda",
    "dep:virtual/compiler/rustc": "dep:virtual/compiler/rust",
    "dep:virtual/compiler/golang": "dep:virtual/compiler/go",
    "dep:virtual/compiler/openmp": "dep:virtual/interface/openmp",
    "dep:virtual/interface/omp": "dep:virtual/interface/openmp",
    "dep:virtual/interface/cuda": "dep:virtual/driver/cuda",
    "dep:virtual/interface/openblas": "dep:generic/openblas",
    "dep:virtual/interface/mkl": "dep:generic/mkl",
}


# PURL types that name one ecosystem's package, and the mapping files of that family.
_ECOSYSTEM_TYPES = {
    "deb": ("debian", "ubuntu"),
    "rpm": ("fedora", "centos", "rhel", "opensuse"),
    "conda": ("conda-forge",),
    "brew": ("homebrew",),
    "alpm": ("arch",),
    "apk": ("alpine",),
}

# Registry ids that are run during a build even though a distribution also ships
# headers for them (interpreters, code generators, toolkits with tools).
_BUILD_TOOLS = frozenset(
    f"dep:generic/{name}"
    for name in (  # noqa: SIM905 - a word list reads better than one name a line
        "autoconf automake bison ccache clang cmake cuda-nvcc cuda-toolkit doxygen flex gdb "
        "gettext git glib go gobject-introspection gperf grpc help2man ldc libtool llvm m4 "
        "make meson mono nasm nim ninja nodejs openjdk pandoc patchelf perl pkg-config "
        "protobuf python qt5 qt6 r ruby rust swig texinfo thrift valgrind yasm zig"
    ).split()
)


_PLATFORMS = (
    # name, os_name, sys_platform, platform_system, platform_release, machines
    ("Linux", "posix", "linux", "Linux", "6.1.0", ("x86_64", "aarch64")),
    ("macOS", "posix", "darwin", "Darwin", "23.1.0", ("x86_64", "arm64")),
    ("Windows", "nt", "win32", "Windows", "10", ("AMD64", "ARM64")),
)
_PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
_IMPLEMENTATIONS = (("cpython", "CPython"), ("pypy", "PyPy"))
_VERSION_VARIABLES = {"python_version", "python_full_version", "implementation_version"}
_MARKER_TERM_RE = re.compile(r'([a-z_]+) (?:not in|in|===|==|!=|<=|>=|~=|<|>) "([^"]*)"')
_MARKER_TERM_REVERSED_RE = re.compile(r'"([^"]*)" (?:not in|in|===|==|!=|<=|>=|~=|<|>) ([a-z_]+)')
_MAX_COMBINATIONS = 20_000


class Finding(Record):
    """One lint result."""

    __slots__ = ("rule", "severity", "key", "message", "hint")
    rule: str
    severity: Severity
    key: str
    message: str
    hint: str | None

    def __init__(
        self, *, rule: str, severity: Severity, key: str, message: str, hint: str | None = None
    ) -> None:
        self._set(rule=rule, severity=severity, key=key, message=message, hint=hint)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


class CoverageRow(Record):
    """Where one dependency cannot be installed: ecosystems where it is unavailable
    (the mapping says ``[]``) and ecosystems whose mapping does not list it."""

    __slots__ = ("id", "key", "unavailable", "unmapped")
    id: str
    key: str
    unavailable: tuple[str, ...]
    unmapped: tuple[str, ...]

    def __init__(
        self, *, id: str, key: str, unavailable: Sequence[str], unmapped: Sequence[str]
    ) -> None:
        self._set(id=id, key=key, unavailable=tuple(unavailable), unmapped=tuple(unmapped))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "unavailable": list(self.unavailable),
            "unmapped": list(self.unmapped),
        }


class LintReport(Record):
    __slots__ = ("findings", "coverage", "ecosystems")
    findings: tuple[Finding, ...]
    coverage: tuple[CoverageRow, ...]
    ecosystems: tuple[str, ...]

    def __init__(
        self,
        *,
        findings: Sequence[Finding],
        coverage: Sequence[CoverageRow],
        ecosystems: Sequence[str],
    ) -> None:
        self._set(findings=tuple(findings), coverage=tuple(coverage), ecosystems=tuple(ecosystems))

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")


def shipped_mappings(directory: str | None = None) -> dict[str, EcosystemMapping]:
    """Every ``*.mapping.json`` of the data directory, by ecosystem id, sorted."""
    from extdeps.data.files import data_dir  # noqa: PLC0415
    from extdeps.data.mapping import load_mapping  # noqa: PLC0415

    root = directory or data_dir()
    try:
        files = os.listdir(root)
    except OSError:
        return {}
    names = sorted(f.removesuffix(".mapping.json") for f in files if f.endswith(".mapping.json"))
    return {name: load_mapping(os.path.join(root, f"{name}.mapping.json")) for name in names}


def category_of(key: str) -> Category | None:
    """The category of a key path from :meth:`External.iter_requirements` (None: a group)."""
    head = key.split("[", 1)[0].split(".")[1]
    if head in ("build-requires", "optional-build-requires"):
        return "build"
    if head in ("host-requires", "optional-host-requires"):
        return "host"
    if head in ("dependencies", "optional-dependencies"):
        return "run"
    return None


def _quote(ident: str) -> str:
    return f"'{ident}'"


class _Linter:
    def __init__(
        self,
        registry: Registry,
        mappings: Mapping[str, EcosystemMapping],
        *,
        requires_python: str | None,
        extras: Sequence[str],
    ) -> None:
        self.registry = registry
        self.mappings = mappings
        self.extras = tuple(dict.fromkeys(("", *extras)))
        self.pythons = _pythons_for(requires_python)
        self.findings: list[Finding] = []
        self.suggestions_left = 20

    def add(
        self, rule: str, severity: Severity, key: str, message: str, hint: str | None = None
    ) -> None:
        self.findings.append(
            Finding(rule=rule, severity=severity, key=key, message=message, hint=hint)
        )

    # -- per requirement ------------------------------------------------------
    def requirement(self, key: str, req: ExternalRequirement) -> None:
        url = req.url
        category = category_of(key)
        canonical: str | None = url.id
        if url.type in _ECOSYSTEM_TYPES:
            self.ecosystem_specific(key, req)
            canonical = None
        elif url.id not in self.registry:
            self.unknown(key, url)
            canonical = None
        else:
            canonical = self.registry.canonical(url.id)
            if canonical != url.id:
                better = _with_id(req, canonical)
                self.add(
                    "alias",
                    "warning",
                    key,
                    f"{_quote(url.id)} is an alias of {_quote(canonical)}",
                    f"write {_quote(better)}",
                )
        self.versions(key, url)
        if req.marker is not None:
            self.marker(key, req.marker)
        if canonical is None:
            return
        if category == "run" and self.is_compiler(canonical):
            self.add(
                "compiler-at-runtime",
                "warning",
                key,
                f"{_quote(url.id)} is a compiler, listed as a runtime dependency",
                "move it to 'build-requires' unless the package compiles code when it runs",
            )
        if category == "build" and self.is_library(canonical):
            self.add(
                "library-at-build",
                "warning",
                key,
                f"{_quote(url.id)} is a library, listed as a build tool",
                "libraries the package links against go in 'host-requires'",
            )

    def unknown(self, key: str, url: DepURL) -> None:
        candidates = [_DID_YOU_MEAN.get(url.id)]
        if url.type == "generic" and url.namespace is None:
            candidates.append(known_name(url.name))
        # a known misspelling first; "close in spelling" only when there is none
        known = [c for c in candidates if c is not None and c in self.registry]
        found: list[str] = known
        if not found and self.suggestions_left > 0:
            self.suggestions_left -= 1  # spelling search is slow: the first few only
            found = _suggest(self.registry, url.id) or self.registry.suggest(url.id)
        suggestions = list(dict.fromkeys(self.registry.canonical(c) for c in found))[:3]
        if suggestions:
            hint = "did you mean " + " or ".join(_quote(s) for s in suggestions) + "?"
        elif url.type in ("generic", "virtual"):
            hint = "check the spelling; ids not in the registry cannot be mapped to packages"
        else:
            hint = "prefer a registry id: mappings only map ids the registry knows"
        severity: Severity = "error" if url.type in ("generic", "virtual") else "warning"
        self.add("unknown-id", severity, key, f"{_quote(url.id)} is not in the registry", hint)

    def ecosystem_specific(self, key: str, req: ExternalRequirement) -> None:
        url = req.url
        families = _ECOSYSTEM_TYPES[url.type]
        found: list[str] = []
        for eco, mapping in self.mappings.items():
            if not eco.split("+", 1)[0].startswith(families):
                continue
            for entry in mapping:
                try:
                    specs = mapping.resolve(entry)
                except ExtdepsError:  # a broken specs_from is the mapping's problem
                    continue
                names = {s.split("=", 1)[0] for v in specs.values() for s in v}
                if url.name in names and entry.id not in found:
                    found.append(self.registry.canonical(entry.id))
        found = list(dict.fromkeys(found))
        if found:
            hint = "write " + " or ".join(_quote(_with_id(req, f)) for f in found[:3])
        else:
            hint = "use the registry's id for this package so that every ecosystem can map it"
        self.add(
            "ecosystem-specific",
            "warning",
            key,
            f"{_quote(url.id)} names a package of one ecosystem ({url.type})",
            hint,
        )

    # -- versions -------------------------------------------------------------
    def versions(self, key: str, url: DepURL) -> None:
        """Versions of virtuals outside their scheme (:mod:`extdeps.model.virtuals`):
        the parser refuses what cannot mean anything; what lint sees here is
        plausible but unusual."""
        if url.version is None or not url.is_virtual:
            return
        problem = version_problem(
            url.namespace,
            url.name,
            [v for _, v in url.clauses],
            url=str(url),
            version=url.version,
        )
        if problem is not None:
            severity, message, hint = problem
            self.add("virtual-version", severity, key, message, hint)

    # -- markers --------------------------------------------------------------
    def marker(self, key: str, marker: Marker) -> None:
        if any(_evaluate(marker, env) for env in self.representative()):
            return
        if _satisfiable_marker(marker, self.extras):
            pythons = f"{self.pythons[0]}-{self.pythons[-1]}"
            where = ", ".join(p[0] for p in _PLATFORMS[:-1]) + f" and {_PLATFORMS[-1][0]}"
            self.add(
                "never-true-marker",
                "warning",
                key,
                f"marker '{marker}' is false on {where} for Python {pythons}",
                "check the marker: the dependency is skipped on every common platform",
            )
            return
        hint = "the dependency is never used; fix the marker or remove the entry"
        extras = {v for var, v in _marker_terms(marker) if var == "extra"}
        missing = sorted(e for e in extras if e not in self.extras)
        if missing:
            hint = f"'{missing[0]}' is not an extra of this project; " + hint
        self.add("never-true-marker", "error", key, f"marker '{marker}' can never be true", hint)

    def representative(self) -> Iterator[dict[str, str]]:
        for _, os_name, sys_platform, system, release, machines in _PLATFORMS:
            for machine, python, (impl, impl_name), extra in itertools.product(
                machines, self.pythons, _IMPLEMENTATIONS, self.extras
            ):
                yield {
                    "os_name": os_name,
                    "sys_platform": sys_platform,
                    "platform_system": system,
                    "platform_release": release,
                    "platform_version": "",
                    "platform_machine": machine,
                    "platform_python_implementation": impl_name,
                    "implementation_name": impl,
                    "implementation_version": f"{python}.0" if impl == "cpython" else "7.3.17",
                    "python_version": python,
                    "python_full_version": f"{python}.0",
                    "extra": extra,
                }

    # -- categories -----------------------------------------------------------
    def is_compiler(self, ident: str) -> bool:
        if ident.startswith("dep:virtual/compiler/"):
            return True
        definition = self.registry.get(ident)
        return definition is not None and any(
            v.startswith("dep:virtual/compiler/") for v in definition.implements
        )

    def is_library(self, ident: str) -> bool:
        if ident in _BUILD_TOOLS or self.is_compiler(ident):
            return False
        if ident.startswith("dep:virtual/interface/"):
            return True
        for eco in sorted(self.mappings, key=lambda e: (e != "debian", e)):
            if not eco.startswith(("debian", "ubuntu")):
                continue
            mapping = self.mappings[eco]
            alternatives = mapping.alternatives(ident)
            if not alternatives:
                continue
            try:
                specs = mapping.resolve(alternatives[0])
            except ExtdepsError:  # a broken specs_from: cannot tell
                return False
            host, build = specs.get("host", ()), specs.get("build", ())
            # a library: its host package is a -dev package and the build
            # category names nothing else (no tool package of its own)
            return any(s.endswith("-dev") for s in host) and set(build) <= set(host)
        return False

    # -- coverage -------------------------------------------------------------
    def coverage(
        self, requirements: Iterable[tuple[str, ExternalRequirement]]
    ) -> list[CoverageRow]:
        rows: list[CoverageRow] = []
        seen: set[tuple[str, Category | None]] = set()
        for key, req in requirements:
            ident = req.url.id
            if ident not in self.registry:
                continue
            ident = self.registry.canonical(ident)
            category = category_of(key)
            if (ident, category) in seen:
                continue
            seen.add((ident, category))
            unavailable: list[str] = []
            unmapped: list[str] = []
            for eco, mapping in self.mappings.items():
                alternatives = mapping.alternatives(ident)
                if not alternatives:
                    unmapped.append(eco)
                    continue
                try:
                    specs = mapping.resolve(alternatives[0])
                except ExtdepsError:  # a broken specs_from counts as unmapped
                    unmapped.append(eco)
                    continue
                wanted: tuple[Category, ...] = (category,) if category else ("build", "host", "run")
                if not any(specs.get(c) for c in wanted):
                    unavailable.append(eco)
            rows.append(CoverageRow(id=ident, key=key, unavailable=unavailable, unmapped=unmapped))
        return rows


def _suggest(registry: Registry, ident: str) -> list[str]:
    """Registry ids of the same type and namespace whose names are close to this one's
    (comparing names alone: the shared ``dep:generic/`` prefix would make any two close)."""
    import difflib  # noqa: PLC0415 - error path only

    prefix, _, name = ident.rpartition("/")
    names = {d.id.rpartition("/")[2]: d.id for d in registry if d.id.rpartition("/")[0] == prefix}
    return [names[n] for n in difflib.get_close_matches(name, names, n=3, cutoff=0.75)]


def _with_id(req: ExternalRequirement, ident: str) -> str:
    """``req`` written with another id, its version, qualifiers, subpath and marker kept."""
    text = str(req)
    return ident + text[len(req.url.id) :]


def _pythons_for(requires_python: str | None) -> tuple[str, ...]:
    if not requires_python:
        return _PYTHONS
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    try:
        spec = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return _PYTHONS
    kept = tuple(p for p in _PYTHONS if spec.contains(f"{p}.0", prereleases=True))
    return kept or _PYTHONS


def _evaluate(marker: Marker, env: Mapping[str, str]) -> bool:
    from packaging.markers import UndefinedComparison, UndefinedEnvironmentName  # noqa: PLC0415

    try:
        return bool(marker.evaluate(dict(env)))
    except (UndefinedComparison, UndefinedEnvironmentName, ValueError):
        return False


def _marker_terms(marker: Marker) -> list[tuple[str, str]]:
    text = str(marker)
    terms = [(m.group(1), m.group(2)) for m in _MARKER_TERM_RE.finditer(text)]
    terms += [(m.group(2), m.group(1)) for m in _MARKER_TERM_REVERSED_RE.finditer(text)]
    return terms


def _version_neighbours(text: str) -> set[str]:
    """Values at, just above and just below a version literal (for satisfiability)."""
    base = text.removesuffix(".*")
    try:
        version = Version(base)
    except (InvalidVersion, ValueError):  # ValueError: a number past int's digit limit
        return {text, text + "x"}
    release = list(version.release)
    out = {base, f"{base}.0.1", f"{base}.1", "0", "999"}
    bumped = [*release[:-1], release[-1] + 1]
    out.add(".".join(map(str, bumped)))
    if release[-1] > 0:
        lowered = [*release[:-1], release[-1] - 1]
        out.add(".".join(map(str, lowered)))
        out.add(".".join(map(str, lowered)) + ".99")
    return out


def _satisfiable_marker(marker: Marker, extras: Sequence[str]) -> bool:
    """Whether some environment satisfies ``marker``.

    Every variable the marker compares gets the values it is compared with and
    values just around them; for comparisons against literals, one value in
    each interval is enough to decide. ``extra`` takes the project's extras.
    """
    values: dict[str, set[str]] = {}
    for variable, literal in _marker_terms(marker):
        if variable == "extra":
            continue
        found = values.setdefault(variable, {""})
        if variable in _VERSION_VARIABLES:
            found |= _version_neighbours(literal)
        else:
            found |= {literal, literal + "x"}
    values["extra"] = set(extras) or {""}
    names = sorted(values)
    pools = [sorted(values[n]) for n in names]
    total = 1
    for pool in pools:
        total *= len(pool)
    if total > _MAX_COMBINATIONS:
        return True  # too many to try: do not claim it is never true
    base = {
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_release": "",
        "platform_version": "",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "implementation_name": "cpython",
        "implementation_version": "3.12.0",
        "python_version": "3.12",
        "python_full_version": "3.12.0",
        "extra": "",
    }
    for combination in itertools.product(*pools):
        if _evaluate(marker, {**base, **dict(zip(names, combination, strict=True))}):
            return True
    return False


def lint_external(
    external: External,
    *,
    registry: Registry | None = None,
    mappings: Mapping[str, EcosystemMapping] | None = None,
    requires_python: str | None = None,
    extras: Sequence[str] = (),
) -> LintReport:
    """Lint a validated table; ``registry`` and ``mappings`` default to the shipped ones.

    ``requires_python`` narrows the Python versions markers are tried with;
    ``extras`` are the project's extra names (``[project.optional-dependencies]``),
    which markers may test besides the table's own.
    """
    if registry is None:
        from extdeps.data.registry import load_registry  # noqa: PLC0415

        registry = load_registry()
    if mappings is None:
        mappings = shipped_mappings()
    linter = _Linter(
        registry,
        mappings,
        requires_python=requires_python,
        extras=(*external.extras, *extras),
    )
    requirements = list(external.iter_requirements())
    for key, req in requirements:
        linter.requirement(key, req)
    return LintReport(
        findings=linter.findings,
        coverage=linter.coverage(requirements),
        ecosystems=tuple(mappings),
    )
