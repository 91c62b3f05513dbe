"""Choices shared by every command: ecosystem, mapping overrides, providers, target markers.

One place reads the command-line values, the environment variables and the
project's ``[tool.extdeps]`` table, in that order of precedence:

====================  ==============================  ============================
choice                option                          environment variable
====================  ==============================  ============================
ecosystem             ``--ecosystem ID``              ``EXTDEPS_ECOSYSTEM``
package manager       ``--package-manager NAME``      ``EXTDEPS_PACKAGE_MANAGER``
detection root        ``--root DIR``                  ``EXTDEPS_ROOT``
replace the mapping   ``--mapping FILE``              ``EXTDEPS_MAPPING``
patch the mapping     ``--patch-mapping FILE``        ``EXTDEPS_PATCH_MAPPING``
extend the mapping    ``--extend-mapping FILE``       ``EXTDEPS_EXTEND_MAPPING``
virtual providers     ``--provider blas=mkl``         ``EXTDEPS_PROVIDERS=blas=mkl,mpi=mpich``
target environment    ``--marker-env KEY=VALUE|FILE``  (none)
====================  ==============================  ============================
"""

from __future__ import annotations

import os

from extdeps.data.mapping import EcosystemMapping, load_mapping, mapping_path
from extdeps.model.errors import ExtdepsError, InputError, InvalidDocument, UndecidedError
from extdeps.model.record import Record
from extdeps.system.detect import Detection, detect

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from extdeps.data.markers import MarkerOutcomes
    from extdeps.system.interpreter import Interpreter
    from extdeps.system.machine import System

__all__ = ["Choices", "parse_pairs", "resolve_choices", "tool_config"]

_TOOL_KEYS = {
    "providers": "a table of virtual name to provider",
    "build-check": "whether build backends check build/host requirements first",
}


def parse_pairs(items: Sequence[str], what: str) -> dict[str, str]:
    """Parse ``KEY=VALUE`` items (each item may hold several, comma-separated)."""
    out: dict[str, str] = {}
    for item in items:
        for part in item.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise InputError(f"invalid {what} {part!r}; expected KEY=VALUE")
            out[key.strip()] = value.strip()
    return out


def tool_config(table: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Validate ``[tool.extdeps]``; every problem reported with its key path."""
    errors: list[ExtdepsError] = []
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = f"tool.extdeps.{key}"
        if key == "providers":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()
            ):
                errors.append(
                    ExtdepsError(
                        'expected a table of strings, e.g. {blas = "openblas"}',
                        source=source,
                        key=path,
                    )
                )
            else:
                out["providers"] = dict(value)
        elif key == "build-check":
            if not isinstance(value, bool):
                errors.append(ExtdepsError("expected true or false", source=source, key=path))
            else:
                out["build-check"] = value
        else:
            import difflib  # noqa: PLC0415 - error path only

            close = difflib.get_close_matches(key, list(_TOOL_KEYS), n=1)
            errors.append(
                ExtdepsError(
                    "unknown key",
                    source=source,
                    key=path,
                    hint=f"did you mean '{close[0]}'?"
                    if close
                    else "allowed keys: " + ", ".join(_TOOL_KEYS),
                )
            )
    if errors:
        raise InvalidDocument(errors, source=source)
    return out


class Choices(Record):
    """Everything a command needs to resolve: the detection, the mapping, the providers."""

    __slots__ = ("detection", "mapping", "providers", "environment", "overrides", "interpreter")
    detection: Detection
    mapping: EcosystemMapping
    providers: Mapping[str, str]
    environment: Mapping[str, str] | None
    overrides: tuple[str, ...]
    interpreter: Interpreter | None

    def __init__(
        self,
        *,
        detection: Detection,
        mapping: EcosystemMapping,
        providers: Mapping[str, str],
        environment: Mapping[str, str] | None,
        overrides: Sequence[str],
        interpreter: Interpreter | None = None,
    ) -> None:
        self._set(
            detection=detection,
            mapping=mapping,
            providers=dict(providers),
            environment=environment,
            overrides=tuple(overrides),
            interpreter=interpreter,
        )

    def marker_environment(self) -> Mapping[str, str] | None:
        """The environment markers are evaluated in: ``--marker-env``'s, else the
        target interpreter's; None means the running interpreter's own."""
        if self.environment is not None:
            return self.environment
        if self.interpreter is not None:
            return self.interpreter.marker_environment()
        return None

    def marker_outcomes(self) -> MarkerOutcomes | None:
        """Remembered marker outcomes for this target: the explicit marker
        environment, else the target interpreter's (``None`` when that cannot be
        named cheaply)."""
        from extdeps.data.markers import MarkerOutcomes  # noqa: PLC0415
        from extdeps.system.interpreter import running_identity  # noqa: PLC0415

        if self.environment is not None:
            return MarkerOutcomes.for_environment(self.environment)
        identity = (
            self.interpreter.marker_identity()
            if self.interpreter is not None
            else running_identity()
        )
        return MarkerOutcomes.for_interpreter(identity) if identity is not None else None


def _marker_environment(
    items: Sequence[str], interpreter: Interpreter | None
) -> dict[str, str] | None:
    if not items:
        return None
    base = interpreter.marker_environment() if interpreter is not None else None
    if base is None:
        from packaging.markers import default_environment  # noqa: PLC0415 - only when asked

        base = {k: str(v) for k, v in default_environment().items()}
    env: dict[str, str] = dict(base)
    for item in items:
        if "=" not in item:
            from extdeps.data.files import LIMITS, parse_json_bytes, read_bounded  # noqa: PLC0415

            raw = read_bounded(
                item, LIMITS["marker environment"], what="a marker environment", error=InputError
            )
            document = parse_json_bytes(raw, item)
            if not isinstance(document, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in document.items()
            ):
                raise InputError("expected a JSON object of strings", source=item)
            env.update(document)
        else:
            env.update(parse_pairs([item], "--marker-env value"))
    return env


def resolve_choices(
    *,
    ecosystem: str | None = None,
    package_manager: str | None = None,
    root: str | None = None,
    mapping: str | None = None,
    patch_mapping: Sequence[str] = (),
    extend_mapping: Sequence[str] = (),
    providers: Sequence[str] = (),
    marker_env: Sequence[str] = (),
    tool: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    python: str | None = None,
    system: System | None = None,
) -> Choices:
    """Combine options, environment and project configuration into :class:`Choices`.

    ``python`` is the target interpreter (``--python``: a path, a name on PATH or
    a virtual environment); by default the active virtual environment's, else
    the running one.
    """
    from extdeps.model.arguments import optional_str, strings  # noqa: PLC0415
    from extdeps.system.interpreter import choose_interpreter  # noqa: PLC0415
    from extdeps.system.machine import System  # noqa: PLC0415

    for name, value in (
        ("ecosystem", ecosystem),
        ("package_manager", package_manager),
        ("root", root),
        ("mapping", mapping),
        ("python", python),
    ):
        optional_str(value, name)
    patch_mapping = strings(patch_mapping, "patch_mapping")
    extend_mapping = strings(extend_mapping, "extend_mapping")
    providers = strings(providers, "providers")
    marker_env = strings(marker_env, "marker_env")
    if tool is not None and not isinstance(tool, dict):
        raise TypeError(f"tool: expected a mapping, got {type(tool).__name__}")
    env = os.environ if environ is None else environ
    overrides: list[str] = []
    mapping_file = mapping or env.get("EXTDEPS_MAPPING")
    patches = list(patch_mapping) or [
        p for p in env.get("EXTDEPS_PATCH_MAPPING", "").split(os.pathsep) if p
    ]
    extends = list(extend_mapping) or [
        p for p in env.get("EXTDEPS_EXTEND_MAPPING", "").split(os.pathsep) if p
    ]

    def available(ident: str) -> bool:
        return mapping_file is not None or os.path.exists(mapping_path(ident))

    try:
        detection = detect(
            available=available,
            ecosystem=ecosystem,
            package_manager=package_manager,
            root=root or env.get("EXTDEPS_ROOT") or "/",
            environ=env,
        )
    except UndecidedError:
        if not mapping_file:
            raise
        # the mapping was given: nothing needs detecting
        detection = Detection(
            ecosystem="custom",
            mapping=mapping_file,
            package_manager=package_manager or env.get("EXTDEPS_PACKAGE_MANAGER") or None,
            evidence=[f"mapping given: {mapping_file}"],
        )
    if mapping_file:
        overrides.append(f"mapping replaced by {mapping_file}")
        loaded = load_mapping(mapping_file)
    else:
        loaded = load_mapping(detection.mapping)
    for extra in patches:
        overrides.append(f"mapping patched by {extra}")
        loaded = loaded.extended(load_mapping(extra), replace=True)
    for extra in extends:
        overrides.append(f"mapping extended by {extra}")
        loaded = loaded.extended(load_mapping(extra), replace=False)
    chosen: dict[str, str] = dict((tool or {}).get("providers", {}))
    from_env = parse_pairs([env.get("EXTDEPS_PROVIDERS", "")], "EXTDEPS_PROVIDERS entry")
    chosen.update(from_env)
    chosen.update(parse_pairs(providers, "--provider value"))
    for key, value in chosen.items():
        overrides.append(f"provider {key}={value}")
    if system is None:
        system = System(root=root or env.get("EXTDEPS_ROOT") or "/", environ=env)
    interpreter = choose_interpreter(system, python, env)
    environment = _marker_environment(marker_env, interpreter)
    if environment is not None:
        overrides.append("marker environment: " + ", ".join(marker_env))
    return Choices(
        detection=detection,
        mapping=loaded,
        providers=chosen,
        environment=environment,
        overrides=overrides,
        interpreter=interpreter,
    )
