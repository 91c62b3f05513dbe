"""The machine's virtual facts, named as conda's virtual packages name them.

============  ==========================================================  ==============
fact          what it is                                                  read from
============  ==========================================================  ==============
``__cuda``    the highest CUDA version the NVIDIA driver supports         :mod:`.cuda`
``__glibc``   the running GNU C library (``musl`` on a musl system)       ``confstr``
``__linux``   the kernel release, its leading numbers                     ``uname``
``__osx``     the macOS version                                           ``platform``
``__archspec`` the CPU microarchitecture (``x86_64_v3``, ``zen3``)         ``archspec``
``rocm``      the ROCm (HIP) runtime level; conda has no name for it      :mod:`.gpus`
============  ==========================================================  ==============

Each can be overridden, extdeps' variable first, then conda's:
``EXTDEPS_OVERRIDE_<NAME>`` and ``CONDA_OVERRIDE_<NAME>`` (``CUDA``, ``GLIBC``,
``LINUX``, ``OSX``, ``ARCHSPEC``; ``ROCM`` has only extdeps' variable). A value
sets the fact, an empty value removes it, as in conda; an override applies on
any platform (a build machine describing its target). A fact nobody can read
is ``found: None`` with the reason: ``archspec`` missing (an optional
dependency, ``pip install 'extdeps[detect]'``) is a reason, never a traceback.

``archspec`` is imported only here, and its answer is cached under the boot's
id (``/proc/sys/kernel/random/boot_id``: a CPU does not change while the
machine runs) and the installed archspec's files; without a boot id it is not
cached. The GPU libraries are loaded in child processes, and only when found.
"""

from __future__ import annotations

import os
import sys

from extdeps.model.errors import InputError
from extdeps.model.record import Record
from extdeps.system.cuda import probe_cuda_driver
from extdeps.system.gpus import Gpu, nvidia_gpus, probe_rocm_runtime, valid_level

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    from extdeps.system.machine import System
    from extdeps.system.probes import Evidence

# a plain string: type checkers would otherwise decide the other platforms' branches
_PLATFORM: str = sys.platform

__all__ = ["OVERRIDES", "Fact", "Facts", "libc_evidence", "machine_facts", "override"]

# fact -> the variables that override it, first that is set wins
OVERRIDES: dict[str, tuple[str, ...]] = {
    "cuda": ("EXTDEPS_OVERRIDE_CUDA", "CONDA_OVERRIDE_CUDA"),
    "glibc": ("EXTDEPS_OVERRIDE_GLIBC", "CONDA_OVERRIDE_GLIBC"),
    "linux": ("EXTDEPS_OVERRIDE_LINUX", "CONDA_OVERRIDE_LINUX"),
    "osx": ("EXTDEPS_OVERRIDE_OSX", "CONDA_OVERRIDE_OSX"),
    "archspec": ("EXTDEPS_OVERRIDE_ARCHSPEC", "CONDA_OVERRIDE_ARCHSPEC"),
    "rocm": ("EXTDEPS_OVERRIDE_ROCM",),
}
_WHAT = {
    "cuda": ("a CUDA version", "the driver's CUDA level (12.4)"),
    "glibc": ("a glibc version", "the C library's version (2.28)"),
    "linux": ("a kernel version", "the kernel's release numbers (5.15)"),
    "osx": ("a macOS version", "the macOS version (14.2)"),
    "archspec": ("a microarchitecture", "an archspec name (x86_64_v3, zen3, m1)"),
    "rocm": ("a ROCm version", "the HIP runtime's level (6.2)"),
}


class Fact(Record):
    """One virtual fact: ``found`` True (``value`` set, or unknown), False (the
    machine has none), None (nothing could tell; ``detail`` says why)."""

    __slots__ = ("name", "value", "found", "source", "detail")
    name: str
    value: str | None
    found: bool | None
    source: str
    detail: str

    def __init__(
        self, *, name: str, found: bool | None, source: str, detail: str, value: str | None = None
    ) -> None:
        self._set(name=name, value=value, found=found, source=source, detail=detail)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "found": self.found,
            "source": self.source,
            "detail": self.detail,
        }


class Facts(Record):
    """Everything :func:`machine_facts` found."""

    __slots__ = ("virtual_packages", "gpus", "notes")
    virtual_packages: tuple[Fact, ...]
    gpus: tuple[Gpu, ...]
    notes: tuple[str, ...]

    def __init__(
        self, *, virtual_packages: Iterable[Fact], gpus: Iterable[Gpu], notes: Iterable[str]
    ) -> None:
        self._set(virtual_packages=tuple(virtual_packages), gpus=tuple(gpus), notes=tuple(notes))

    def get(self, name: str) -> Fact | None:
        return next((f for f in self.virtual_packages if f.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "virtual_packages": [f.to_dict() for f in self.virtual_packages],
            "gpus": [g.to_dict() for g in self.gpus],
            "notes": list(self.notes),
        }


def _valid(key: str, value: str) -> bool:
    if key == "archspec":
        return 0 < len(value) <= 40 and all(c.isalnum() or c in "_-" for c in value)
    return valid_level(value)


def override(system: System, key: str) -> tuple[str, str] | None:
    """(variable, value) of the override in effect for fact ``key``; a value that
    cannot be one is an error (exit 2) naming the variable."""
    for variable in OVERRIDES[key]:
        raw = system.environ.get(variable)
        if raw is None:
            continue
        value = raw.strip()
        if value and not _valid(key, value):
            what, hint = _WHAT[key]
            raise InputError(
                f"{variable}={value!r} is not {what}",
                hint=f"set it to {hint}, or to an empty value for none",
            )
        return variable, value
    return None


def _from_override(name: str, chosen: tuple[str, str]) -> Fact:
    variable, value = chosen
    if not value:
        return Fact(name=name, found=False, source="override", detail=f"{variable} is empty")
    return Fact(name=name, found=True, value=value, source="override", detail=f"{variable}={value}")


def _from_evidence(name: str, evidence: Sequence[Evidence]) -> Fact:
    """A fact from probe evidence: the first with a version, else the first found,
    else absent or unknown with every reason."""
    found = [e for e in evidence if e.found]
    with_version = [e for e in found if e.version]
    if with_version:
        e = with_version[0]
        return Fact(name=name, found=True, value=e.version, source=e.source, detail=e.detail)
    if found:
        e = found[0]
        return Fact(name=name, found=True, source=e.source, detail=e.detail)
    detail = "; ".join(e.detail for e in evidence) or "nothing could tell"
    absent = any(e.found is False for e in evidence)
    source = evidence[0].source if evidence else "none"
    return Fact(name=name, found=False if absent else None, source=source, detail=detail)


# -- the C library ----------------------------------------------------------------------


def _musl_version(system: System) -> tuple[str | None, str] | None:
    """(version, the loader) of a musl system, None when it is not one."""
    import glob  # noqa: PLC0415 - musl systems only

    loaders = sorted(glob.glob(system.path("/lib/ld-musl-*.so.1")))
    if not loaders:
        return None
    # the loader run by itself prints its version on stderr (and exits 1)
    done = system.run([loaders[0]], timeout=5)
    for line in (done.stderr or "").splitlines():
        if line.startswith("Version "):
            version = line.split()[1]
            return (version if valid_level(version) else None), loaders[0]
    return None, loaders[0]


def _libc(system: System) -> Fact:
    chosen = override(system, "glibc")
    if chosen is not None:
        return _from_override("__glibc", chosen)
    if system.root not in ("", "/"):
        return Fact(
            name="__glibc",
            found=None,
            source="libc",
            detail="the C library is only read on the running system (not under --root)",
        )
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):
        text = ""
    family, _, version = text.partition(" ")
    if family == "glibc" and valid_level(version):
        return Fact(
            name="__glibc",
            found=True,
            value=version,
            source="libc",
            detail=f"gnu_get_libc_version() = {version} (the running C library)",
        )
    musl = _musl_version(system) if sys.platform.startswith("linux") else None
    if musl is not None:
        musl_version, loader = musl
        shown = f" {musl_version}" if musl_version else ""
        return Fact(
            name="musl",
            found=True,
            value=musl_version,
            source="musl",
            detail=f"the C library is musl{shown} ({loader})",
        )
    return Fact(name="__glibc", found=False, source="libc", detail="the C library is not glibc")


def libc_evidence(system: System) -> list[Evidence]:
    """Evidence for ``dep:generic/glibc`` from the running C library (or the
    override): empty when it cannot tell (another root), so that the other
    probes decide."""
    from extdeps.system.probes import Evidence  # noqa: PLC0415

    fact = _libc(system)
    if fact.found is None:
        return []
    if fact.name != "__glibc":
        return [Evidence(source="libc", found=False, detail=fact.detail)]
    return [Evidence(source=fact.source, found=fact.found, version=fact.value, detail=fact.detail)]


# -- the kernel, macOS, the CPU ------------------------------------------------------------


def _leading_numbers(release: str) -> str:
    """``6.1.0-18-amd64`` -> ``6.1.0``: the version conda's ``__linux`` reports."""
    end = 0
    while end < len(release) and (release[end].isdigit() or release[end] == "."):
        end += 1
    return release[:end].strip(".")


def _linux(system: System) -> Fact | None:
    chosen = override(system, "linux")
    if chosen is not None:
        return _from_override("__linux", chosen)
    if not sys.platform.startswith("linux"):
        return None
    release = os.uname().release
    version = _leading_numbers(release)
    return Fact(
        name="__linux",
        found=True,
        value=version or None,
        source="uname",
        detail=f"uname -r: {release}",
    )


def _osx(system: System) -> Fact | None:
    chosen = override(system, "osx")
    if chosen is not None:
        return _from_override("__osx", chosen)
    if _PLATFORM != "darwin":
        return None
    import platform  # noqa: PLC0415 - macOS only

    version = platform.mac_ver()[0]
    return Fact(
        name="__osx",
        found=bool(version) or None,
        value=version or None,
        source="platform",
        detail=f"platform.mac_ver() = {version!r}",
    )


def _archspec_init() -> str | None:
    """Where the importable ``archspec`` package is, without importing it."""
    for entry in sys.path:
        candidate = os.path.join(entry or ".", "archspec", "__init__.py")
        if os.path.isfile(candidate):
            return candidate
    return None


def _archspec(system: System) -> Fact:
    chosen = override(system, "archspec")
    if chosen is not None:
        return _from_override("__archspec", chosen)
    init = _archspec_init()
    if init is None:
        return Fact(
            name="__archspec",
            found=None,
            source="archspec",
            detail="the archspec package is not installed: pip install 'extdeps[detect]'",
        )
    boot = (system.read_text("/proc/sys/kernel/random/boot_id") or "").strip()
    key = f"{boot}|{system.fingerprint(init)}|{sys.version}" if boot else None
    cached = system.cache.get("archspec", key) if key else None
    if type(cached) is str:
        name = cached
    else:
        try:
            import archspec.cpu  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415

            name = str(archspec.cpu.host().name)
        except Exception as exc:  # a third-party probe must not crash the command
            return Fact(
                name="__archspec",
                found=None,
                source="archspec",
                detail=f"archspec could not name this CPU: {type(exc).__name__}: {exc}"[:200],
            )
        if key:
            system.cache.put("archspec", key, name, keep=4)
    return Fact(
        name="__archspec", found=True, value=name, source="archspec", detail="archspec.cpu.host()"
    )


# -- everything ---------------------------------------------------------------------------


def machine_facts(system: System) -> Facts:
    """Every virtual fact of the machine, the GPUs and notes on what is unknown."""
    facts = [_from_evidence("__cuda", probe_cuda_driver(system)), _libc(system)]
    for probe in (_linux, _osx):
        fact = probe(system)
        if fact is not None:
            facts.append(fact)
    facts.append(_archspec(system))
    rocm = _from_evidence("rocm", probe_rocm_runtime(system))
    if rocm.found is not False or rocm.source == "override":
        facts.append(rocm)
    gpus, note = nvidia_gpus(system)
    notes = [note] if note else []
    if rocm.found is False and rocm.source != "override":
        notes.append(f"no ROCm: {rocm.detail}")
    return Facts(virtual_packages=facts, gpus=gpus, notes=notes)
