"""The Python interpreter a project is checked, mapped or built for.

By default that is the interpreter of the active virtual environment
(``$VIRTUAL_ENV``), else the one running extdeps; ``--python PATH`` names
another. What extdeps needs of it (its version, its ``sysconfig`` include
directory, the marker environment, its ``sys.path``) is read by running it
once; the answer is cached, keyed on the interpreter file's identity, the
environment's ``pyvenv.cfg`` and the variables that change ``sys.path``.
"""

from __future__ import annotations

import os
import sys

from extdeps.model.errors import ExtdepsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from extdeps.system.machine import System

__all__ = ["Interpreter", "choose_interpreter", "running_identity"]

# Run in the target interpreter: its facts as JSON. Written for every Python 3 that
# extdeps may meet, without packaging (the marker environment is built as
# packaging.markers.default_environment builds it).
_FACTS = r"""
import json, os, platform, sys, sysconfig
def version(info):
    text = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        text += info.releaselevel[0] + str(info.serial)
    return text
paths = sysconfig.get_paths()
print(json.dumps({
    "version": platform.python_version(),
    "executable": sys.executable,
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "include": paths.get("include", ""),
    "path": [p for p in sys.path if p],
    "environment": {
        "implementation_name": sys.implementation.name,
        "implementation_version": version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    },
}))
"""
_FACT_KEYS = ("version", "executable", "prefix", "base_prefix", "include", "path", "environment")
_PATH_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONNOUSERSITE", "PYTHONUSERBASE")


def running_identity() -> str | None:
    """What the default marker environment of the running interpreter depends on:
    its version and implementation and the operating system (``os.uname()``);
    ``None`` where there is no cheap, complete description (no ``os.uname``)."""
    uname = getattr(os, "uname", None)
    if uname is None:
        return None
    return repr((sys.version, sys.implementation.name, sys.platform, os.name, tuple(uname())))


def _venv_python(environment: str) -> str:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        return os.path.join(environment, "Scripts", "python.exe")
    return os.path.join(environment, "bin", "python")


class Interpreter:
    """One Python interpreter, and why it is the one."""

    def __init__(self, path: str, *, chosen_by: str, system: System) -> None:
        self.path = path
        self.chosen_by = chosen_by
        self.system = system
        self.running = os.path.abspath(path) == os.path.abspath(sys.executable)
        self._facts: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"Interpreter({self.path!r}, chosen_by={self.chosen_by!r})"

    # -- identity -------------------------------------------------------------------
    def _key(self) -> str:
        env = self.system.environ
        home = os.path.dirname(os.path.dirname(os.path.abspath(self.path)))
        return "\0".join(
            [
                self.system.fingerprint(self.path, os.path.join(home, "pyvenv.cfg")),
                repr([env.get(v) for v in _PATH_VARIABLES]),
                repr(running_identity()) if self.running else "",
            ]
        )

    def marker_identity(self) -> str | None:
        """A name for this interpreter's default marker environment (for caching
        marker outcomes); None when it cannot be named cheaply."""
        if self.running:
            return running_identity()
        return f"{self._key()}"

    # -- facts --------------------------------------------------------------------
    def facts(self) -> dict[str, Any]:
        """Version, include directory, marker environment and ``sys.path``."""
        if self._facts is not None:
            return self._facts
        key = self._key()
        cached = self.system.cache.get("interpreter", key)
        if _valid(cached):
            assert isinstance(cached, dict)
            self._facts = cached
            return self._facts
        facts = self._read_running() if self.running else self._run()
        self.system.cache.put("interpreter", key, facts, keep=32)
        self._facts = facts
        return facts

    def _read_running(self) -> dict[str, Any]:
        import sysconfig  # noqa: PLC0415 - once per interpreter, then cached

        info = sys.version_info
        version = f"{info.major}.{info.minor}.{info.micro}"
        if info.releaselevel != "final":
            version += f"{info.releaselevel[0]}{info.serial}"
        return {
            "version": version,
            "executable": sys.executable,
            "prefix": sys.prefix,
            "base_prefix": sys.base_prefix,
            "include": sysconfig.get_paths().get("include", ""),
            "path": [p for p in sys.path if p],
            # packaging computes the running interpreter's own marker environment
            "environment": {},
        }

    def _run(self) -> dict[str, Any]:
        import json  # noqa: PLC0415 - another interpreter, first time only

        done = self.system.run([self.path, "-c", _FACTS], timeout=30)
        if not done.ok:
            lines = done.stderr.strip().splitlines() or [f"exit code {done.returncode}"]
            why = done.error or lines[-1]
            raise ExtdepsError(
                f"{self.path}: cannot ask this Python for its facts: {why[:200]}",
                hint="--python takes a Python interpreter or a virtual environment directory",
            )
        try:
            facts = json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            facts = None
        if not _valid(facts):
            raise ExtdepsError(f"{self.path}: not a Python interpreter extdeps can ask")
        assert isinstance(facts, dict)
        return facts

    @property
    def version(self) -> str:
        return str(self.facts()["version"])

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "version": self.version, "chosen_by": self.chosen_by}

    def marker_environment(self) -> dict[str, str] | None:
        """The marker environment, or None for the running interpreter (whose
        default environment packaging computes itself)."""
        if self.running:
            return None
        return dict(self.facts()["environment"])

    def headers(self) -> tuple[bool, str]:
        """(whether ``Python.h`` is in the include directory, that directory)."""
        include = str(self.facts()["include"])
        return bool(include) and os.path.isfile(os.path.join(include, "Python.h")), include

    def managed_by(self) -> str | None:
        """Which packaging system installed the interpreter's base, when one did:
        ``system`` (under /usr), ``conda``, ``homebrew`` or ``nix``; else None (a
        python.org, pyenv or uv build, which ships its headers itself)."""
        base = str(self.facts()["base_prefix"])
        conda = self.system.environ.get("CONDA_PREFIX")
        if base == "/usr":
            return "system"
        if conda and os.path.abspath(base) == os.path.abspath(conda):
            return "conda"
        if base.startswith("/nix/store/"):
            return "nix"
        if "/Cellar/" in base or base.startswith(("/opt/homebrew/", "/usr/local/opt/")):
            return "homebrew"
        return None

    def describe(self) -> str:
        return f"{self.path} ({self.version}; {self.chosen_by})"


def _valid(facts: object) -> bool:
    if type(facts) is not dict:
        return False
    if any(key not in facts for key in _FACT_KEYS):
        return False
    environment = facts["environment"]
    return (
        all(type(facts[k]) is str for k in _FACT_KEYS if k not in ("path", "environment"))
        and type(facts["path"]) is list
        and all(type(p) is str for p in facts["path"])
        and type(environment) is dict
        and all(type(k) is str and type(v) is str for k, v in environment.items())
    )


def choose_interpreter(
    system: System, python: str | None = None, environ: Mapping[str, str] | None = None
) -> Interpreter:
    """``--python`` (a path, a name on PATH or a virtual environment directory),
    else the active virtual environment's interpreter, else the running one."""
    env = system.environ if environ is None else environ
    if python:
        path = python
        if os.path.isdir(python):
            path = _venv_python(python)
        elif os.sep not in python:
            found = system.which(python)
            if found is None:
                raise ExtdepsError(f"--python {python}: not found on PATH")
            path = found
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise ExtdepsError(f"--python {python}: not an executable file ({path})")
        return Interpreter(path, chosen_by="--python", system=system)
    venv = env.get("VIRTUAL_ENV")
    if venv and os.path.isfile(_venv_python(venv)):
        return Interpreter(
            _venv_python(venv), chosen_by="the active virtual environment", system=system
        )
    return Interpreter(sys.executable, chosen_by="the interpreter running extdeps", system=system)
