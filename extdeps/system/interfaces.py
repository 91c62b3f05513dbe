"""The interface level a provider in use implements, for ``dep:virtual/interface/*``.

A version on an interface is never a provider's package version (see
:mod:`extdeps.model.virtuals`). It is read from what a build would use:

``lapack``, ``lapacke``, ``blas``, ``cblas``
    ``ILAVER`` (LAPACK's own version routine) of the library the linker resolves
    for ``-llapack`` (``-llapacke``, ``-lblas``, ``-lcblas``), else of the
    provider's library. Called with :mod:`ctypes` in a separate Python process
    with a timeout, so a broken library can neither crash nor hang extdeps. A
    BLAS library without LAPACK has no ``ILAVER``: its level is unknown.
``openmp``
    the ``_OPENMP`` date the C compiler defines under ``-fopenmp``, read from its
    preprocessor, and the OpenMP specification that date announces.
``mpi``
    ``MPI_Get_version`` of the library the linker resolves for ``-lmpi``, called
    the same way (the MPI standard allows it before ``MPI_Init``).

Results are cached, keyed on the library's (or compiler's) identity and the
variables that choose it.
"""

from __future__ import annotations

import os
import sys

from extdeps.model.virtuals import OPENMP_DATES
from extdeps.system.probes import Evidence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from extdeps.system.machine import System

__all__ = ["find_library", "interface_level", "openmp_level"]

# the directories a linker searches for -lNAME, in its order (LIBRARY_PATH and a
# conda prefix come first)
_LINK_DIRS = (
    "/usr/local/lib/x86_64-linux-gnu",
    "/usr/local/lib/aarch64-linux-gnu",
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/local/lib64",
    "/usr/local/lib",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
)
_LINK_NAMES = {
    "lapack": ("liblapack.so",),
    "lapacke": ("liblapacke.so",),
    "blas": ("libblas.so",),
    "cblas": ("libcblas.so", "libblas.so"),
    "mpi": ("libmpi.so",),
}

# Run in a child interpreter: prints "<version>" or "error: <reason>".
_ILAVER = r"""
import ctypes, sys
try:
    lib = ctypes.CDLL(sys.argv[1])
except OSError as exc:
    print("error: cannot load it: %s" % exc); sys.exit(0)
for name in ("ilaver_", "ilaver", "ILAVER", "ilaver64_"):
    try:
        function = getattr(lib, name)
        break
    except AttributeError:
        continue
else:
    print("error: it has no ILAVER (no LAPACK in it)"); sys.exit(0)
# 64-bit cells: an ILP64 build writes 8 bytes, an LP64 one 4 (little-endian reads both)
kind = ctypes.c_int64 if sys.byteorder == "little" else ctypes.c_int
cells = [kind(0), kind(0), kind(0)]
function(*(ctypes.byref(c) for c in cells))
print("%d.%d.%d" % tuple(c.value for c in cells))
"""
_MPI = r"""
import ctypes, sys
try:
    lib = ctypes.CDLL(sys.argv[1])
except OSError as exc:
    print("error: cannot load it: %s" % exc); sys.exit(0)
try:
    function = lib.MPI_Get_version
except AttributeError:
    print("error: it has no MPI_Get_version"); sys.exit(0)
version, subversion = ctypes.c_int(0), ctypes.c_int(0)
if function(ctypes.byref(version), ctypes.byref(subversion)) != 0:
    print("error: MPI_Get_version failed"); sys.exit(0)
print("%d.%d" % (version.value, subversion.value))
"""


def _link_dirs(system: System) -> list[str]:
    env = system.environ
    dirs = [d for d in env.get("LIBRARY_PATH", "").split(os.pathsep) if d]
    if env.get("CONDA_PREFIX"):
        dirs.append(os.path.join(env["CONDA_PREFIX"], "lib"))
    return list(dict.fromkeys([*dirs, *_LINK_DIRS]))


def find_library(system: System, names: Sequence[str]) -> str | None:
    """The first of ``names`` (file names such as ``liblapack.so``) in the
    directories the linker searches, as a path here; symbolic links are kept."""
    for name in names:
        for directory in _link_dirs(system):
            candidate = os.path.join(system.path(directory), name)
            if os.path.isfile(candidate):
                return candidate
    return None


def _call(system: System, script: str, library: str, kind: str) -> tuple[str | None, str]:
    """(version or None, detail): run ``script`` on ``library`` in a child, cached."""
    key = system.fingerprint(library) + f"\0{kind}\0{sys.version}"
    cached = system.cache.get("interface", key)
    if type(cached) is list and len(cached) == 2 and type(cached[1]) is str:
        return (cached[0] if type(cached[0]) is str else None), cached[1]
    done = system.run([sys.executable, "-I", "-c", script, library], timeout=20)
    out = done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else []
    text = out[0] if out else ""
    if done.returncode is None:
        return None, f"the {kind} probe could not run: {done.error}"
    if done.returncode != 0:
        return None, f"the {kind} probe crashed loading {library} (exit code {done.returncode})"
    if text.startswith("error: ") or not text:
        result: tuple[str | None, str] = (
            None,
            f"{library}: {text.removeprefix('error: ') or 'no output'}",
        )
    else:
        result = (text, f"{kind}() = {text} from {os.path.realpath(library)}")
    system.cache.put("interface", key, list(result), keep=64)
    return result


def interface_level(
    system: System, interface: str, provider_libraries: Sequence[str] = ()
) -> Evidence:
    """The LAPACK level (``ILAVER``) or MPI standard (``MPI_Get_version``) of the
    library in use for ``interface``; ``found`` is None when it cannot be read."""
    source = "MPI_Get_version" if interface == "mpi" else "ILAVER"
    if interface not in _LINK_NAMES:
        return Evidence(
            source="interface",
            found=None,
            detail=f"no runtime probe reads the {interface} interface level",
        )
    library = find_library(system, _LINK_NAMES[interface])
    if library is None:
        library = find_library(system, provider_libraries)
    if library is None:
        names = ", ".join((*_LINK_NAMES[interface], *provider_libraries))
        return Evidence(
            source=source,
            found=None,
            detail=f"no library to ask for the {interface} level (looked for {names})",
        )
    version, detail = _call(system, _MPI if interface == "mpi" else _ILAVER, library, source)
    return Evidence(source=source, found=True if version else None, version=version, detail=detail)


def openmp_level(system: System, compiler: str | None) -> Evidence:
    """The OpenMP specification the compiler implements under ``-fopenmp``."""
    if compiler is None:
        return Evidence(source="_OPENMP", found=None, detail="no C compiler to ask for _OPENMP")
    env = system.environ
    key = system.fingerprint(compiler) + repr(
        [env.get(v) for v in ("CPATH", "C_INCLUDE_PATH", "GCC_EXEC_PREFIX", "COMPILER_PATH")]
    )
    cached = system.cache.get("openmp", key)
    if type(cached) is list and len(cached) == 2 and type(cached[1]) is str:
        date = cached[0] if type(cached[0]) is str else None
        why = cached[1]
    else:
        done = system.run([compiler, "-fopenmp", "-dM", "-E", "-x", "c", os.devnull], timeout=30)
        date = None
        why = ""
        if done.returncode is None:
            return Evidence(
                source="_OPENMP", found=None, detail=f"{compiler} could not run: {done.error}"
            )
        for line in done.stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[:2] == ["#define", "_OPENMP"] and parts[2].isdigit():
                date = parts[2]
        if date is None:
            lines = done.stderr.strip().splitlines()
            why = lines[-1][:160] if lines else "_OPENMP is not defined"
        system.cache.put("openmp", key, [date, why], keep=16)
    if date is None:
        return Evidence(
            source="_OPENMP",
            found=False,
            detail=f"{compiler} -fopenmp does not define _OPENMP: {why}",
        )
    known = [d for d in sorted(OPENMP_DATES) if d <= date]
    spec = OPENMP_DATES[known[-1]] if known else None
    return Evidence(
        source="_OPENMP",
        found=True,
        version=spec,
        detail=f"{compiler} -fopenmp defines _OPENMP {date}"
        + (f" (OpenMP {spec})" if spec else " (an OpenMP date extdeps does not know)"),
    )
