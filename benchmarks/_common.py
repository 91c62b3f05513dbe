"""What the benchmark scripts share."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def extdeps_command() -> list[str]:
    """The installed console script, as users run it; else ``python -m extdeps``.

    The package's bytecode is compiled first, as pip does at install time (an
    editable install or ``PYTHONDONTWRITEBYTECODE`` would otherwise recompile
    every module on every run)."""
    import extdeps  # noqa: PLC0415

    package = str(Path(extdeps.__file__).parent)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)
    script = Path(sys.executable).with_name("extdeps")
    return [str(script)] if script.exists() else [sys.executable, "-m", "extdeps"]
