"""Readers of build files, one module per build system: plain functions on text
(or on a source tree), tested on captured strings. Each returns :class:`Use`
records; :mod:`extdeps.authoring.scan` turns them into DepURLs."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "FIND_OPTIONS",
    "LANGUAGES",
    "PKG_OPTIONS",
    "SOURCE_LANGUAGES",
    "Kind",
    "Use",
    "read_file",
]

Kind = Literal["language", "dependency", "program", "library", "unresolved"]
# fmt: off
LANGUAGES = {  # meson and CMake language names, lowercase
    "c": "dep:virtual/compiler/c", "cpp": "dep:virtual/compiler/cxx",
    "cxx": "dep:virtual/compiler/cxx", "fortran": "dep:virtual/compiler/fortran",
    "cuda": "dep:virtual/compiler/cuda", "hip": "dep:virtual/compiler/hip",
    "rust": "dep:virtual/compiler/rust", "objc": "dep:virtual/compiler/objective-c",
    "objcpp": "dep:virtual/compiler/objective-cxx",
    "objcxx": "dep:virtual/compiler/objective-cxx", "d": "dep:virtual/compiler/d",
    "cs": "dep:virtual/compiler/c-sharp", "csharp": "dep:virtual/compiler/c-sharp",
    "go": "dep:virtual/compiler/go", "zig": "dep:virtual/compiler/zig",
    "nim": "dep:virtual/compiler/nim", "nasm": "dep:generic/nasm",
    "asm_nasm": "dep:generic/nasm", "java": "dep:generic/openjdk", "cython": "=pypi",
    "asm": "=toolchain", "asm-att": "=toolchain",
}
SOURCE_LANGUAGES = {
    ".c": "c", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".f": "fortran",
    ".for": "fortran", ".f90": "fortran", ".f95": "fortran", ".cu": "cuda", ".m": "objc",
    ".mm": "objcpp", ".pyx": "c",
}
PKG_OPTIONS = {
    "REQUIRED", "QUIET", "NO_CMAKE_PATH", "NO_CMAKE_ENVIRONMENT_PATH", "IMPORTED_TARGET",
    "GLOBAL",
}
FIND_OPTIONS = {
    "HINTS", "PATHS", "PATH_SUFFIXES", "DOC", "REQUIRED", "NAMES_PER_DIR", "VALIDATOR",
    "REGISTRY_VIEW", "ENV", "OPTIONAL",
}
# fmt: on
@dataclass(frozen=True, slots=True, kw_only=True)
class Use:
    """One thing a build file asks for, where it asks for it."""

    kind: Kind
    names: Sequence[str]  # alternatives, in the build file's order
    file: str
    line: int | None = None
    optional: bool = False
    version: str | None = None
    native: bool = False
    via: str | None = None  # how the name was found when it was not written literally

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(self.names))

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


# a build file larger than this is not read (a generated or hostile one)
MAX_BUILD_FILE = 4 << 20


def read_file(root: str, relpath: str) -> str | None:
    """A build file's text; None when it is absent, not a regular file (a FIFO
    would block), larger than :data:`MAX_BUILD_FILE` or not UTF-8."""
    from extdeps.data.files import read_bounded  # noqa: PLC0415
    from extdeps.model.errors import ExtdepsError  # noqa: PLC0415

    path = os.path.join(root, *relpath.split("/"))
    if not os.path.exists(path):
        return None
    try:
        return read_bounded(path, MAX_BUILD_FILE, what="a build file").decode("utf-8")
    except (ExtdepsError, UnicodeDecodeError):
        return None
