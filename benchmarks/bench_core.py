"""Core speed targets, printed as ratios measured in one run.

- DepURL parse + canonicalize throughput on one core (target: >= 30,000/s).
- ``extdeps validate`` wall time on a 40-dependency project relative to a bare
  ``python -c pass`` (target: <= 2x), run as users run it: the ``extdeps`` console
  script as pip and uv write it (see ``_common.LAUNCHER``). The
  median of repeated runs is taken, so the project cache is warm (an unchanged
  ``pyproject.toml`` is not parsed again); the run without any cache
  (``EXTDEPS_CACHE_DIR=none``) is printed too.

Run: ``python benchmarks/bench_core.py``. Exits 1 when a target is missed, so it
can gate a release, but it is not part of the test suite (timings are noisy).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _common import extdeps_command, interleaved_medians  # noqa: E402

from extdeps import DepURL  # noqa: E402

SAMPLES = [
    "dep:generic/zlib",
    "dep:generic/openblas@>=0.3.21",
    "dep:virtual/compiler/c",
    "dep:virtual/interface/lapack@>=3.7.1",
    "dep:github/AbiWord/enchant",
    "dep:generic/gdal@>=3.6,<4",
    "dep:pypi/Foo_Bar@2.0",
    "dep:generic/libjpeg-turbo?arch=x86_64#lib",
    "dep:generic/zlib@%3E%3D1.2.11",
    "dep:golang/github.com/junegunn/fzf",
]

FORTY = (
    [
        "dep:virtual/compiler/c",
        "dep:virtual/compiler/cxx",
        "dep:virtual/compiler/fortran",
        "dep:generic/ninja",
        "dep:generic/pkg-config",
        "dep:generic/cmake",
        "dep:generic/meson",
        "dep:generic/swig",
        "dep:generic/bison",
        "dep:generic/flex",
    ]
    + [f"dep:generic/lib{i}@>=1.{i}" for i in range(20)]
    + [f"dep:generic/tool{i}; platform_system == 'Linux'" for i in range(10)]
)


def throughput(seconds: float = 1.5) -> float:
    n = 0
    start = time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        for text in SAMPLES:
            str(DepURL.parse(text))
        n += len(SAMPLES)
    return n / (time.perf_counter() - start)


def data_load_ms(runs: int = 20) -> float:
    """Median time to load registry.json plus one mapping, caches cleared each time."""
    from extdeps.data import mapping as _mapping  # noqa: PLC0415 - after sys.path is set
    from extdeps.data import registry as _registry  # noqa: PLC0415

    times = []
    for _ in range(runs):
        _registry._load_cached.cache_clear()
        _mapping._load_mapping_file.cache_clear()
        start = time.perf_counter()
        _registry.load_registry()
        _mapping.load_mapping("debian+12")
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _project(tmp: Path, name: str, deps: list[str]) -> str:
    body = "[external]\nbuild-requires = [\n" + "".join(f'  "{d}",\n' for d in deps[:10])
    body += "]\nhost-requires = [\n" + "".join(f'  "{d}",\n' for d in deps[10:]) + "]\n"
    (tmp / name).mkdir()
    (tmp / name / "pyproject.toml").write_text(body)
    return str(tmp / name)


def main() -> int:
    rate = throughput()
    plain = [d.split(";")[0] for d in FORTY]
    extdeps = extdeps_command()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "EXTDEPS_CACHE_DIR": str(Path(tmp) / "cache")}
        with_markers = _project(Path(tmp), "markers", FORTY)
        without = _project(Path(tmp), "plain", plain)
        for path in (without, with_markers):  # both must be valid
            subprocess.run([*extdeps, "validate", "-q", path], env=env, check=True)
        bare, floor, v_plain, v_markers, v_cold = interleaved_medians(
            [
                ([sys.executable, "-c", "pass"], None),
                ([sys.executable, "-c", "import tomllib"], None),
                ([*extdeps, "validate", "-q", without], env),
                ([*extdeps, "validate", "-q", with_markers], env),
                ([*extdeps, "validate", "-q", without], {**env, "EXTDEPS_CACHE_DIR": "none"}),
            ]
        )
    load = data_load_ms()
    ok_rate = rate >= 30_000
    ok_ratio = v_plain / bare <= 2.0
    ok_load = load <= 10.0
    verdict = "ok" if ok_load else "MISS"
    print(f"registry + debian+12 mapping load: {load:.1f} ms (target <= 10 ms) {verdict}")
    verdict = "ok" if ok_rate else "MISS"
    print(f"DepURL parse+canonicalize: {rate:,.0f}/s (target >= 30,000/s) {verdict}")
    print(
        f"bare python -c pass: {bare * 1000:.1f} ms; python -c 'import tomllib': "
        f"{floor * 1000:.1f} ms = {floor / bare:.2f}x (importing tomllib alone; "
        "plain TOML is read without it)"
    )
    verdict = "ok" if ok_ratio else "MISS"
    print(
        f"extdeps validate, 40 deps: {v_plain * 1000:.1f} ms = {v_plain / bare:.2f}x bare "
        f"(target <= 2x) {verdict}"
    )
    print("command: the extdeps console script (benchmarks/_common.py: LAUNCHER)")
    print(
        f"extdeps validate, 40 deps, no cache at all: {v_cold * 1000:.1f} ms = "
        f"{v_cold / bare:.2f}x bare (parses the TOML every time)"
    )
    print(
        f"extdeps validate, 40 deps, 10 with markers: {v_markers * 1000:.1f} ms = "
        f"{v_markers / bare:.2f}x bare (markers are checked once, when the file changes)"
    )
    return 0 if ok_rate and ok_ratio and ok_load else 1


if __name__ == "__main__":
    raise SystemExit(main())
