"""Upstream probes: evidence that does not depend on how a dependency was installed.

- pkg-config modules with their versions (``PKG_CONFIG``, ``PKG_CONFIG_PATH``,
  ``PKG_CONFIG_LIBDIR`` and ``PKG_CONFIG_SYSROOT_DIR`` are honoured: they are
  part of the examined environment);
- shared libraries by soname, from the dynamic linker cache (``ldconfig -p``)
  plus ``LD_LIBRARY_PATH``, the conda prefix and the usual directories;
- headers in the usual include directories (``CPATH``, ``C_INCLUDE_PATH``…);
- executables on ``PATH`` with the version their own ``--version`` prints.

What to look for comes from data (``mappings/probes.json``, read by
:mod:`extdeps.data.probes`). Every probe
returns :class:`Evidence`; ``found`` is ``None`` when the probe could not run
(no pkg-config, say), which the verdict treats as "unknown", never "missing".
"""

from __future__ import annotations

import os

from extdeps.model.record import Record
from extdeps.system.machine import System
from extdeps.system.pkgconfig import PkgConfig

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from extdeps.data.probes import ProbeSpec

__all__ = ["Evidence", "Prober", "probe_all"]

_LIB_DIRS = (
    "/lib",
    "/lib64",
    "/usr/lib",
    "/usr/lib64",
    "/usr/local/lib",
    "/usr/local/lib64",
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
)
# the compilers' default include path: multiarch directories first, as GCC and Clang
# search them on Debian and Ubuntu (curl, gmp, libffi, ... put headers there)
_INCLUDE_DIRS = (
    "/usr/local/include/x86_64-linux-gnu",
    "/usr/local/include/aarch64-linux-gnu",
    "/usr/local/include",
    "/usr/include/x86_64-linux-gnu",
    "/usr/include/aarch64-linux-gnu",
    "/usr/include",
)
_SUFFIX = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


class Evidence(Record):
    """One observation: which source, whether it found the thing, the version seen."""

    __slots__ = ("source", "found", "version", "detail")
    source: str
    found: bool | None
    version: str | None
    detail: str

    def __init__(
        self, *, source: str, found: bool | None, detail: str, version: str | None = None
    ) -> None:
        self._set(source=source, found=found, version=version, detail=detail)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "found": self.found,
            "version": self.version,
            "detail": self.detail,
        }


# -- the probes ---------------------------------------------------------------


class Prober:
    """Runs the upstream probes on one system, remembering results within a check."""

    def __init__(self, system: System, *, prefix: str | None = None) -> None:
        """``prefix``: an environment (conda, pixi) whose own headers, libraries and
        pkg-config modules are the only ones a build in it uses; the system's then
        do not count."""
        self.system = system
        self.prefix = prefix
        libdir = (
            [os.path.join(prefix, "lib", "pkgconfig"), os.path.join(prefix, "share", "pkgconfig")]
            if prefix
            else None
        )
        self.pkgconfig = PkgConfig(system, libdir=libdir)
        self._ld_cache: set[str] | str | None = None
        self._exe_versions: dict[str, Evidence] = {}

    # pkg-config ---------------------------------------------------------------
    def expect(self, spec: ProbeSpec) -> None:
        """A probe that will run: its pkg-config modules are asked for together."""
        self.pkgconfig.expect(spec.pkg_config)

    def pkg_config(self, modules: Sequence[str], *, versioned: bool = True) -> Evidence:
        problems = []
        for module in modules:
            found, version, detail = self.pkgconfig.answer(module)
            if found:
                return Evidence(
                    source="pkg-config",
                    found=True,
                    version=version if versioned else None,
                    detail=detail,
                )
            if found is None:
                return Evidence(source="pkg-config", found=None, detail=detail)
            if "not usable" in detail:
                problems.append(detail)
        return Evidence(
            source="pkg-config",
            found=False,
            detail="; ".join(problems) or "no pkg-config module " + " or ".join(modules),
        )

    # shared libraries ----------------------------------------------------------
    def _linker_cache(self) -> set[str] | str:
        if self._ld_cache is not None:
            return self._ld_cache
        names: set[str] = set()
        if self.system.root in ("", "/") and self.prefix is None:
            key = self.system.fingerprint("/etc/ld.so.cache")
            cached = self.system.cache.get("ldconfig", key)
            read = None if isinstance(cached, list) else read_linker_cache("/etc/ld.so.cache")
            if isinstance(cached, list):
                names.update(cached)
            elif read is not None:
                names.update(read)
                self.system.cache.put("ldconfig", key, sorted(read), keep=2)
            else:
                ldconfig = self.system.which("ldconfig") or (
                    "/sbin/ldconfig" if os.path.exists("/sbin/ldconfig") else None
                )
                if ldconfig:
                    done = self.system.run([ldconfig, "-p"])
                    if done.ok:
                        names.update(parse_ldconfig_p(done.stdout))
                        self.system.cache.put("ldconfig", key, sorted(names), keep=2)
        self._ld_cache = names
        return names

    def _library_dirs(self) -> list[str]:
        """Where a library may be besides the linker cache: ``LD_LIBRARY_PATH``, the
        environment's prefix, the usual directories."""
        dirs = [d for d in self.system.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if d]
        prefix = self.prefix or self.system.environ.get("CONDA_PREFIX")
        if prefix:
            dirs.append(os.path.join(prefix, "lib"))
        return [*dirs, *(() if self.prefix else _LIB_DIRS)]

    def libraries(self, sonames: Sequence[str]) -> Evidence:
        cache = self._linker_cache()
        if isinstance(cache, str):
            return Evidence(source="libraries", found=None, detail=cache)
        dirs = None
        for soname in sonames:
            if soname in cache:
                return Evidence(source="libraries", found=True, detail=f"shared library {soname}")
            if dirs is None:
                dirs = [self.system.path(d) for d in self._library_dirs()]
            # an entry of that name in a directory (a link to nowhere counts, as in a listing)
            if "/" not in soname and any(os.path.lexists(os.path.join(d, soname)) for d in dirs):
                return Evidence(source="libraries", found=True, detail=f"shared library {soname}")
        return Evidence(
            source="libraries", found=False, detail="no shared library " + " or ".join(sonames)
        )

    # headers -------------------------------------------------------------------
    def headers(self, names: Sequence[str]) -> Evidence:
        env = self.system.environ
        dirs = [
            d
            for var in ("CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH")
            for d in env.get(var, "").split(os.pathsep)
            if d
        ]
        prefix = self.prefix or env.get("CONDA_PREFIX")
        if prefix:
            dirs.append(os.path.join(prefix, "include"))
        if self.prefix is None:
            dirs.extend(_INCLUDE_DIRS)
        for name in names:
            for directory in dirs:
                if os.path.exists(os.path.join(self.system.path(directory), name)):
                    return Evidence(
                        source="headers", found=True, detail=f"header {directory}/{name}"
                    )
        return Evidence(source="headers", found=False, detail="no header " + " or ".join(names))

    # executables ---------------------------------------------------------------
    def executable(self, spec: ProbeSpec) -> Evidence:
        for name in spec.executables:
            path = self.system.which(name)
            if path is None:
                continue
            return self.executable_version(path, spec.version_args, spec.version_regex, name)
        return Evidence(
            source="executables",
            found=False,
            detail="not on PATH: " + ", ".join(spec.executables),
        )

    def start_version(self, path: str, args: Sequence[str], regex: str | None) -> None:
        """Begin the version query :meth:`executable_version` will make, unless its
        answer is known (see :meth:`System.start`)."""
        memo = f"{path}\0{' '.join(args)}\0{regex}"
        if not args or memo in self._exe_versions:
            return
        cached = self.system.cache.get("executables", self.system.fingerprint(path) + memo)
        if not (isinstance(cached, list) and len(cached) == 2):
            self.system.start([path, *args])

    def start(self, spec: ProbeSpec, category: str) -> None:
        """Begin the programs :func:`probe_all` will run for ``spec`` whose answers
        are not known yet: the tool's version query, and pkg-config's search path;
        its pkg-config modules are asked for with the others, in one run."""
        if spec.executables and _asks_tool(spec, category):
            for name in spec.executables:
                path = self.system.which(name)
                if path is not None:
                    self.start_version(path, spec.version_args, spec.version_regex)
                    break
        if category in ("build", "host") and spec.pkg_config:
            self.pkgconfig.expect(spec.pkg_config)  # asked for together, at the first answer
            self.pkgconfig.start()

    def executable_version(
        self,
        path: str,
        args: Sequence[str],
        regex: str | None,
        label: str,
    ) -> Evidence:
        memo = f"{path}\0{' '.join(args)}\0{regex}"
        if memo in self._exe_versions:
            return self._exe_versions[memo]
        key = self.system.fingerprint(path) + memo
        cached = self.system.cache.get("executables", key)
        if isinstance(cached, list) and len(cached) == 2:
            version, first = cached
        else:
            version = None
            first = ""
            if args:
                done = self.system.run([path, *args], timeout=10)
                output = (done.stdout or "") + "\n" + (done.stderr or "")
                first = next((ln.strip() for ln in output.splitlines() if ln.strip()), "")
                version = _find_version(output, regex) if done.returncode is not None else None
            self.system.cache.put("executables", key, [version, first[:200]], keep=256)
        evidence = Evidence(
            source="executables",
            found=True,
            version=version,
            detail=f"{label} at {path}" + (f" ({first[:80]})" if first else ""),
        )
        self._exe_versions[memo] = evidence
        return evidence


_LD_CACHE_MAGIC = b"glibc-ld.so.cache1.1"


def parse_ldconfig_p(output: str) -> set[str]:
    """The library names of ``ldconfig -p``: its indented entry lines (not the
    count before them, nor the "Cache generated by" line after)."""
    names = set()
    for line in output.splitlines():
        if line[:1] in (" ", "\t"):
            name = line.strip().split(" ", 1)[0]
            if name:
                names.add(name)
    return names


def read_linker_cache(path: str) -> set[str] | None:
    """The library names in glibc's ``ld.so.cache`` (what ``ldconfig -p`` lists),
    read from the file; None when it is absent or not in the format glibc has
    written since 2.32 (then ``ldconfig -p`` is asked).

    The file: a 48-byte header (the magic, the entry count, the string table's
    length, flags, an extension offset), then 24-byte entries whose second field
    is the offset of the entry's name, a NUL-terminated string, from the start of
    the file; integers in the machine's byte order.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(64 << 20)
    except OSError:
        return None
    if not data.startswith(_LD_CACHE_MAGIC) or len(data) < 48:
        return None
    import struct  # noqa: PLC0415 - a thin wrapper of the C module _struct

    (count,) = struct.unpack_from("=I", data, 20)
    if 48 + 24 * count > len(data):
        return None
    names: set[str] = set()
    find = data.find
    for _, start, _, _, _ in struct.iter_unpack("=iIIIQ", data[48 : 48 + 24 * count]):
        end = find(b"\0", start)
        if end < 0 or start >= len(data):
            return None
        names.add(data[start:end].decode("utf-8", "surrogateescape"))
    return names


def _find_version(output: str, regex: str | None) -> str | None:
    if regex:
        import re  # noqa: PLC0415 - only for probes with a version pattern

        match = re.search(regex, output, re.MULTILINE)
        return match.group(1) if match else None
    for line in output.splitlines():
        found = version_in(line)
        if found is not None:
            return found
    return None


def version_in(line: str) -> str | None:
    """The first version in a line of a tool's ``--version`` output: what the
    pattern ``(?<![\\w.])v?(\\d+(?:\\.\\d+)+[a-z0-9]*)`` finds, without importing
    :mod:`re` (about 4 ms, a third of an interpreter start, on every cold run)."""
    n = len(line)
    i = 0
    while i < n:
        c = line[i]
        if (c == "v" or c.isdecimal()) and (
            i == 0 or not (line[i - 1].isalnum() or line[i - 1] in "_.")
        ):
            start = i + 1 if c == "v" else i
            k = start
            while k < n and line[k].isdecimal():
                k += 1
            if k > start:
                parts = 0
                while k + 1 < n and line[k] == "." and line[k + 1].isdecimal():
                    k += 2
                    while k < n and line[k].isdecimal():
                        k += 1
                    parts += 1
                if parts:
                    while k < n and line[k] in _SUFFIX:
                        k += 1
                    return line[start:k]
        i += 1
    return None


def _asks_tool(spec: ProbeSpec, category: str) -> bool:
    """Whether :func:`probe_all` asks for the tool: for build and run, and for host
    when nothing else can tell."""
    return category in ("build", "run") or not (spec.pkg_config or spec.headers or spec.libraries)


def probe_all(prober: Prober, spec: ProbeSpec, category: str) -> list[Evidence]:
    """Run the probes that matter for a category: tools for build, development files
    for host, shared libraries (or tools) for run."""
    out: list[Evidence] = []
    if spec.executables and _asks_tool(spec, category):
        out.append(prober.executable(spec))
    if category in ("build", "host") and (spec.pkg_config or spec.headers):
        if spec.pkg_config:
            out.append(prober.pkg_config(spec.pkg_config, versioned=spec.pkg_config_version))
        if spec.headers:
            out.append(prober.headers(spec.headers))
    dev_files = bool(spec.pkg_config or spec.headers)
    if spec.libraries and (category == "run" or not dev_files):
        out.append(prober.libraries(spec.libraries))
    return out
