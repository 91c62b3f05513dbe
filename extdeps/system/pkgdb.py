"""Package databases, read directly and in one pass.

Each reader returns a :class:`PackageDB`: the installed packages (only those
really installed: dpkg's ``install ok installed``, not ``config-files``), their
versions and what they provide (dpkg ``Provides``, pacman ``%PROVIDES%``, apk
``p:``, rpm provides), or ``None`` with a reason when the database is absent.
The parsers are plain functions over text, tested on captured files.
"""

from __future__ import annotations

import os

from extdeps.model.record import LazyPattern, Record
from extdeps.system.machine import System

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "DpkgStatus",
    "Package",
    "PackageDB",
    "parse_apk_installed",
    "parse_dpkg_status",
    "parse_pacman_desc",
    "read_package_db",
    "upstream_version",
]

_LEADING_VERSION = LazyPattern(r"\d+(?:\.\d+)*")


def _before_any(text: str, stops: str) -> str:
    """``text`` up to the first of the ``stops`` characters."""
    cut = min((i for i in map(text.find, stops) if i >= 0), default=len(text))
    return text[:cut]


class Package(Record):
    __slots__ = ("name", "version", "provides")
    name: str
    version: str
    provides: tuple[str, ...]

    def __init__(self, *, name: str, version: str, provides: Iterable[str] = ()) -> None:
        self._set(name=name, version=version, provides=tuple(provides))


class PackageDB:
    """Installed packages by name, plus provided (virtual) names pointing at providers."""

    def __init__(self, kind: str, source: str, packages: Iterable[Package]) -> None:
        self.kind = kind
        self.source = source
        self.packages: dict[str, Package] = {}
        self.provided: dict[str, list[Package]] = {}
        for package in packages:
            self.packages[package.name] = package
            for name in package.provides:
                self.provided.setdefault(name, []).append(package)

    def names(self) -> list[str]:
        """Every installed package name, sorted."""
        return sorted(self.packages)

    def get(self, name: str) -> tuple[Package, str] | None:
        """The package installed under ``name``, or providing it: (package, how)."""
        # a spec may carry a conda build string or channel: keep the name part
        base = _before_any(name, "=<> ").split("::")[-1]
        package = self.packages.get(base)
        if package is not None:
            return package, "installed"
        providers = self.provided.get(base)
        if providers:
            return providers[0], f"provides {base}"
        return None

    def upstream(self, package: Package) -> str:
        return upstream_version(package.version, self.kind)


def upstream_version(version: str, kind: str) -> str:
    """The upstream part of a distribution's version string.

    dpkg and pacman ``[epoch:]upstream[-revision]``, rpm ``[epoch:]version-release``,
    apk ``version-rN``, Homebrew ``version_N``; conda and Nix versions are upstream
    already. Distribution suffixes such as ``+dfsg`` or ``.dfsg`` are dropped.
    """
    text = version.strip()
    if kind in ("dpkg", "pacman", "rpm") and ":" in text:
        head, _, tail = text.partition(":")
        if head.isdigit():
            text = tail
    if kind in ("dpkg", "pacman", "rpm", "apk") and "-" in text:
        text = text.rsplit("-", 1)[0]
    if kind == "homebrew" and "_" in text:
        text = text.rsplit("_", 1)[0]
    return without_distribution_suffix(text)


def without_distribution_suffix(version: str) -> str:
    """``version`` less a distribution's repacking suffix (``+dfsg``, ``+ds``,
    ``+really``, ``~``...), which some ``.pc`` files carry too (``0.3.21+ds``)."""
    text = version.strip()
    for marker in ("+dfsg", ".dfsg", "~dfsg", "+ds", ".ds", "+really", "~"):
        cut = text.find(marker)
        if cut > 0:
            text = text[:cut]
    return text


def leading_version(text: str) -> str | None:
    """The leading dotted number of a version string (``1.1.1w`` -> ``1.1.1``)."""
    match = _LEADING_VERSION.match(text)
    return match.group(0) if match else None


# -- dpkg ---------------------------------------------------------------------


def _dpkg_provides(value: str) -> list[str]:
    out = []
    for item in value.split(","):
        name = item.strip().split(" ", 1)[0].split(":", 1)[0]
        if name:
            out.append(name)
    return out


def parse_dpkg_status(text: str) -> list[Package]:
    """Packages of a dpkg ``status`` file whose state is ``install ok installed``."""
    out: list[Package] = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if not line:
                continue
            if line[0] in " \t":
                continue  # continuation lines (descriptions, conffiles) are not needed
            key, _, value = line.partition(":")
            if key in ("Package", "Status", "Version", "Provides"):
                fields[key] = value.strip()
        if fields.get("Status", "").split()[-1:] != ["installed"]:
            continue
        if "Package" not in fields or "Version" not in fields:
            continue
        out.append(
            Package(
                name=fields["Package"],
                version=fields["Version"],
                provides=_dpkg_provides(fields.get("Provides", "")),
            )
        )
    return out


class DpkgStatus(PackageDB):
    """dpkg's ``status`` file, asked one package at a time.

    A check needs a handful of the thousands of packages the file lists, so each
    question finds its stanzas with ``bytes.find`` instead of parsing the whole
    file (or caching a parse of it): a few hundred microseconds, always reading
    the file as it is now. Answers are those of :func:`parse_dpkg_status`.
    """

    def __init__(self, source: str, data: bytes) -> None:
        super().__init__("dpkg", source, ())
        self._data = data
        self._asked: set[str] = set()

    def _stanza(self, at: int) -> bytes:
        data = self._data
        start = data.rfind(b"\n\n", 0, at)
        start = 0 if start < 0 else start + 2
        end = data.find(b"\n\n", at)
        return data[start : len(data) if end < 0 else end]

    def _parse(self, at: int) -> Package | None:
        text = self._stanza(at).decode("utf-8", "replace")
        found = parse_dpkg_status(text)
        return found[-1] if found else None

    def _find(self, name: str) -> Package | None:
        """The installed package ``name`` (the last stanza, as a full parse keeps)."""
        needle = b"Package: " + name.encode("utf-8", "surrogateescape") + b"\n"
        data = self._data
        found = None
        at = 0 if data.startswith(needle) else -1
        if at < 0:
            at = data.find(b"\n" + needle)
            at = at + 1 if at >= 0 else -1
        while at >= 0:
            package = self._parse(at)
            if package is not None and package.name == name:
                found = package
            nxt = data.find(b"\n" + needle, at + 1)
            at = nxt + 1 if nxt >= 0 else -1
        return found

    def _providers(self, name: str) -> list[Package]:
        """Installed packages whose ``Provides`` names ``name``, in file order."""
        data = self._data
        word = name.encode("utf-8", "surrogateescape")
        out: list[Package] = []
        at = data.find(word)
        while at >= 0:
            line = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            if data.startswith(b"Provides:", line):
                value = data[line + 9 : len(data) if end < 0 else end].decode("utf-8", "replace")
                if name in _dpkg_provides(value):
                    package = self._parse(line)
                    if package is not None and name in package.provides:
                        out.append(package)
            if end < 0:
                break
            at = data.find(word, end)
        return out

    def _learn(self, name: str) -> None:
        if name in self._asked:
            return
        self._asked.add(name)
        package = self._find(name)
        if package is not None:
            self.packages[name] = package
        else:
            self.provided[name] = self._providers(name)

    def get(self, name: str) -> tuple[Package, str] | None:
        self._learn(_before_any(name, "=<> ").split("::")[-1])
        return super().get(name)

    def names(self) -> list[str]:
        return sorted({p.name for p in parse_dpkg_status(self._data.decode("utf-8", "replace"))})


def _read_dpkg(system: System) -> PackageDB | str:
    try:
        with open(system.path("/var/lib/dpkg/status"), "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return "no dpkg database (/var/lib/dpkg/status)"
    except OSError as exc:
        return f"cannot read the dpkg database (/var/lib/dpkg/status): {exc.strerror}"
    return DpkgStatus("/var/lib/dpkg/status", data)


# -- pacman -------------------------------------------------------------------


def parse_pacman_desc(text: str) -> Package | None:
    """One ``local/<pkg>/desc`` file of pacman's database."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("%") and line.endswith("%"):
            current = line.strip("%")
            sections[current] = []
        elif line and current:
            sections[current].append(line)
    if not sections.get("NAME") or not sections.get("VERSION"):
        return None
    provides = [_before_any(p, "=<>") for p in sections.get("PROVIDES", [])]
    return Package(name=sections["NAME"][0], version=sections["VERSION"][0], provides=provides)


def _read_pacman(system: System) -> PackageDB | str:
    local = system.path("/var/lib/pacman/local")
    if not os.path.isdir(local):
        return "no pacman database (/var/lib/pacman/local)"
    packages = []
    for entry in sorted(os.listdir(local)):
        try:
            with open(os.path.join(local, entry, "desc"), encoding="utf-8") as handle:
                package = parse_pacman_desc(handle.read())
        except OSError:
            continue
        if package is not None:
            packages.append(package)
    return PackageDB("pacman", "/var/lib/pacman/local", packages)


# -- apk ----------------------------------------------------------------------


def parse_apk_installed(text: str) -> list[Package]:
    """apk's ``lib/apk/db/installed``: blocks of ``X:value`` lines."""
    out = []
    for block in text.split("\n\n"):
        name = version = ""
        provides: list[str] = []
        for line in block.splitlines():
            if line.startswith("P:"):
                name = line[2:]
            elif line.startswith("V:"):
                version = line[2:]
            elif line.startswith("p:"):
                provides.extend(_before_any(p, "=<>~") for p in line[2:].split())
        if name and version:
            out.append(Package(name=name, version=version, provides=provides))
    return out


def _read_apk(system: System) -> PackageDB | str:
    text = system.read_text("/lib/apk/db/installed")
    if text is None:
        return "no apk database (/lib/apk/db/installed)"
    return PackageDB("apk", "/lib/apk/db/installed", parse_apk_installed(text))


# -- rpm ----------------------------------------------------------------------

_RPM_FORMAT = "%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t[%{PROVIDENAME} ]\\n"


def parse_rpm_query(text: str) -> list[Package]:
    out = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            provides = parts[2].split() if len(parts) > 2 else []
            out.append(Package(name=parts[0], version=parts[1], provides=provides))
    return out


def _read_rpm(system: System) -> PackageDB | str:
    rpm = system.which("rpm")
    if rpm is None:
        return "rpm is not installed, so its database cannot be read"
    argv = [rpm, "-qa", "--qf", _RPM_FORMAT]
    if system.root not in ("", "/"):
        argv[1:1] = ["--root", system.root]
    done = system.run(argv, timeout=60)
    if not done.ok:
        return f"rpm -qa failed: {done.error or done.stderr.strip()[:200]}"
    return PackageDB("rpm", "rpm -qa", parse_rpm_query(done.stdout))


# -- conda --------------------------------------------------------------------


def _read_conda(system: System) -> PackageDB | str:
    prefix = system.environ.get("CONDA_PREFIX")
    if not prefix:
        return "no active conda environment (CONDA_PREFIX is not set)"
    meta = os.path.join(system.path(prefix), "conda-meta")
    if not os.path.isdir(meta):
        return f"{prefix} has no conda-meta directory"
    import json  # noqa: PLC0415 - conda environments only

    packages = []
    for entry in sorted(os.listdir(meta)):
        if not entry.endswith(".json"):
            continue
        try:
            with open(os.path.join(meta, entry), encoding="utf-8") as handle:
                record = json.load(handle)
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("name"), str):
            packages.append(Package(name=record["name"], version=str(record.get("version", ""))))
    return PackageDB("conda", f"{prefix}/conda-meta", packages)


# -- Homebrew -----------------------------------------------------------------


def _read_homebrew(system: System) -> PackageDB | str:
    prefixes = [system.environ.get("HOMEBREW_PREFIX", ""), "/opt/homebrew", "/usr/local"]
    for prefix in filter(None, prefixes):
        cellar = system.path(os.path.join(prefix, "Cellar"))
        if os.path.isdir(cellar):
            break
    else:
        return "no Homebrew Cellar (HOMEBREW_PREFIX, /opt/homebrew, /usr/local)"
    packages = []
    for formula in sorted(os.listdir(cellar)):
        versions = sorted(
            v for v in os.listdir(os.path.join(cellar, formula)) if not v.startswith(".")
        )
        if versions:
            packages.append(Package(name=formula, version=versions[-1]))
    return PackageDB("homebrew", f"{prefix}/Cellar", packages)


# -- Nix ----------------------------------------------------------------------

_STORE_NAME = LazyPattern(r"^[0-9a-z]{32}-(?P<name>.+?)-(?P<version>\d[^-]*)$")


def _read_nix(system: System) -> PackageDB | str:
    home = system.environ.get("HOME", "")
    candidates = [
        os.path.join(home, ".nix-profile/manifest.json"),
        "/nix/var/nix/profiles/default/manifest.json",
    ]
    import json  # noqa: PLC0415 - Nix profiles only

    packages: list[Package] = []
    source = ""
    for manifest in candidates:
        text = system.read_text(manifest)
        if text is None:
            continue
        try:
            document = json.loads(text)
        except ValueError:
            continue
        elements = document.get("elements", []) if isinstance(document, dict) else []
        items = elements.values() if isinstance(elements, dict) else elements
        for element in items:
            for store in element.get("storePaths", []) if isinstance(element, dict) else []:
                match = _STORE_NAME.match(os.path.basename(str(store)))
                if match:
                    packages.append(Package(name=match["name"], version=match["version"]))
        source = manifest
        break
    sw = system.path("/run/current-system/sw/bin")
    if not source and not os.path.isdir(sw):
        return "no Nix profile manifest and no NixOS system profile"
    return PackageDB("nix", source or "/run/current-system", packages)


# -- Spack --------------------------------------------------------------------


def _read_spack(system: System) -> PackageDB | str:
    """Spack's install database, ``$SPACK_ROOT/opt/spack/.spack-db/index.json``
    (the default install tree): ``{"database": {"installs": {hash: record}}}``, each
    record with ``installed`` and the node ``spec`` (``name``, ``version``). Where a
    package is installed in several versions, the newest counts."""
    spack_root = system.environ.get("SPACK_ROOT")
    if not spack_root:
        return "SPACK_ROOT is not set (source Spack's setup-env script)"
    index = os.path.join(spack_root, "opt", "spack", ".spack-db", "index.json")
    text = system.read_text(index)
    if text is None:
        return f"no Spack install database ({index})"
    import json  # noqa: PLC0415 - Spack only

    try:
        document = json.loads(text)
    except ValueError:
        return f"{index} is not valid JSON"
    database = document.get("database") if isinstance(document, dict) else None
    installs = database.get("installs") if isinstance(database, dict) else None
    if not isinstance(installs, dict):
        return f"{index} has no database.installs table"
    newest: dict[str, tuple[tuple[int, ...], str]] = {}
    for record in installs.values():
        spec = record.get("spec") if isinstance(record, dict) else None
        if not isinstance(spec, dict) or record.get("installed") is not True:
            continue
        name, version = spec.get("name"), spec.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            continue
        key = _version_key(version)
        if name not in newest or key > newest[name][0]:
            newest[name] = (key, version)
    packages = [Package(name=n, version=v) for n, (_, v) in sorted(newest.items())]
    return PackageDB("spack", index, packages)


def _version_key(version: str) -> tuple[int, ...]:
    """Order Spack versions by their leading dotted number (enough to pick the newest)."""
    lead = leading_version(version) or "0"
    return tuple(int(part) for part in lead.split("."))


_READERS: Mapping[str, Callable[[System], PackageDB | str]] = {
    "apt": _read_dpkg,
    "apt-get": _read_dpkg,
    "aptitude": _read_dpkg,
    "dpkg": _read_dpkg,
    "dnf": _read_rpm,
    "yum": _read_rpm,
    "zypper": _read_rpm,
    "rpm": _read_rpm,
    "pacman": _read_pacman,
    "apk": _read_apk,
    "conda": _read_conda,
    "mamba": _read_conda,
    "micromamba": _read_conda,
    "pixi": _read_conda,
    "brew": _read_homebrew,
    "nix": _read_nix,
    "nix-env": _read_nix,
    "spack": _read_spack,
}


def read_package_db(manager: str, system: System) -> PackageDB | str:
    """The package database behind a package manager, or why it cannot be read."""
    reader = _READERS.get(manager)
    if reader is None:
        return f"no package database reader for {manager}"
    return reader(system)
