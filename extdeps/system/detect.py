"""Which ecosystem (and so which mapping) applies to a system.

Order, first match wins:

1. an explicit choice: ``--ecosystem`` or ``EXTDEPS_ECOSYSTEM``;
2. an active conda-like environment: ``PIXI_ENVIRONMENT_NAME``/``PIXI_PROJECT_ROOT``
   (pixi), ``CONDA_PREFIX`` (conda or mamba) -> ``conda-forge``;
3. an active Spack environment (``SPACK_ENV``) -> ``spack``;
4. a Nix shell or NixOS (``IN_NIX_SHELL``, os-release ``ID=nixos``) -> ``nix``;
5. macOS -> ``homebrew``;
6. os-release under the root directory: ``ID+VERSION_ID``, then ``ID``, then, for
   the RHEL family (``ID`` or ``ID_LIKE`` ``rhel``), ``rhel+<major version>``,
   then each ``ID_LIKE`` entry (versioned through ``UBUNTU_CODENAME``/
   ``DEBIAN_CODENAME`` when a derivative records its base release, else
   unversioned).

Only files under ``root`` and the given environment are read: nothing runs.
"""

from __future__ import annotations

import os
import sys

from extdeps.model.errors import UndecidedError
from extdeps.model.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = ["Detection", "detect", "parse_os_release"]

_CODENAMES = {
    "ubuntu": {"focal": "20.04", "jammy": "22.04", "noble": "24.04", "plucky": "25.04"},
    "debian": {"bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14"},
}
_CODENAME_KEYS = {"ubuntu": "UBUNTU_CODENAME", "debian": "DEBIAN_CODENAME"}
_RHEL_FAMILY = frozenset({"rhel", "almalinux", "rocky", "centos", "ol"})


class Detection(Record):
    """The outcome of detection: the ecosystem, the mapping to use and why."""

    __slots__ = ("ecosystem", "mapping", "package_manager", "evidence", "candidates")
    ecosystem: str
    mapping: str
    package_manager: str | None
    evidence: tuple[str, ...]
    candidates: tuple[str, ...]

    def __init__(
        self,
        *,
        ecosystem: str,
        mapping: str,
        package_manager: str | None = None,
        evidence: Iterable[str] = (),
        candidates: Iterable[str] = (),
    ) -> None:
        self._set(
            ecosystem=ecosystem,
            mapping=mapping,
            package_manager=package_manager,
            evidence=tuple(evidence),
            candidates=tuple(candidates),
        )


def parse_os_release(text: str) -> dict[str, str]:
    """Parse os-release text (``KEY=value`` lines, shell-style quoting) into a dict."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            quote = value[0]
            value = value[1:-1]
            if quote == '"':
                for esc in ('\\"', "\\\\", "\\$", "\\`"):
                    value = value.replace(esc, esc[1])
        out[key.strip()] = value
    return out


def _read_os_release(root: str) -> tuple[dict[str, str], str] | None:
    for rel in ("etc/os-release", "usr/lib/os-release"):
        path = os.path.join(root, rel)
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return parse_os_release(handle.read()), "/" + rel
        except OSError:
            continue
    return None


def _os_candidates(info: Mapping[str, str]) -> list[str]:
    ident = info.get("ID", "").lower()
    version = info.get("VERSION_ID", "")
    out: list[str] = []
    if ident:
        if version:
            out.append(f"{ident}+{version}")
        out.append(ident)
    likes = info.get("ID_LIKE", "").lower().split()
    if ident in _RHEL_FAMILY or "rhel" in likes:
        # AlmaLinux, Rocky, CentOS Stream, Oracle Linux: one mapping per major
        # release of RHEL (8.10 and 8.9 have the same package names)
        major = version.split(".", 1)[0]
        if major.isdigit():
            out.append(f"rhel+{major}")
    for like in likes:
        codename = info.get(_CODENAME_KEYS.get(like, ""), "")
        mapped = _CODENAMES.get(like, {}).get(codename.lower())
        if mapped:
            out.append(f"{like}+{mapped}")
        elif like == "debian" and ident == "raspbian" and version:
            out.append(f"debian+{version}")  # Raspbian follows Debian's release numbers
        out.append(like)
    return list(dict.fromkeys(out))


def detect(
    *,
    available: Callable[[str], bool],
    ecosystem: str | None = None,
    package_manager: str | None = None,
    root: str = "/",
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Detection:
    """Detect the ecosystem; ``available(id)`` tells whether a mapping exists for an id."""
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    evidence: list[str] = []
    pm = package_manager or env.get("EXTDEPS_PACKAGE_MANAGER") or None

    def pick(candidates: list[str], why: list[str], default_pm: str | None = None) -> Detection:
        for candidate in candidates:
            if available(candidate):
                return Detection(
                    ecosystem=candidate,
                    mapping=candidate,
                    package_manager=pm or default_pm,
                    evidence=why,
                    candidates=candidates,
                )
        raise UndecidedError(
            "no mapping for this system: tried " + ", ".join(candidates),
            hint="choose one with --ecosystem or EXTDEPS_ECOSYSTEM",
        )

    chosen = ecosystem or env.get("EXTDEPS_ECOSYSTEM")
    if chosen:
        why = ["--ecosystem" if ecosystem else "EXTDEPS_ECOSYSTEM", f"= {chosen}"]
        base = chosen.split("+", 1)[0]
        return pick(list(dict.fromkeys([chosen, base])), [" ".join(why)])

    if env.get("PIXI_ENVIRONMENT_NAME") or env.get("PIXI_PROJECT_ROOT"):
        evidence.append(f"PIXI_PROJECT_ROOT={env.get('PIXI_PROJECT_ROOT', '')} (pixi environment)")
        return pick(["conda-forge"], evidence, "pixi")
    if env.get("CONDA_PREFIX"):
        evidence.append(f"CONDA_PREFIX={env['CONDA_PREFIX']} (active conda environment)")
        mamba = bool(env.get("MAMBA_EXE") or env.get("MAMBA_ROOT_PREFIX"))
        return pick(["conda-forge"], evidence, "mamba" if mamba else "conda")

    if env.get("SPACK_ENV"):
        evidence.append(f"SPACK_ENV={env['SPACK_ENV']} (active Spack environment)")
        return pick(["spack"], evidence, "spack")

    release = _read_os_release(root)
    if env.get("IN_NIX_SHELL") or (release and release[0].get("ID") == "nixos"):
        evidence.append(
            f"IN_NIX_SHELL={env['IN_NIX_SHELL']}" if env.get("IN_NIX_SHELL") else "ID=nixos"
        )
        return pick(["nix"], evidence)
    if plat == "darwin":
        evidence.append("platform is macOS")
        return pick(["homebrew"], evidence)
    if release is None:
        raise UndecidedError(
            f"cannot tell the ecosystem: no os-release under {root!r} and no conda or Nix "
            "environment",
            hint="choose one with --ecosystem or EXTDEPS_ECOSYSTEM",
        )
    info, where = release
    shown = " ".join(
        f"{k}={info[k]}"
        for k in ("ID", "VERSION_ID", "ID_LIKE", "UBUNTU_CODENAME", "DEBIAN_CODENAME")
        if k in info
    )
    evidence.append(f"{where}: {shown}")
    return pick(_os_candidates(info), evidence)
