"""``extdeps check``: is every external dependency present here, at the right version?

For each selected requirement the evidence of independent sources is gathered
(the ecosystem's package database for the mapped packages, pkg-config, shared
libraries, headers, executables, compilers, the GPU driver) and one verdict is
given, with the source that decided it:

``satisfied``      found, and the version (if constrained) is inside the range;
``wrong-version``  found, at a version outside the range;
``missing``        a source that could tell says it is not there, none found it;
``unknown``        nothing could tell (tools missing, no data, no version);
``skipped``        its marker is false for the target, or it was not selected.

Versions compared are upstream versions (pkg-config, tool output, conda
versions, the upstream part of distribution versions), never raw distro strings.
"""

from __future__ import annotations

from extdeps.choices import Choices
from extdeps.data.probes import Probes, load_probes
from extdeps.data.registry import Registry, load_registry
from extdeps.model.arguments import need, optional_str, strings
from extdeps.model.errors import ExtdepsError
from extdeps.model.external import CATEGORIES, External
from extdeps.model.record import Record
from extdeps.model.versions import InvalidVersion, Release, parse_version
from extdeps.resolution import PYTHON_ID, InstallPlan, Resolved, plan_install, resolve, select
from extdeps.system.compilers import (
    compiler_path,
    probe_compiler,
    standard_years,
    start_compiler_probe,
)
from extdeps.system.interfaces import interface_level, openmp_level
from extdeps.system.machine import System
from extdeps.system.pkgdb import (
    PackageDB,
    leading_version,
    read_package_db,
    without_distribution_suffix,
)
from extdeps.system.probes import Evidence, Prober, probe_all

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any, Literal

    from packaging.version import Version

    from extdeps.model.depurl import DepURL
    from extdeps.model.external import Category

    Status = Literal["satisfied", "wrong-version", "missing", "unknown", "skipped"]

# every status, in the order the documentation lists them
STATUSES: tuple[Status, ...] = ("satisfied", "wrong-version", "missing", "unknown", "skipped")

__all__ = ["CheckReport", "Verdict", "check"]

GLIBC_ID = "dep:generic/glibc"
_VERSION_PRIORITY = (
    "interpreter",
    "override",
    "libc",
    "libcuda",
    "nvidia-smi",
    "hip",
    "rocm-info",
    "compile-test",
    "pkg-config",
    "compiler",
    "executables",
)


class Verdict(Record):
    """The outcome for one requirement."""

    __slots__ = (
        "resolved",
        "status",
        "found_version",
        "provider",
        "decided_by",
        "evidence",
        "reason",
        "installable",
    )
    resolved: Resolved
    status: Status
    found_version: str | None
    provider: str | None
    decided_by: str | None
    evidence: tuple[Evidence, ...]
    reason: str | None
    installable: bool

    def __init__(
        self,
        *,
        resolved: Resolved,
        status: Status,
        found_version: str | None = None,
        provider: str | None = None,
        decided_by: str | None = None,
        evidence: Iterable[Evidence] = (),
        reason: str | None = None,
        installable: bool = True,
    ) -> None:
        self._set(
            resolved=resolved,
            status=status,
            found_version=found_version,
            provider=provider,
            decided_by=decided_by,
            evidence=tuple(evidence),
            reason=reason,
            installable=installable,
        )

    @property
    def requirement(self) -> Any:
        return self.resolved.requirement

    def to_dict(self) -> dict[str, Any]:
        url = self.resolved.requirement.url
        return {
            "requirement": str(self.resolved.requirement),
            "id": self.resolved.canonical,
            "category": self.resolved.category,
            "origin": self.resolved.selected.origin,
            "status": self.status,
            "wanted": url.version,
            "found_version": self.found_version,
            "provider": self.provider,
            "decided_by": self.decided_by,
            "packages": list(self.resolved.specs),
            "reason": self.reason,
            "evidence": [e.to_dict() for e in self.evidence],
            "installable": self.installable,
        }


class CheckReport(Record):
    """All verdicts of one check, plus the install plan for what is missing."""

    __slots__ = ("verdicts", "ecosystem", "mapping", "package_db", "install")
    verdicts: tuple[Verdict, ...]
    ecosystem: str
    mapping: str
    package_db: str
    install: InstallPlan | None

    def __init__(
        self,
        *,
        verdicts: Iterable[Verdict],
        ecosystem: str,
        mapping: str,
        package_db: str,
        install: InstallPlan | None,
    ) -> None:
        self._set(
            verdicts=tuple(verdicts),
            ecosystem=ecosystem,
            mapping=mapping,
            package_db=package_db,
            install=install,
        )

    def count(self, status: Status) -> int:
        return sum(1 for v in self.verdicts if v.status == status)

    @property
    def unmet(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.status in ("missing", "wrong-version"))

    def exit_code(self, *, strict: bool = False) -> int:
        """0 all satisfied, 1 something missing or at the wrong version, 3 (with
        ``strict``) something could not be decided."""
        if self.unmet:
            return 1
        if strict and self.count("unknown"):
            return 3
        return 0


def _shown(text: str | None) -> str | None:
    """A found version as reported: never a distribution's repacking suffix."""
    return without_distribution_suffix(text) if text else text


def _parse_version(text: str | None) -> Version | Release | None:
    if not text:
        return None
    text = without_distribution_suffix(text)
    try:
        return parse_version(text)
    except InvalidVersion:
        lead = leading_version(text)
        return parse_version(lead) if lead else None


def _verdict(
    item: Resolved,
    evidence: Sequence[Evidence],
    spec: DepURL | None,
    *,
    provider: str | None = None,
    reason: str | None = None,
) -> Verdict:
    """The verdict the evidence gives; ``reason`` replaces a missing one."""
    status, version, source, decided_reason = _decide(evidence, spec)
    return Verdict(
        resolved=item,
        status=status,
        found_version=version,
        provider=provider,
        decided_by=source,
        evidence=evidence,
        reason=decided_reason or reason,
    )


def _decide(
    evidence: Sequence[Evidence], spec: DepURL | None
) -> tuple[Status, str | None, str | None, str | None]:
    """(status, found version, deciding source, reason) from the evidence."""
    found = [e for e in evidence if e.found]
    if found:
        ranked = sorted(
            found,
            key=lambda e: (
                _VERSION_PRIORITY.index(e.source)
                if e.source in _VERSION_PRIORITY
                else len(_VERSION_PRIORITY)
            ),
        )
        versioned = [(e, _parse_version(e.version)) for e in ranked]
        with_version = [(e, v) for e, v in versioned if v is not None]
        if spec is None:
            best = with_version[0] if with_version else (ranked[0], None)
            return "satisfied", _shown(best[0].version), best[0].source, None
        if not with_version:
            return (
                "unknown",
                None,
                ranked[0].source,
                f"found ({ranked[0].detail}) but no source reports its version",
            )
        e, version = with_version[0]
        shown = _shown(e.version)
        if spec.contains(version):
            return "satisfied", shown, e.source, None
        return "wrong-version", shown, e.source, f"found {shown}, wanted {spec.version}"
    if any(e.found is False for e in evidence):
        return "missing", None, next(e.source for e in evidence if e.found is False), None
    reasons = "; ".join(e.detail for e in evidence) or "no way to look for it here"
    return "unknown", None, None, reasons


class _Checker:
    def __init__(
        self,
        *,
        system: System,
        registry: Registry,
        choices: Choices,
        probes: Probes,
        thorough: bool,
    ) -> None:
        self.system = system
        self.registry = registry
        self.choices = choices
        self.mapping = choices.mapping
        self.probes = probes
        self.thorough = thorough
        # in a conda or pixi environment, a build sees the environment's files only
        conda = choices.detection.ecosystem == "conda-forge"
        prefix = system.environ.get("CONDA_PREFIX") if conda else None
        self.prober = Prober(system, prefix=prefix)
        manager = self.mapping.package_manager(choices.detection.package_manager)
        self.manager = manager
        db = read_package_db(manager.name, system)
        self.db: PackageDB | None = db if isinstance(db, PackageDB) else None
        self.db_reason = db if isinstance(db, str) else f"{db.kind} ({db.source})"

    def package_evidence(self, specs: Sequence[str]) -> list[Evidence]:
        if not specs:
            return []
        if self.db is None:
            return [Evidence(source="package-db", found=None, detail=self.db_reason)]
        found = []
        missing = []
        for spec in specs:
            hit = self.db.get(spec)
            if hit is None:
                missing.append(spec)
            else:
                found.append((spec, hit))
        if missing:
            return [
                Evidence(
                    source=self.db.kind,
                    found=False,
                    detail=f"not installed ({self.db.kind}): {', '.join(missing)}",
                )
            ]
        spec, (package, how) = found[0]
        shown = ", ".join(f"{s} {h[0].version}" for s, h in found)
        if how != "installed":
            shown += f" ({package.name} {how})"
        return [
            Evidence(
                source=self.db.kind,
                found=True,
                version=self.db.upstream(package),
                detail=f"installed ({self.db.kind}): {shown}",
            )
        ]

    def concrete(self, ident: str, category: Category, specs: Sequence[str]) -> list[Evidence]:
        evidence = self.package_evidence(specs)
        probe = self.probes.get(ident)
        if probe is not None:
            evidence.extend(probe_all(self.prober, probe, category))
        return evidence

    def start(self, resolved: Sequence[Resolved]) -> None:
        """Begin the programs the verdicts will run (version queries, pkg-config's
        search path), so that they run side by side: a cold check waits for
        the slowest, not for their sum. Each verdict still runs its own probes;
        it finds the program going, or already done."""
        for item in resolved:
            url = item.requirement.url
            if item.status == "skipped":
                continue
            if url.is_virtual:
                if url.namespace == "compiler" and item.canonical in self.registry:
                    language = item.canonical.rsplit("/", 1)[-1]
                    start_compiler_probe(language, self.system, self.prober)
                continue
            if item.canonical == PYTHON_ID and self.choices.interpreter is not None:
                continue
            probe = self.probes.get(item.canonical)
            if probe is not None:
                self.prober.start(probe, item.category)

    def verdict(self, item: Resolved) -> Verdict:
        url = item.requirement.url
        if item.status == "skipped":
            return Verdict(resolved=item, status="skipped", reason=item.reason)
        if url.is_virtual and item.canonical not in self.registry:
            return Verdict(resolved=item, status="unknown", reason=item.reason)
        spec = url if url.version is not None else None
        if url.is_virtual and url.namespace == "compiler":
            # the canonical name: an alias such as obj-c is probed as objective-c
            return self.compiler(item, item.canonical.rsplit("/", 1)[-1], spec)
        if url.is_virtual and url.namespace == "driver":
            if url.name == "cuda":
                from extdeps.system.cuda import probe_cuda_driver  # noqa: PLC0415 - drivers only

                return _verdict(item, probe_cuda_driver(self.system), spec)
            if url.name == "rocm":
                from extdeps.system.gpus import probe_rocm_runtime  # noqa: PLC0415 - drivers only

                return _verdict(item, probe_rocm_runtime(self.system), spec)
            return Verdict(resolved=item, status="unknown", reason=f"no probe for {url.id}")
        if url.is_virtual:
            return self.interface(item, spec)
        if item.canonical == PYTHON_ID and self.choices.interpreter is not None:
            return self.python(item, spec)
        evidence = self.concrete(item.canonical, item.category, item.specs)
        if item.canonical == GLIBC_ID:
            # the C library this machine runs: first for a run-time requirement;
            # after the headers and packages for building (it still gives the version)
            from extdeps.system.facts import libc_evidence  # noqa: PLC0415 - glibc only

            libc = libc_evidence(self.system)
            evidence = [*libc, *evidence] if item.category == "run" else [*evidence, *libc]
        if not evidence:
            probe = self.probes.get(item.canonical)
            why = (
                f"nothing on a system can identify it: {probe.no_probe}"
                if probe is not None and probe.no_probe
                else "no probe data for it"
            )
            reason = f"{item.reason}; {why}" if item.reason else why
            return Verdict(resolved=item, status="unknown", reason=reason)
        return _verdict(item, evidence, spec)

    def python(self, item: Resolved, spec: DepURL | None) -> Verdict:
        """``dep:generic/python``: the target interpreter itself, and for ``host`` its
        headers (``Python.h`` in its ``sysconfig`` include directory)."""
        interpreter = self.choices.interpreter
        assert interpreter is not None
        version = interpreter.version
        where = f"{interpreter.path} ({version})"
        if item.category == "host":
            present, include = interpreter.headers()
            evidence = Evidence(
                source="interpreter",
                found=present,
                version=version if present else None,
                detail=f"Python.h of {where} in {include}"
                if present
                else f"no Python.h in {include}, the include directory of {where}",
            )
        else:
            evidence = Evidence(source="interpreter", found=True, version=version, detail=where)
        verdict = _verdict(item, [evidence], spec)
        if verdict.status != "missing":
            return verdict
        managed = interpreter.managed_by()
        if managed is not None and item.specs:
            reason = (
                f"{evidence.detail}; the {self.mapping.name} package "
                f"{', '.join(item.specs)} provides the headers of its Python"
            )
            return verdict.replace(reason=reason)
        reason = (
            f"{evidence.detail}: this Python was installed without its headers; reinstall it "
            "with them (python.org, pyenv and uv builds include them) or choose another "
            "with --python"
        )
        return verdict.replace(reason=reason, installable=False)

    def compiler(self, item: Resolved, language: str, spec: DepURL | None) -> Verdict:
        years: tuple[int, ...] = ()
        standards = standard_years(language)
        if spec is not None and standards:
            years = tuple(y for y in standards if spec.contains(str(y)))
            if not years:
                return Verdict(
                    resolved=item,
                    status="wrong-version",
                    reason=f"no {language} language standard known to extdeps is {spec.version} "
                    f"(known: {', '.join(map(str, standards))})",
                )
        evidence = probe_compiler(
            language, self.system, self.prober, years=years, thorough=self.thorough
        )
        test = [e for e in evidence if e.source == "compile-test"]
        compiler = evidence[0]
        provider = compiler.detail.split(" at ", 1)[0] if compiler.found else None
        if compiler.found and test and not test[0].found:
            status: Status = "wrong-version" if spec is not None else "missing"
            return Verdict(
                resolved=item,
                status=status,
                provider=provider,
                found_version=compiler.version,
                decided_by="compile-test",
                evidence=evidence,
                reason=test[0].detail,
            )
        if compiler.found and spec is not None and standards:
            return Verdict(
                resolved=item,
                status="satisfied",
                provider=provider,
                found_version=test[0].version if test else None,
                decided_by="compile-test",
                evidence=evidence,
            )
        status, version, source, reason = _decide(evidence[:1], spec)
        if status == "missing" and item.specs:
            evidence = evidence + self.package_evidence(item.specs)
        return Verdict(
            resolved=item,
            status=status,
            provider=provider,
            found_version=version,
            decided_by=source,
            evidence=evidence,
            reason=reason,
        )

    def interface(self, item: Resolved, spec: DepURL | None) -> Verdict:
        """A virtual interface is satisfied by an installed provider; a version on it
        is compared with the interface level that provider implements (read at run
        time), never with the provider's own version."""
        providers: list[str] = []
        if item.provider:
            providers.append(item.provider)
        for entry in self.mapping.alternatives(item.canonical):
            named = entry.extra_metadata.get("provider")
            if entry.specs_from:
                providers.append(entry.specs_from)
            elif isinstance(named, str):
                providers.append(named)
        providers.extend(self.registry.providers(item.canonical))
        evidence: list[Evidence] = []
        for provider in dict.fromkeys(providers):
            specs: Sequence[str] = ()
            if provider in self.mapping:
                specs = self.mapping.specs(provider, item.category) or ()
            found = self.concrete(provider, item.category, specs)
            status, _, source, _ = _decide(found, None)
            evidence.extend(found)
            if status != "satisfied":
                continue
            if spec is None:
                return Verdict(
                    resolved=item,
                    status="satisfied",
                    provider=provider,
                    decided_by=source,
                    evidence=found,
                )
            level = self.interface_level(item.requirement.url.name, provider)
            short = provider.rsplit("/", 1)[-1]
            name = item.requirement.url.name
            if level.found and level.version:
                if spec.contains(level.version):
                    return Verdict(
                        resolved=item,
                        status="satisfied",
                        provider=provider,
                        found_version=level.version,
                        decided_by=level.source,
                        evidence=[*found, level],
                    )
                return Verdict(
                    resolved=item,
                    status="wrong-version",
                    provider=provider,
                    found_version=level.version,
                    decided_by=level.source,
                    evidence=[*found, level],
                    reason=f"{short} implements {name} {level.version}, wanted {spec.version}",
                )
            return Verdict(
                resolved=item,
                status="unknown",
                provider=provider,
                decided_by=level.source,
                evidence=[*found, level],
                reason=f"{short} provides {name}, but the {name} level it implements cannot "
                f"be read: {level.detail}",
            )
        status, _, source, reason = _decide(evidence, None)
        if status == "satisfied":  # pragma: no cover - returned above
            status = "unknown"
        if not providers:
            reason = "no provider is known for it"
        if status == "missing" or not reason:
            short = ", ".join(p.rsplit("/", 1)[-1] for p in dict.fromkeys(providers))
            reason = f"no provider is installed (tried {short})"
        return Verdict(
            resolved=item,
            status=status,
            decided_by=source,
            evidence=evidence,
            reason=reason,
        )

    def interface_level(self, interface: str, provider: str) -> Evidence:
        """What the provider in use says of the interface level (see system.interfaces)."""
        if interface == "openmp":
            return openmp_level(self.system, compiler_path("c", self.system))
        probe = self.probes.get(provider)
        libraries = probe.libraries if probe is not None else ()
        return interface_level(self.system, interface, libraries)


def check(
    external: External,
    *,
    choices: Choices,
    system: System | None = None,
    registry: Registry | None = None,
    probes: Probes | None = None,
    categories: Iterable[Category] = CATEGORIES,
    extras: Iterable[str] = (),
    all_extras: bool = False,
    groups: Iterable[str] = (),
    thorough: bool = False,
    is_root: bool = False,
    strict_versions: bool = False,
) -> CheckReport:
    """Check the selected requirements of ``external`` on ``system`` (this machine)."""
    need(external, External, "external")
    need(choices, Choices, "choices")
    if system is not None:
        need(system, System, "system")
    if registry is not None:
        need(registry, Registry, "registry")
    system = system or System()
    registry = registry or load_registry()
    selected = select(
        external,
        categories=categories,
        extras=extras,
        all_extras=all_extras,
        groups=groups,
        environment=choices.marker_environment(),
        outcomes=choices.marker_outcomes(),
    )
    resolved = resolve(
        selected, registry=registry, mapping=choices.mapping, providers=choices.providers
    )
    checker = _Checker(
        system=system,
        registry=registry,
        choices=choices,
        probes=probes or load_probes(),
        thorough=thorough,
    )
    checker.start(resolved)
    try:
        verdicts = [checker.verdict(item) for item in resolved]
    finally:
        system.settle()
    unmet = [
        v.resolved for v in verdicts if v.status in ("missing", "wrong-version") and v.installable
    ]
    plan = (
        plan_install(unmet, checker.manager, is_root=is_root, strict_versions=strict_versions)
        if unmet
        else None
    )
    return CheckReport(
        verdicts=verdicts,
        ecosystem=choices.detection.ecosystem,
        mapping=choices.mapping.source,
        package_db=checker.db_reason,
        install=plan,
    )


def check_requirements(
    requirements: Iterable[str],
    *,
    category: Category = "run",
    extras: Iterable[str] = (),
    ecosystem: str | None = None,
    environment: Mapping[str, str] | None = None,
    system: System | None = None,
    choices: Choices | None = None,
) -> CheckReport:
    """The API for installers: check external dependency specifier strings.

    ``requirements`` are ``Requires-External-Dep`` values (markers with
    ``extra == ...`` included); ``extras`` are the extras being installed;
    ``environment`` is the marker environment of the target (default: this
    interpreter). The ecosystem is detected unless ``ecosystem`` or ``choices``
    say otherwise.
    """
    requirements = strings(requirements, "requirements")
    extras = strings(extras, "extras")
    optional_str(ecosystem, "ecosystem")
    if category not in CATEGORIES:
        raise ExtdepsError(f"unknown category {category!r}; expected build, host or run")
    if choices is not None:
        need(choices, Choices, "choices")
    from extdeps.choices import resolve_choices  # noqa: PLC0415
    from extdeps.model.metadata import external_from_metadata  # noqa: PLC0415

    if category == "run":
        external = external_from_metadata(list(requirements), (), source="<requirements>")
    else:
        from extdeps.model.requirement import ExternalRequirement  # noqa: PLC0415

        reqs = tuple(ExternalRequirement.parse(r) for r in requirements)
        field = {"build": "build_requires", "host": "host_requires"}[category]
        external = External(**{field: reqs})  # type: ignore[arg-type]
    if choices is None:
        choices = resolve_choices(ecosystem=ecosystem)
    if environment is not None:
        choices = choices.replace(environment=dict(environment))
    return check(external, choices=choices, system=system, categories=(category,), extras=extras)
