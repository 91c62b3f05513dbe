"""extdeps: declare, map, check and install a Python project's external dependencies.

The public API is what ``__all__`` lists; everything in ``_``-prefixed modules is
internal.
"""

from __future__ import annotations

__version__ = "0.1.0"


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from extdeps.checking import CheckReport, Verdict, check, check_requirements
    from extdeps.choices import Choices, resolve_choices
    from extdeps.data.mapping import EcosystemMapping, load_mapping
    from extdeps.data.registry import Registry, load_registry
    from extdeps.model.depurl import DepURL
    from extdeps.model.errors import (
        ExtdepsError,
        InputError,
        InvalidDepURL,
        InvalidExternal,
        InvalidRequirement,
        MappingError,
    )
    from extdeps.model.external import External, IncludeGroup, normalize_name
    from extdeps.model.requirement import ExternalRequirement
    from extdeps.resolution import Resolved, plan_install, resolve, select
    from extdeps.sources import Project, load_project, read_pyproject
    from extdeps.system.machine import System

# Every part loads on first use, so that ``import extdeps`` costs nothing and
# each command imports only what it runs (start-up time is a product requirement).
_LAZY = {
    "DepURL": "model.depurl",
    "ExtdepsError": "model.errors",
    "InputError": "model.errors",
    "InvalidDepURL": "model.errors",
    "InvalidExternal": "model.errors",
    "InvalidRequirement": "model.errors",
    "MappingError": "model.errors",
    "External": "model.external",
    "IncludeGroup": "model.external",
    "normalize_name": "model.external",
    "ExternalRequirement": "model.requirement",
    "Project": "sources",
    "load_project": "sources",
    "read_pyproject": "sources",
    "CheckReport": "checking",
    "Verdict": "checking",
    "check": "checking",
    "check_requirements": "checking",
    "Choices": "choices",
    "resolve_choices": "choices",
    "EcosystemMapping": "data.mapping",
    "load_mapping": "data.mapping",
    "Registry": "data.registry",
    "load_registry": "data.registry",
    "Resolved": "resolution",
    "plan_install": "resolution",
    "resolve": "resolution",
    "select": "resolution",
    "System": "system.machine",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'extdeps' has no attribute {name!r}")
    import sys  # noqa: PLC0415

    __import__(f"{__name__}.{module}")
    value = getattr(sys.modules[f"{__name__}.{module}"], name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "CheckReport",
    "Choices",
    "DepURL",
    "EcosystemMapping",
    "ExtdepsError",
    "External",
    "ExternalRequirement",
    "IncludeGroup",
    "InputError",
    "InvalidDepURL",
    "InvalidExternal",
    "InvalidRequirement",
    "MappingError",
    "Project",
    "Registry",
    "Resolved",
    "System",
    "Verdict",
    "__version__",
    "check",
    "check_requirements",
    "load_mapping",
    "load_project",
    "load_registry",
    "normalize_name",
    "plan_install",
    "read_pyproject",
    "resolve",
    "resolve_choices",
    "select",
]


def _find_checkout_backends() -> None:
    """Make ``extdeps.backends`` importable from a source checkout.

    A wheel installs the source tree's top-level ``backends/`` directory (the
    PEP 517 wrappers) as ``extdeps/backends``. In a source checkout, or an
    editable install of one, it sits next to this package instead: the
    checkout's root joins this package's path, so the same names import.
    """
    import os  # noqa: PLC0415 - once, at import

    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    if (
        not os.path.isdir(os.path.join(here, "backends"))
        and os.path.isfile(os.path.join(root, "backends", "__init__.py"))
        and os.path.isfile(os.path.join(root, "pyproject.toml"))
    ):
        __path__.append(root)


_find_checkout_backends()
del _find_checkout_backends
