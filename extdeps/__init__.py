"""extdeps: declare, map, check and install a Python project's external dependencies.

The public API is what ``__all__`` lists; everything in ``_``-prefixed modules is
internal.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._depurl import DepURL
from ._errors import (
    ExtdepsError,
    InputError,
    InvalidDepURL,
    InvalidExternal,
    InvalidRequirement,
    MappingError,
)
from ._external import External, IncludeGroup, normalize_name
from ._requirement import ExternalRequirement
from ._source import Project, load_project, read_pyproject

__all__ = [
    "DepURL",
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
    "__version__",
    "load_project",
    "normalize_name",
    "read_pyproject",
]
