"""What a version means on a virtual DepURL: one meaning for every command.

A version on ``dep:virtual/...`` is never a package's version. Each virtual has a
*scheme*:

``standard-year``  the year of a language standard: ``dep:virtual/compiler/c@>=2011``
                   accepts C11 and later (C, C++, Fortran);
``release``        the compiler's own release: ``dep:virtual/compiler/rust@>=1.70``;
``interface``      the version of the interface's standard or reference
                   implementation: Reference LAPACK for BLAS, CBLAS, LAPACK,
                   LAPACKE and ScaLAPACK, the OpenMP specification, the MPI standard;
``api-level``      the API level a driver supports: for ``dep:virtual/driver/cuda``
                   the highest CUDA version the driver can run (conda's ``__cuda``),
                   for ``dep:virtual/driver/rocm`` the HIP runtime's ``major.minor``
                   (which follows the ROCm release: ROCm 6.2 has HIP 6.2).

:func:`version_problem` tells whether the versions on a DepURL can mean anything
for its scheme. An ``error`` is refused by the parser (``validate`` exits 2); a
``warning`` is plausible but unusual and only ``lint`` reports it.
"""

from __future__ import annotations

from extdeps.model.versions import InvalidVersion, parse_version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from packaging.version import Version

    from extdeps.model.versions import Release

    Kind = Literal["standard-year", "release", "interface", "api-level"]
    Severity = Literal["error", "warning"]

__all__ = [
    "OPENMP_DATES",
    "STANDARD_YEARS",
    "YEAR_LANGUAGES",
    "describe",
    "scheme",
    "version_problem",
]

# languages whose compiler versions are standard years, with their display names
YEAR_LANGUAGES = {"c": "C", "cxx": "C++", "fortran": "Fortran"}
# the standards of each year language, as years (C17 is 2017, Fortran 77 is 1977)
STANDARD_YEARS: dict[str, tuple[int, ...]] = {
    "c": (1989, 1990, 1999, 2011, 2017, 2023),
    "cxx": (1998, 2003, 2011, 2014, 2017, 2020, 2023),
    "fortran": (1977, 1990, 1995, 2003, 2008, 2018),
}
# the _OPENMP macro's date -> the OpenMP specification it announces
OPENMP_DATES = {
    "199810": "1.0",
    "200011": "2.0",
    "200203": "2.0",
    "200505": "2.5",
    "200805": "3.0",
    "201107": "3.1",
    "201307": "4.0",
    "201511": "4.5",
    "201811": "5.0",
    "202011": "5.1",
    "202111": "5.2",
    "202411": "6.0",
}
_EXAMPLE = {
    "c": ">=2011 accepts C11",
    "cxx": ">=2011 accepts C++11",
    "fortran": ">=2008 accepts Fortran 2008",
}
_LAPACK_LIKE = frozenset({"blas", "cblas", "lapack", "lapacke", "scalapack"})
_DESCRIPTION: dict[str, str] = {
    "standard-year": "a language standard year",
    "release": "a compiler release",
    "interface": "an interface version",
    "api-level": "a driver API level",
}


def scheme(namespace: str | None, name: str) -> Kind:
    """The version scheme of ``dep:virtual/<namespace>/<name>``."""
    if namespace == "compiler":
        return "standard-year" if name in YEAR_LANGUAGES else "release"
    if namespace == "driver":
        return "api-level"
    return "interface"


def describe(kind: Kind) -> str:
    """``kind`` in words, for messages: "an interface version"."""
    return _DESCRIPTION[kind]


def _replace(url_text: str, version: str | None, old: str, new: str) -> str:
    if version is None:
        return url_text
    return url_text.replace(f"@{version}", "@" + version.replace(old, new), 1)


def version_problem(
    namespace: str | None, name: str, versions: list[str], *, url: str = "", version: str = ""
) -> tuple[Severity, str, str | None] | None:
    """(severity, message, hint) when ``versions`` cannot mean, or hardly mean, a
    version of this virtual; ``None`` when they are fine. ``url`` and ``version``
    (the DepURL and its version text) are only used to word the hint."""
    parsed: list[Version | Release] = []
    for text in versions:
        try:
            parsed.append(parse_version(text))
        except InvalidVersion:
            return None  # the parser reports that
    if namespace == "compiler" and name in YEAR_LANGUAGES:
        bad = [v for v in parsed if not (len(v.release) == 1 and 1950 <= v.release[0] <= 2100)]
        if not bad:
            return None
        lang = YEAR_LANGUAGES[name]
        first = bad[0]
        short = first.release[0] if len(first.release) == 1 else -1
        year = short + (2000 if short < 50 else 1900)
        if 0 <= short < 100 and year in STANDARD_YEARS[name]:
            fixed = _replace(url, version, str(first), str(year))
            hint = f"{lang}{short:02d} is {year}: write '{fixed}'"
        else:
            hint = (
                "to require a compiler release, name the compiler, "
                f"e.g. 'dep:generic/gcc@>={first}'"
            )
        return (
            "error",
            f"versions of dep:virtual/compiler/{name} are {lang} standard years "
            f"({_EXAMPLE[name]}), not '{first}'",
            hint,
        )
    majors = [(v, v.release[0]) for v in parsed]
    if namespace == "compiler" and name in ("rust", "go"):
        if any(m >= 1000 for _, m in majors):
            bad_v = next(v for v, m in majors if m >= 1000)
            return (
                "error",
                f"{name} versions are releases (1.70), not years or editions ('{bad_v}')",
                "require the release that brought what you need",
            )
        odd = [v for v, m in majors if m != 1]
        if odd:
            return (
                "warning",
                f"{name} versions are 1.x releases, not '{odd[0]}'",
                "editions and years are not versions; require the release that has them",
            )
        return None
    if namespace in ("driver", "compiler") and name == "cuda":
        bad = [v for v, m in majors if not 1 <= m < 100]
        if bad:
            return (
                "error",
                f"CUDA versions are CUDA releases (12.4), not '{bad[0]}'",
                "a driver release number (535.104) is not a CUDA version",
            )
        return None
    if namespace == "driver" and name == "rocm":
        bad = [v for v, m in majors if not 1 <= m < 100]
        if bad:
            return (
                "error",
                f"ROCm versions are ROCm (HIP runtime) releases (6.2), not '{bad[0]}'",
                "a kernel driver or amdgpu package version is not a ROCm version",
            )
        return None
    if namespace != "interface":
        return None
    if name in _LAPACK_LIKE:
        bad = [v for v, m in majors if not 1 <= m < 10]
        if bad:
            return (
                "error",
                f"{name} interface versions are Reference LAPACK releases (3.x), not '{bad[0]}'",
                "to require a release of one implementation, name it: 'dep:generic/openblas'",
            )
        odd = [v for v, m in majors if m != 3]
        if odd:
            return (
                "warning",
                f"{name} interface versions follow Reference LAPACK (3.x), not '{odd[0]}'",
                "to require a release of one implementation, name it: 'dep:generic/openblas'",
            )
        return None
    if name == "openmp":
        bad = [v for v, m in majors if not 1 <= m < 10]
        if bad:
            spec = OPENMP_DATES.get(str(bad[0]))
            hint = "use the OpenMP specification version"
            if spec:
                fixed = _replace(url, version, str(bad[0]), spec)
                hint = f"_OPENMP {bad[0]} is OpenMP {spec}: write '{fixed}'"
            return (
                "error",
                f"OpenMP versions are specification versions (4.5, 5.0), not '{bad[0]}'",
                hint,
            )
        return None
    if name == "mpi":
        bad = [v for v, m in majors if not 1 <= m < 10]
        if bad:
            return (
                "error",
                f"MPI versions are standard versions (3.1, 4.0), not '{bad[0]}'",
                "to require a release of one implementation, name it: 'dep:generic/openmpi'",
            )
    return None
