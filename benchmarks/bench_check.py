"""Speed of map and check on a SciPy-shaped project, as ratios measured in one run.

Targets (issues 4 and 5):
- ``extdeps map`` <= 2.5x a bare ``python -c pass``;
- ``extdeps check``, warm cache, median <= 4x a bare ``python -c pass`` (cold also shown);
- ``extdeps check`` >= 10x faster than ``bindep`` on the equivalent Debian package list,
  while checking more (versions, compilers, pkg-config, providers of virtuals).

Run on a Debian machine: ``python benchmarks/bench_check.py`` (bindep from the
``bench`` extra). Exits 1 when a target is missed.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import extdeps_command, interleaved_medians

REPO = Path(__file__).resolve().parent.parent
PROJECT = REPO / "examples" / "scipy-like"
BINDEP_LIST = (
    "gcc\ng++\ngfortran\nninja-build\npkgconf\nlibopenblas-dev\nliblapack-dev\npython3-dev\n"
)


def wall(cmd: list[str], env: dict[str, str], runs: int = 31, cwd: str | None = None) -> float:
    for _ in range(2):  # warm the page cache
        subprocess.run(
            cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def main() -> int:
    python = sys.executable
    env = {**os.environ, "EXTDEPS_ECOSYSTEM": os.environ.get("EXTDEPS_ECOSYSTEM", "debian+12")}
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        env["EXTDEPS_CACHE_DIR"] = str(Path(tmp) / "cache")
        extdeps = extdeps_command()
        print(f"command: {' '.join(extdeps)}")
        check = [*extdeps, "check", str(PROJECT)]
        bare, mapped, warm, cold = interleaved_medians(
            [
                ([python, "-c", "pass"], env),
                ([*extdeps, "map", str(PROJECT), "--allow-unmapped"], env),
                (check, env),
                (check, {**env, "EXTDEPS_CACHE_DIR": "none"}),
            ]
        )
        print(f"bare python -c pass:        {bare * 1000:7.1f} ms")
        ratio = mapped / bare
        ok &= ratio <= 2.5
        print(
            f"extdeps map (scipy-like):   {mapped * 1000:7.1f} ms = {ratio:.2f}x bare "
            f"(target <= 2.5x) {_verdict(ratio <= 2.5)}"
        )
        ratio = warm / bare
        ok &= ratio <= 4
        print(
            f"extdeps check, warm cache:  {warm * 1000:7.1f} ms = {ratio:.2f}x bare "
            f"(target <= 4x) {_verdict(ratio <= 4)}"
        )
        print(f"extdeps check, cold cache:  {cold * 1000:7.1f} ms = {cold / bare:.2f}x bare")
        bindep = shutil.which("bindep") or str(Path(python).with_name("bindep"))
        if os.path.exists(bindep):
            (Path(tmp) / "bindep.txt").write_text(BINDEP_LIST)
            theirs = wall([bindep, "-b"], env, runs=5, cwd=tmp)
            speedup = theirs / warm
            ok &= speedup >= 10
            print(
                f"bindep -b (same packages):  {theirs * 1000:7.1f} ms; extdeps check is "
                f"{speedup:.1f}x faster (target >= 10x) {_verdict(speedup >= 10)}"
            )
        else:
            print("bindep not installed (pip install 'extdeps[bench]'): comparison skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
