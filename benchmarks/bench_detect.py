"""Speed target of ``extdeps detect`` on a machine without GPU libraries.

``detect`` reads the machine's virtual facts (the C library, the kernel, the
CPU's microarchitecture, the CUDA and ROCm drivers, the GPUs). On a machine
without GPU libraries it must start no process, and the facts may add at most
one bare interpreter start to the command:

- ``facts``: the CPU time (user + system) of a fresh interpreter that reads
  every fact, minus that of one that only imports what ``detect`` imports
  anyway, relative to a bare ``python -c pass`` (target: <= 1.0x);
- ``detect``: the CPU time of the installed ``extdeps detect`` command itself,
  relative to ``python -c pass`` (target: <= 3.0x). Before the facts the
  command cost about 2.3x (the ecosystem, its mapping, the target interpreter);
  a child process for a GPU probe would add at least 1x, which this row catches
  in the command as users run it.

Medians of interleaved runs with a warm cache (archspec's answer is cached per
boot); the runs without any cache (``EXTDEPS_CACHE_DIR=none``, archspec
imported each time) are printed too. GPU libraries are hidden from the runs
(``LD_LIBRARY_PATH`` emptied; a machine whose linker cache has one is
reported and not measured).

Run: ``python benchmarks/bench_detect.py``. Exits 1 when a target is missed.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _common import extdeps_command  # noqa: E402

FACTS_TARGET = 1.0
DETECT_TARGET = 3.0
READ_FACTS = (
    "from extdeps.system.machine import System\n"
    "from extdeps.system.facts import machine_facts\n"
    "machine_facts(System())"
)
# what `detect` imports before it reads a fact: the choices and the CLI
BASELINE = "import extdeps.choices, extdeps.cli.resolve, extdeps.system.machine"


def cpu_medians(
    cases: list[tuple[list[str], dict[str, str]]], *, runs: int = 41, warmups: int = 3
) -> list[float]:
    """Median CPU time (user + system of the child) of each case, in seconds; the
    cases take turns in a shuffled order each round."""
    order = list(range(len(cases)))
    shuffle = random.Random(804).shuffle
    times: list[list[float]] = [[] for _ in cases]
    for round_ in range(warmups + runs):
        shuffle(order)
        for i in order:
            argv, env = cases[i]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(
                argv,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
                cwd=REPO,
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if round_ >= warmups:
                times[i].append(
                    (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                )
    return [statistics.median(t) for t in times]


def main() -> int:
    sys.path.insert(0, str(REPO))
    from extdeps.system.gpus import HIP, NVML, locate_library  # noqa: PLC0415
    from extdeps.system.machine import System  # noqa: PLC0415

    env = {k: v for k, v in os.environ.items() if "OVERRIDE_" not in k}
    env.update(LD_LIBRARY_PATH="", EXTDEPS_ECOSYSTEM="debian+12")
    system = System(environ=env, cache_dir=None)
    present = [
        name
        for name in ("libcuda.so.1", NVML, *HIP)
        if locate_library(system, [name], ["/opt/rocm/lib"])
    ]
    if present:
        print(f"GPU libraries are installed here ({', '.join(present)}): not measured")
        return 0
    command = extdeps_command()
    cold = dict(env, EXTDEPS_CACHE_DIR="none")
    python = [sys.executable]
    bare, base, facts, detect, facts_cold, detect_cold = cpu_medians(
        [
            ([*python, "-c", "pass"], env),
            ([*python, "-c", BASELINE], env),
            ([*python, "-c", f"{BASELINE}\n{READ_FACTS}"], env),
            ([*command, "detect"], env),
            ([*python, "-c", f"{BASELINE}\n{READ_FACTS}"], cold),
            ([*command, "detect"], cold),
        ]
    )
    added = (facts - base) / bare
    whole = detect / bare
    ok = True
    print(f"python -c pass: {bare * 1000:.1f} ms CPU")
    print(
        f"facts added: {(facts - base) * 1000:.1f} ms CPU = {added:.2f}x python -c pass "
        f"(target <= {FACTS_TARGET:.1f}x); without cache {(facts_cold - base) / bare:.2f}x"
    )
    print(
        f"extdeps detect: {detect * 1000:.1f} ms CPU = {whole:.2f}x python -c pass "
        f"(target <= {DETECT_TARGET:.1f}x); without cache {detect_cold / bare:.2f}x"
    )
    if added > FACTS_TARGET:
        print("MISSED: the facts cost more than one interpreter start")
        ok = False
    if whole > DETECT_TARGET:
        print(f"MISSED: extdeps detect costs more than {DETECT_TARGET:.0f} interpreter starts")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
