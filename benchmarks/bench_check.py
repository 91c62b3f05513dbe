"""Speed of map and check, warm and cold, as ratios measured in one run.

Each row is the median wall time of a command over a bare ``python -c pass`` in
the same interpreter, the cases taking turns (see ``_common.interleaved_medians``).
Targets (issues 4, 5 and 20):

==============================================================  ========
row                                                             target
==============================================================  ========
``map`` scipy-like                                              <= 2.5x
``check`` scipy-like, warm cache                                <= 3x
``check`` zlib-ext, cold: an empty cache directory every run    <= 4x
``check`` zlib-ext, no cache (``EXTDEPS_CACHE_DIR=none``)       <= 4x
``check`` on an sdist of zlib-ext (200 members), warm cache     <= 3x
``show`` on that sdist, warm cache                              <= 3x
``check`` on that sdist, no cache                               <= 4.5x
``check`` on an sdist of 2,000 members (6 MB unpacked), no      shown: the
cache                                                           unpacking grows with it
``check`` zlib-ext, no cache, a broken ``.pc`` file on the      <= 5x, and at most one
pkg-config path (a ``Requires:`` nothing provides)              process more than without
``check`` >= 10x faster than ``bindep`` on the equivalent Debian package list
(``bench`` extra), while checking more (versions, compilers, pkg-config, providers).
==============================================================  ========

Commands run as the console script pip (25.0 and later) and uv write; a
``check`` through this environment's own script is shown beside them (pip
before 25.0 wrote one that also imports ``re``, a cost every Python command
pays alike until pip is upgraded).

Run on a Debian machine with the system packages of ``.ci/run``:
``python benchmarks/bench_check.py``. Exits 1 when a target is missed.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from _common import extdeps_command, installed_script, interleaved_medians

REPO = Path(__file__).resolve().parent.parent
SCIPY_LIKE = REPO / "examples" / "scipy-like"
ZLIB_EXT = REPO / "examples" / "zlib-ext"
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


def make_sdist(directory: Path, files: int = 200, lines: int = 60) -> Path:
    """An sdist of examples/zlib-ext shaped like a real one: a top directory,
    PKG-INFO, ``files`` C sources of ``lines`` lines (the default: 200 files,
    about 600 KB unpacked, 60 KB packed) and pyproject.toml after them."""
    path = directory / f"zlib_ext-1.0-{files}.tar.gz"
    top = "zlib_ext-1.0"
    with tarfile.open(path, "w:gz") as tf:

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            info.mtime = 1_700_000_000
            tf.addfile(info, io.BytesIO(data))

        add("PKG-INFO", b"Metadata-Version: 2.4\nName: zlib-ext\nVersion: 1.0\n")
        for i in range(files):
            body = "".join(
                f"static int f{i}_{j}(int x) {{ return x * {j} + {i}; }}\n" for j in range(lines)
            )
            add(f"src/part{i:04}.c", body.encode())
        add("pyproject.toml", (ZLIB_EXT / "pyproject.toml").read_bytes())
    return path


def count_processes(argv: list[str], env: dict[str, str]) -> int | None:
    """Programs ``argv`` runs (itself not counted), through strace; None without it."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    with tempfile.NamedTemporaryFile("r") as log:
        subprocess.run(
            [strace, "-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", log.name, *argv],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        lines = [line for line in log.read().splitlines() if "execve(" in line and "= 0" in line]
    return len(lines) - 1


def main() -> int:
    python = sys.executable
    env = {**os.environ, "EXTDEPS_ECOSYSTEM": os.environ.get("EXTDEPS_ECOSYSTEM", "debian+12")}
    ok = True
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        warm_env = {**env, "EXTDEPS_CACHE_DIR": str(tmp / "warm")}
        cold_dir = tmp / "cold"
        cold_env = {**env, "EXTDEPS_CACHE_DIR": str(cold_dir)}
        none_env = {**env, "EXTDEPS_CACHE_DIR": "none"}
        broken = tmp / "pc"
        broken.mkdir()
        (broken / "zz-broken.pc").write_text(
            "Name: zz-broken\nDescription: needs what nothing provides\nVersion: 1.0\n"
            "Requires: no-such-module-anywhere\n"
        )
        broken_env = {
            **none_env,
            "PKG_CONFIG_PATH": os.pathsep.join(
                filter(None, [str(broken), env.get("PKG_CONFIG_PATH")])
            ),
        }
        sdist = str(make_sdist(tmp))
        large = str(make_sdist(tmp, files=2000, lines=60))
        extdeps = extdeps_command()
        print("command: the extdeps console script (benchmarks/_common.py: LAUNCHER)")

        def empty_cold() -> None:
            shutil.rmtree(cold_dir, ignore_errors=True)

        zlib_check = [*extdeps, "check", str(ZLIB_EXT)]
        cases = [
            ("bare python -c pass", [python, "-c", "pass"], env, None, 0.0),
            (
                "map scipy-like",
                [*extdeps, "map", str(SCIPY_LIKE), "--allow-unmapped"],
                warm_env,
                None,
                2.5,
            ),
            (
                "check scipy-like, warm cache",
                [*extdeps, "check", str(SCIPY_LIKE)],
                warm_env,
                None,
                3.0,
            ),
            ("check zlib-ext, empty cache dir", zlib_check, cold_env, empty_cold, 4.0),
            ("check zlib-ext, no cache", zlib_check, none_env, None, 4.0),
            ("check sdist, warm cache", [*extdeps, "check", sdist], warm_env, None, 3.0),
            ("show sdist, warm cache", [*extdeps, "show", sdist], warm_env, None, 3.0),
            ("check sdist, no cache", [*extdeps, "check", sdist], none_env, None, 4.5),
            ("check zlib-ext, broken .pc, no cache", zlib_check, broken_env, None, 5.0),
            ("check large sdist, no cache (shown)", [*extdeps, "check", large], none_env, None, 0),
            (
                "check scipy-like, no cache (shown)",
                [*extdeps, "check", str(SCIPY_LIKE)],
                none_env,
                None,
                0.0,
            ),
        ]
        script = installed_script()
        if script is not None:
            cases.append(
                (
                    "check zlib-ext, no cache, venv's script",
                    [*script, *zlib_check[-2:]],
                    none_env,
                    None,
                    0,
                )
            )
        times = interleaved_medians(
            [(argv, e, setup) if setup else (argv, e) for _, argv, e, setup, _ in cases]
        )
        bare = times[0]
        print(f"{cases[0][0]:40} {bare * 1000:7.1f} ms")
        for (label, _, _, _, target), seconds in zip(cases[1:], times[1:], strict=True):
            ratio = seconds / bare
            line = f"{label:40} {seconds * 1000:7.1f} ms = {ratio:5.2f}x bare"
            if target:
                hit = ratio <= target
                ok &= hit
                line += f" (target <= {target:g}x) {'ok' if hit else 'MISS'}"
            print(line)
        plain = count_processes(zlib_check, none_env)
        with_broken = count_processes(zlib_check, broken_env)
        if plain is None or with_broken is None:
            print("processes: strace not installed, not counted")
        else:
            hit = with_broken <= plain + 1
            ok &= hit
            print(
                f"processes of a cold check: {plain}; with a broken .pc file: {with_broken} "
                f"(target: at most one more) {'ok' if hit else 'MISS'}"
            )
        bindep = shutil.which("bindep") or str(Path(python).with_name("bindep"))
        if os.path.exists(bindep):
            (tmp / "bindep.txt").write_text(BINDEP_LIST)
            theirs = wall([bindep, "-b"], env, runs=5, cwd=tmp_name)
            speedup = theirs / times[2]
            ok &= speedup >= 10
            print(
                f"bindep -b (same packages): {theirs * 1000:7.1f} ms; extdeps check is "
                f"{speedup:.1f}x faster (target >= 10x) {'ok' if speedup >= 10 else 'MISS'}"
            )
        else:
            print("bindep not installed (pip install 'extdeps[bench]'): comparison skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
