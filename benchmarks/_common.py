"""What the benchmark scripts share."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

# What pip (since 25.0) and uv write as the ``extdeps`` console script, run with
# ``-c``. Older pip's template also imports ``re`` to tidy ``sys.argv[0]``: about
# a third of an interpreter start that every Python command pays alike, and
# that upgrading pip removes; bench_check.py shows a run through this
# environment's own script beside the rows.
LAUNCHER = (
    "import sys\n"
    "from extdeps.cli.main import main\n"
    "if __name__ == '__main__':\n"
    "    if sys.argv[0].endswith('-script.pyw'):\n"
    "        sys.argv[0] = sys.argv[0][:-11]\n"
    "    elif sys.argv[0].endswith('.exe'):\n"
    "        sys.argv[0] = sys.argv[0][:-4]\n"
    "    sys.exit(main())\n"
)


def extdeps_command() -> list[str]:
    """The ``extdeps`` command as a current installer writes it (see ``LAUNCHER``).

    The package's bytecode is compiled first, as pip does at install time (an
    editable install or ``PYTHONDONTWRITEBYTECODE`` would otherwise recompile
    every module on every run)."""
    import extdeps  # noqa: PLC0415

    package = str(Path(extdeps.__file__).parent)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)
    return [sys.executable, "-c", LAUNCHER]


def installed_script() -> list[str] | None:
    """This environment's own ``extdeps`` script, whatever its installer wrote."""
    script = Path(sys.executable).with_name("extdeps")
    return [str(script)] if script.exists() else None


Case = (
    tuple[list[str], "dict[str, str] | None"]
    | tuple[list[str], "dict[str, str] | None", "Callable[[], object]"]
)


def interleaved_medians(
    cases: list[Case],
    *,
    runs: int = 31,
    warmups: int = 3,
    cwd: str | None = None,
) -> list[float]:
    """Median wall time of each ``(argv, env)`` case, in seconds.

    The cases take turns, in a shuffled order each round, so that a slow spell
    of the machine (a shared host) falls on all of them alike instead of on
    whichever ran during it. The first rounds warm the page cache and
    extdeps' own cache and are not counted. A case's third item, when given,
    runs (untimed) before each of its runs: to empty a cache directory, say.
    """
    import random  # noqa: PLC0415
    import statistics  # noqa: PLC0415
    import time  # noqa: PLC0415

    order = list(range(len(cases)))
    shuffle = random.Random(725).shuffle
    times: list[list[float]] = [[] for _ in cases]
    for round_ in range(warmups + runs):
        shuffle(order)
        for i in order:
            argv, env = cases[i][0], cases[i][1]
            if len(cases[i]) == 3:
                cases[i][2]()  # type: ignore[misc]
            start = time.perf_counter()
            subprocess.run(
                argv,
                env=env,
                cwd=cwd,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            if round_ >= warmups:
                times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]
