"""Probe definitions (``mappings/probes.json``): what identifies each dependency on
a system (pkg-config modules, sonames, headers, executables and how to read
their versions). Running them is :mod:`extdeps.system.probes`' job."""

from __future__ import annotations

import os

from extdeps.data.files import data_dir, load_json
from extdeps.model.errors import InvalidDocument, MappingError
from extdeps.model.record import Record, memoized

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

__all__ = ["ProbeSpec", "Probes", "load_probes"]


class ProbeSpec(Record):
    """What identifies one dependency on a system."""

    __slots__ = (
        "pkg_config",
        "libraries",
        "headers",
        "executables",
        "version_args",
        "version_regex",
        "pkg_config_version",
        "no_probe",
    )
    pkg_config: tuple[str, ...]
    libraries: tuple[str, ...]
    headers: tuple[str, ...]
    executables: tuple[str, ...]
    version_args: tuple[str, ...]
    version_regex: str | None
    pkg_config_version: bool
    no_probe: str | None  # why nothing on a system can identify it

    def __init__(
        self,
        *,
        pkg_config: Sequence[str] = (),
        libraries: Sequence[str] = (),
        headers: Sequence[str] = (),
        executables: Sequence[str] = (),
        version_args: Sequence[str] = ("--version",),
        version_regex: str | None = None,
        pkg_config_version: bool = True,
        no_probe: str | None = None,
    ) -> None:
        self._set(
            pkg_config=tuple(pkg_config),
            libraries=tuple(libraries),
            headers=tuple(headers),
            executables=tuple(executables),
            version_args=tuple(version_args),
            version_regex=version_regex,
            pkg_config_version=pkg_config_version,
            no_probe=no_probe,
        )


_STR_LIST_KEYS = ("pkg-config", "libraries", "headers", "executables", "version-args")


def _parse_probe(value: Any, key: str, source: str, errors: list[MappingError]) -> ProbeSpec | None:
    if not isinstance(value, dict):
        errors.append(MappingError("expected a table", source=source, key=key))
        return None
    fields: dict[str, Any] = {}
    for name, item in value.items():
        if name in _STR_LIST_KEYS:
            if not isinstance(item, list) or not all(
                (isinstance(v, str) and v and "\0" not in v and not v.startswith("-"))
                or (name == "version-args" and isinstance(v, str))
                for v in item
            ):
                errors.append(
                    MappingError("expected a list of strings", source=source, key=f"{key}.{name}")
                )
                return None
            fields[name.replace("-", "_")] = item
        elif name == "pkg-config-version":
            if not isinstance(item, bool):
                errors.append(
                    MappingError("expected true or false", source=source, key=f"{key}.{name}")
                )
                return None
            fields["pkg_config_version"] = item
        elif name == "version-regex":
            if not isinstance(item, str):
                errors.append(MappingError("expected a string", source=source, key=f"{key}.{name}"))
                return None
            import re  # noqa: PLC0415 - only for probes with a version pattern

            try:
                compiled = re.compile(item)
            except re.error as exc:
                errors.append(
                    MappingError(f"invalid regex: {exc}", source=source, key=f"{key}.{name}")
                )
                return None
            if compiled.groups < 1:
                errors.append(
                    MappingError(
                        "the regex needs a group for the version",
                        source=source,
                        key=f"{key}.{name}",
                    )
                )
                return None
            fields["version_regex"] = item
        elif name == "no-probe":
            if not isinstance(item, str) or not item.strip():
                errors.append(
                    MappingError(
                        "expected the reason, a string", source=source, key=f"{key}.{name}"
                    )
                )
                return None
            if set(value) - {"no-probe", "note"}:
                errors.append(
                    MappingError(
                        "an entry with 'no-probe' names nothing to look for",
                        source=source,
                        key=f"{key}.{name}",
                    )
                )
                return None
            fields["no_probe"] = item
        elif name != "note":
            errors.append(MappingError("unknown key", source=source, key=f"{key}.{name}"))
    for exe in fields.get("executables", []):
        if os.sep in exe:
            errors.append(
                MappingError(
                    "executables are names looked up on PATH, not paths",
                    source=source,
                    key=f"{key}.executables",
                )
            )
            return None
    return ProbeSpec(**fields)


class Probes:
    """The probe definitions, keyed by canonical DepURL id."""

    def __init__(self, specs: Mapping[str, ProbeSpec], source: str = "probes.json") -> None:
        self.specs = dict(specs)
        self.source = source
        self._raw: dict[str, Any] = {}

    @classmethod
    def from_document(cls, document: Any, *, source: str = "probes.json") -> Probes:
        errors: list[MappingError] = []
        raw = document.get("probes") if isinstance(document, dict) else None
        if not isinstance(raw, dict):
            raise InvalidDocument([MappingError("expected a table", source=source, key="probes")])
        for ident in raw:
            if not isinstance(ident, str) or not ident.startswith("dep:"):
                errors.append(MappingError("keys must be DepURLs", source=source, key="probes"))
        if errors:
            raise InvalidDocument(errors, source=source)
        probes = cls({}, source)
        probes._raw = dict(raw)  # each entry is checked when first used
        return probes

    def get(self, ident: str) -> ProbeSpec | None:
        spec = self.specs.get(ident)
        if spec is None and ident in self._raw:
            errors: list[MappingError] = []
            spec = _parse_probe(self._raw.pop(ident), f'probes."{ident}"', self.source, errors)
            if errors:
                raise InvalidDocument(errors, source=self.source)
            assert spec is not None
            self.specs[ident] = spec
        return spec

    def validate(self) -> None:
        """Check every entry now."""
        for ident in list(self._raw):
            self.get(ident)


@memoized(2)
def _load(path: str) -> Probes:
    return Probes.from_document(load_json(path), source=path)


def load_probes(path: str | None = None) -> Probes:
    return _load(path or os.path.join(data_dir(), "probes.json"))
