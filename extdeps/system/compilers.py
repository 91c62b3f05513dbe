"""Compiler probes for ``dep:virtual/compiler/*``.

The compiler is the one a build would use: the language's environment variable
(``CC``, ``CXX``, ``FC``…) when set, else the first conventional name on
``PATH``. Its version comes from ``--version``. A version on the DepURL is a
language-standard year for C, C++ and Fortran (PEP 804 appendix B:
``dep:virtual/compiler/c@>=2011`` accepts C11): then, or with ``thorough``, a
trivial program is compiled with the matching ``-std=`` flag. Compile results
are cached on disk, keyed by the compiler's path, size and modification time.
"""

from __future__ import annotations

import os

from extdeps.model.virtuals import STANDARD_YEARS
from extdeps.system.machine import System
from extdeps.system.probes import Evidence, Prober

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["compiler_path", "probe_compiler", "standard_years", "start_compiler_probe"]

# language -> (environment variable, names to try, source suffix, test program)
_LANGUAGES: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "c": ("CC", ("cc", "gcc", "clang"), ".c", "int main(void) { return 0; }\n"),
    "cxx": ("CXX", ("c++", "g++", "clang++"), ".cpp", "int main() { return 0; }\n"),
    "fortran": (
        "FC",
        ("gfortran", "flang-new", "flang", "ifx"),
        ".f90",
        "program main\nend program main\n",
    ),
    "objective-c": ("OBJC", ("cc", "gcc", "clang"), ".m", "int main(void) { return 0; }\n"),
    "objective-cxx": ("OBJCXX", ("c++", "g++", "clang++"), ".mm", "int main() { return 0; }\n"),
    "rust": ("RUSTC", ("rustc",), ".rs", "fn main() {}\n"),
    "go": ("GO", ("go",), "", ""),
    "cuda": ("CUDACXX", ("nvcc",), ".cu", "int main() { return 0; }\n"),
    "zig": ("ZIG", ("zig",), "", ""),
    "d": ("DC", ("ldc2", "gdc", "dmd"), "", ""),
    "hip": ("HIPCXX", ("hipcc",), "", ""),
}
# standard year -> -std= flag (the years are those of model.virtuals.STANDARD_YEARS)
_STANDARDS: dict[str, dict[int, str]] = {
    "c": {1989: "c89", 1990: "c90", 1999: "c99", 2011: "c11", 2017: "c17", 2023: "c2x"},
    "cxx": {
        1998: "c++98",
        2003: "c++03",
        2011: "c++11",
        2014: "c++14",
        2017: "c++17",
        2020: "c++20",
        2023: "c++23",
    },
    # gfortran has no -std for FORTRAN 77 or Fortran 90: 'legacy' accepts both
    "fortran": {
        1977: "legacy",
        1990: "legacy",
        1995: "f95",
        2003: "f2003",
        2008: "f2008",
        2018: "f2018",
    },
}


def _candidates(language: str, system: System) -> list[tuple[str, str]]:
    """(label, path) of the compilers to consider, the configured one first."""
    var, names, _, _ = _LANGUAGES[language]
    configured = system.environ.get(var, "").strip()
    out: list[tuple[str, str]] = []
    if configured:
        import shlex  # noqa: PLC0415 - only when CC and friends are set

        words = shlex.split(configured)
        if words:
            path = system.which(words[0])
            if path:
                out.append((f"${var}", path))
            return out  # an explicit choice is not second-guessed
    for name in names:
        path = system.which(name)
        if path:
            out.append((name, path))
    return out


def _version_args(language: str) -> tuple[str, ...]:
    return ("version",) if language == "go" else ("--version",)


def start_compiler_probe(language: str, system: System, prober: Prober) -> None:
    """Begin the version query :func:`probe_compiler` will make (see
    :meth:`System.start`)."""
    path = compiler_path(language, system)
    if path is not None:
        prober.start_version(path, _version_args(language), None)


def compiler_path(language: str, system: System) -> str | None:
    """The compiler a build of ``language`` would use ($CC and friends first), or None."""
    if language not in _LANGUAGES:
        return None
    candidates = _candidates(language, system)
    return candidates[0][1] if candidates else None


def _standard_flag(language: str, years: Sequence[int]) -> tuple[int, str] | None:
    table = _STANDARDS.get(language)
    if not table:
        return None
    for year in sorted(table):
        if year in years:
            return year, table[year]
    return None


def _compiles(
    system: System, language: str, compiler: str, flag: str | None
) -> tuple[bool, str] | None:
    """Compile a trivial program; ``None`` when the language has no test program."""
    _, _, suffix, program = _LANGUAGES[language]
    if not program:
        return None
    key = system.fingerprint(compiler) + f"\0{language}\0{flag}"
    cached = system.cache.get("compile", key)
    if isinstance(cached, list) and len(cached) == 2:
        return bool(cached[0]), str(cached[1])
    import tempfile  # noqa: PLC0415 - only on a cache miss

    with tempfile.TemporaryDirectory(prefix="extdeps-") as tmp:
        source = os.path.join(tmp, f"probe{suffix}")
        with open(source, "w", encoding="utf-8") as handle:
            handle.write(program)
        output = os.path.join(tmp, "probe.out")
        if language == "rust":
            argv = [compiler, source, "-o", output]
        else:
            argv = [compiler]
            if flag:
                argv.append(f"-std={flag}")
            if language == "objective-c":
                argv += ["-x", "objective-c"]
            elif language == "objective-cxx":
                argv += ["-x", "objective-c++"]
            argv += [source, "-o", output]
        done = system.run(argv, timeout=60)
    ok = done.ok
    message = (done.error or done.stderr.strip().splitlines()[-1:] or [""])[0] if not ok else ""
    result = (ok, str(message)[:200])
    system.cache.put("compile", key, list(result), keep=128)
    return result


def probe_compiler(
    language: str,
    system: System,
    prober: Prober,
    *,
    years: Sequence[int] = (),
    thorough: bool = False,
) -> list[Evidence]:
    """Evidence for a compiler of ``language``; ``years`` are standards a version
    constraint admits (the smallest one is compiled)."""
    if language not in _LANGUAGES:
        return [
            Evidence(source="compiler", found=None, detail=f"no probe for {language} compilers")
        ]
    candidates = _candidates(language, system)
    if not candidates:
        var, names, _, _ = _LANGUAGES[language]
        configured = system.environ.get(var)
        detail = (
            f"${var}={configured} is not an executable"
            if configured
            else f"no {language} compiler on PATH (tried {', '.join(names)}; set ${var})"
        )
        return [Evidence(source="compiler", found=False, detail=detail)]
    label, path = candidates[0]
    evidence = prober.executable_version(path, _version_args(language), None, label)
    result = [
        Evidence(source="compiler", found=True, version=evidence.version, detail=evidence.detail)
    ]
    flag = _standard_flag(language, years) if years else None
    if years and flag is None and language in _STANDARDS:
        result.append(
            Evidence(
                source="compile-test",
                found=False,
                detail=f"no {language} standard year in {sorted(years)[:3]}... is known",
            )
        )
        return result
    if flag or thorough:
        compiled = _compiles(system, language, path, flag[1] if flag else None)
        if compiled is not None:
            ok, message = compiled
            what = f"-std={flag[1]}" if flag else "a trivial program"
            result.append(
                Evidence(
                    source="compile-test",
                    found=ok,
                    version=str(flag[0]) if flag and ok else None,
                    detail=f"{path} compiled {what}" if ok else f"{path} failed {what}: {message}",
                )
            )
    return result


def standard_years(language: str) -> tuple[int, ...]:
    """The standard years of a language (:data:`extdeps.model.virtuals.STANDARD_YEARS`)."""
    return STANDARD_YEARS.get(language, ())
