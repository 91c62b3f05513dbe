"""The Python interpreter a project is checked, mapped or built for."""

from __future__ import annotations

import os
import sys

__all__ = ["running_identity"]


def running_identity() -> str | None:
    """What the default marker environment of the running interpreter depends on:
    its version and implementation and the operating system (``os.uname()``);
    ``None`` where there is no cheap, complete description (no ``os.uname``)."""
    uname = getattr(os, "uname", None)
    if uname is None:
        return None
    return repr((sys.version, sys.implementation.name, sys.platform, os.name, tuple(uname())))
