"""``extdeps scan``: propose an ``[external]`` table from a project's build files.

Readers (plain functions on text, tested on captured strings):

- ``meson.build`` (and the files its ``subdir()`` calls name): ``project()`` and
  ``add_languages()`` languages, ``dependency()``, ``find_program()``,
  ``<compiler>.find_library()``; string variables and ``get_option()`` defaults
  from ``meson.options``/``meson_options.txt`` are followed. When ``meson`` is
  installed, ``meson introspect --scan-dependencies`` adds what the reader missed;
  when it is missing or fails, the reader's answer stands.
- ``CMakeLists.txt`` (and ``add_subdirectory()``): ``project()`` and
  ``enable_language()`` languages, ``find_package()``, ``pkg_check_modules()``,
  ``pkg_search_module()``, ``find_program()``, ``find_library()``.
- ``setup.py`` (read with :mod:`ast`, never run) and ``setup.cfg``: extension
  modules (a compiler per source language) and ``libraries=[...]``.
- ``Cargo.toml``: a Rust compiler, and ``*-sys`` crates as libraries.

Each name goes through one table of build-system names (pkg-config modules,
CMake packages, linker names, programs; :func:`extdeps.authoring.names.lookup_name`, which
lint's "did you mean" shares) to a registry id. Names that need no
entry (the C toolchain, Python itself, PyPI packages) and names nobody knows
are kept as comments in the output, never dropped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from extdeps.authoring.buildfiles import LANGUAGES, Use, read_file
from extdeps.authoring.buildfiles.cargo import parse_cargo
from extdeps.authoring.buildfiles.cmake import parse_cmake
from extdeps.authoring.buildfiles.meson import meson_command, parse_meson, run_meson_scan
from extdeps.authoring.buildfiles.setuptools import parse_setup_cfg, parse_setup_py
from extdeps.authoring.lint import category_of
from extdeps.authoring.names import lookup_name
from extdeps.model.errors import InputError

if TYPE_CHECKING:
    from extdeps.data.registry import Registry
    from extdeps.model.external import External
    from extdeps.system.machine import System

__all__ = ["Difference", "Entry", "Note", "ScanResult", "compare", "resolve", "scan"]

_NOTES = {
    "=toolchain": "part of the C toolchain; no entry needed",
    "=python": "Python's headers are implied by a compiler entry (PEP 725); no entry needed",
    "=pypi": "a PyPI package: list it in [build-system] requires",
    "=language": "no compiler DepURL for this language; add one by hand",
    "=unknown": "not a known name; find its DepURL and add it by hand",
}
# Tools a build system needs anyway: declared, they are not "unused" in --diff.
_IMPLIED_TOOLS = frozenset(
    f"dep:generic/{n}" for n in ("cmake", "meson", "ninja", "make", "pkg-config", "ccache")
)


# -- from names to DepURLs -------------------------------------------------------

_TOOLS = frozenset(
    f"dep:generic/{n}"
    for n in (  # noqa: SIM905 - a word list reads better than one name a line
        "pkg-config ninja cmake meson swig bison flex git doxygen perl patchelf nasm yasm "
        "gperf m4 make autoconf automake libtool help2man pandoc texinfo ccache cuda-nvcc "
        "go openjdk rust"
    ).split()
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A proposed requirement, with the build-file lines it comes from."""

    requirement: str
    category: Literal["build", "host"]
    where: Sequence[str]
    optional: bool = False
    detail: str | None = None

    @property
    def id(self) -> str:
        return self.requirement.partition("@")[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A name that gets no entry: why, and where it was found."""

    where: str
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.name}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanResult:
    files: Sequence[str]
    entries: Sequence[Entry]
    notes: Sequence[Note]
    info: Sequence[str] = ()


def _version(ident: str, version: str | None) -> tuple[str, str | None]:
    """``ident`` with the build file's version constraint, when a DepURL can carry it."""
    from extdeps.model.depurl import DepURL  # noqa: PLC0415
    from extdeps.model.errors import InvalidDepURL  # noqa: PLC0415

    if not version:
        return ident, None
    try:
        return str(DepURL.parse(f"{ident}@{version.replace(' ', '')}")), None
    except InvalidDepURL:
        return ident, f"version '{version}' cannot be written in a DepURL"


def resolve(uses: Sequence[Use], registry: Registry) -> tuple[list[Entry], list[Note]]:
    """Turn build-file uses into proposed entries and notes (merging repeats)."""
    entries: dict[tuple[str, str], Entry] = {}
    notes: list[Note] = []

    def add(ident: str, category: Literal["build", "host"], use: Use, detail: str | None) -> None:
        key = (ident.partition("@")[0], category)
        old = entries.get(key)
        if old is None:
            entries[key] = Entry(
                requirement=ident, category=category, where=(use.where,), optional=use.optional,
                detail=detail,
            )  # fmt: skip
        else:
            where = old.where if use.where in old.where else (*old.where, use.where)
            better = old.requirement if "@" in old.requirement else ident
            entries[key] = replace(
                old, requirement=better, where=where, optional=old.optional and use.optional
            )

    for use in uses:
        if use.kind == "unresolved":
            message = "the name is not written literally; add its DepURL by hand"
            notes.append(Note(where=use.where, name=use.names[0], message=message))
            continue
        if use.kind == "language":
            for language in use.names:
                compiler = LANGUAGES.get(language.lower(), "=language")
                if compiler.startswith("="):
                    name = f"language '{language}'"
                    notes.append(Note(where=use.where, name=name, message=_NOTES[compiler]))
                else:
                    add(compiler, "build", use, None)
            continue
        looked = [(name, lookup_name(name, registry)) for name in use.names]
        name, target = next(((n, t) for n, t in looked if t), looked[0])
        shown = "'" + "' or '".join(use.names) + "'" + (f" ({use.via})" if use.via else "")
        option = use.via.split("'")[1] if use.via and use.via.startswith("get_option") else ""
        detail, problem = use.via, None
        if f"dep:virtual/interface/{option}" in registry:
            # an option picks the library: propose the interface it names
            target = requirement = f"dep:virtual/interface/{option}"
            detail = f"{use.via} picks the library (default '{name}')"
            if use.version:
                detail += f"; its version must be {use.version}"
        elif target is None or target.startswith("="):
            message = _NOTES[target or "=unknown"]
            notes.append(Note(where=use.where, name=shown, message=message))
            continue
        elif target not in registry:
            message = f"maps to {target}, which the registry lacks; check it by hand"
            notes.append(Note(where=use.where, name=shown, message=message))
            continue
        else:
            target = registry.canonical(target)
            version = None if use.kind == "program" else use.version
            requirement, problem = _version(target, version)
        detail = "; ".join(d for d in (detail, problem) if d) or None
        build = use.kind == "program" or use.native or target in _TOOLS
        add(requirement, "build" if build else "host", use, detail)
    ordered = sorted(entries.values(), key=lambda e: not e.id.startswith("dep:virtual/compiler/"))
    return ordered, notes


def _is_library(use: Use, registry: Registry) -> bool:
    found = lookup_name(use.names[0], registry) if use.kind == "dependency" else None
    return found is not None and not found.startswith("=")


def _locate(root: str, files: Sequence[str], use: Use) -> Use:
    """``use`` with the first line of ``files`` that quotes its name."""
    quoted = f"'{use.names[0]}'"
    for file in files:
        for number, line in enumerate((read_file(root, file) or "").splitlines(), 1):
            if quoted in line.split("#", 1)[0]:
                return replace(use, file=file, line=number)
    return use


def scan(
    root: str,
    *,
    registry: Registry | None = None,
    use_meson: bool = True,
    system: System | None = None,
) -> ScanResult:
    """Read the build files under ``root`` and propose entries for an ``[external]`` table."""
    if not os.path.isdir(root):
        raise InputError("not a directory; scan reads a project's source tree", source=root)
    if registry is None:
        from extdeps.data.registry import load_registry  # noqa: PLC0415

        registry = load_registry()
    uses: list[Use] = []
    files: list[str] = []
    info: list[str] = []
    if os.path.isfile(os.path.join(root, "meson.build")):
        meson_uses, meson_files = parse_meson(root)
        files += meson_files
        if system is None:
            from extdeps.system.machine import System  # noqa: PLC0415

            system = System()
        command = meson_command(system) if use_meson else None
        if command is None:
            why = "meson not found" if use_meson else "meson introspect not used"
            info.append(f"{why}: meson.build read by extdeps's own reader")
        else:
            found, what = run_meson_scan(root, command, system)
            info.append(what if found is not None else f"{what}; used extdeps's own reader")
            if found is not None:  # meson evaluated the names the reader could not
                meson_uses = [u for u in meson_uses if not u.names[0].startswith("dependency(")]
            known = {n.lower() for u in meson_uses if u.kind == "dependency" for n in u.names}
            meson_uses += [
                _locate(root, files, u) for u in found or () if u.names[0].lower() not in known
            ]
        libraries = [u for u in meson_uses if _is_library(u, registry)]
        library = next(
            (u for u in libraries if not u.optional), libraries[0] if libraries else None
        )
        if library is not None:
            via = "meson's dependency() finds libraries with pkg-config"
            uses.append(replace(library, kind="program", names=("pkg-config",), via=via))
        uses.append(Use(kind="program", names=["ninja"], file="meson.build", via="meson's backend"))
        uses += meson_uses
    if os.path.isfile(os.path.join(root, "CMakeLists.txt")):
        cmake_uses = parse_cmake(root)
        files += sorted({u.file for u in cmake_uses} | {"CMakeLists.txt"})
        uses += cmake_uses
    for name, parser in (
        ("setup.py", parse_setup_py),
        ("setup.cfg", parse_setup_cfg),
        ("Cargo.toml", parse_cargo),
    ):
        text = read_file(root, name)
        if text is not None:
            files.append(name)
            uses += parser(text, name)
    entries, notes = resolve(uses, registry)
    return ScanResult(
        files=tuple(files), entries=tuple(entries), notes=tuple(notes), info=tuple(info)
    )


# -- comparing with the declared table ----------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Difference:
    kind: Literal["undeclared", "unused"]
    requirement: str
    where: str


def compare(result: ScanResult, external: External, registry: Registry) -> list[Difference]:
    """Entries the build files need that the table lacks, and build/host entries of the
    table that no build file uses (tools every build of that kind needs excepted)."""

    def related(a: str, b: str) -> bool:
        if a == b:
            return True
        da, db = registry.get(a), registry.get(b)
        return bool((da and b in da.implements) or (db and a in db.implements))

    declared = []
    for key, req in external.iter_requirements():
        ident = registry.canonical(req.url.id) if req.url.id in registry else req.url.id
        declared.append((key, ident, str(req)))
    out = [
        Difference(kind="undeclared", requirement=entry.requirement, where=", ".join(entry.where))
        for entry in result.entries
        if not entry.optional
        and entry.id not in _IMPLIED_TOOLS
        and not any(related(entry.id, d) for _, d, _ in declared)
    ]
    for key, ident, text in declared:
        if category_of(key) not in ("build", "host"):
            continue
        if ident in _IMPLIED_TOOLS or any(related(e.id, ident) for e in result.entries):
            continue
        out.append(Difference(kind="unused", requirement=text, where=key))
    return out
