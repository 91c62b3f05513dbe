"""The NVIDIA driver probe for ``dep:virtual/driver/cuda``.

The version of ``dep:virtual/driver/cuda`` is the highest CUDA version the
installed driver supports, as ``cuDriverGetVersion`` reports it (12040 means
12.4) and as conda's ``__cuda`` virtual package does. It says nothing about a
CUDA toolkit (``nvcc``, ``libcudart``), which is probed separately.

Sources, first that answers wins:

1. ``EXTDEPS_OVERRIDE_CUDA``, else conda's ``CONDA_OVERRIDE_CUDA``: a version
   sets it, an empty value means no driver;
2. ``libcuda.so.1`` loaded with ctypes in a separate Python process with a
   timeout, so a broken driver can neither crash nor hang us; only when the
   dynamic loader can find it (no process is started on a machine without one);
3. ``nvidia-smi`` (its "CUDA Version" header);
4. ``/proc/driver/nvidia/version`` (the driver exists, version unknown).

Results are cached per process.
"""

from __future__ import annotations

import sys

from extdeps.model.errors import InputError
from extdeps.system.gpus import locate_library, valid_level
from extdeps.system.machine import System
from extdeps.system.probes import Evidence

__all__ = ["probe_cuda_driver"]

# Run in a child interpreter: prints "<version int>" or "error: <reason>".
_CHILD = r"""
import ctypes, sys
try:
    lib = ctypes.CDLL(sys.argv[1])
except OSError as exc:
    print("error: cannot load " + sys.argv[1] + ": " + str(exc)); sys.exit(0)
rc = lib.cuInit(0)
if rc != 0:
    print("error: cuInit returned %d" % rc); sys.exit(0)
version = ctypes.c_int(0)
rc = lib.cuDriverGetVersion(ctypes.byref(version))
if rc != 0:
    print("error: cuDriverGetVersion returned %d" % rc); sys.exit(0)
print(version.value)
"""

_memo: dict[tuple[str, ...], list[Evidence]] = {}


def _format(value: int) -> str:
    return f"{value // 1000}.{(value % 1000) // 10}"


def probe_cuda_driver(system: System, *, library: str | None = None) -> list[Evidence]:
    """Evidence about the NVIDIA driver; cached per process and system."""
    env = system.environ
    variable = next((v for v in _OVERRIDES if v in env), None)
    override = (variable, env[variable].strip()) if variable else None
    lib = library or env.get("EXTDEPS_LIBCUDA", "libcuda.so.1")
    memo = (
        system.root,
        lib,
        str(override),
        env.get("PATH", ""),
        env.get("LD_LIBRARY_PATH", ""),
    )
    if memo in _memo:
        return _memo[memo]
    result = _probe(system, lib, override)
    _memo[memo] = result
    return result


_OVERRIDES = ("EXTDEPS_OVERRIDE_CUDA", "CONDA_OVERRIDE_CUDA")


def _probe(system: System, lib: str, override: tuple[str, str] | None) -> list[Evidence]:
    if override is not None:
        variable, value = override
        if not value:
            return [Evidence(source="override", found=False, detail=f"{variable} is empty")]
        if not (valid_level(value) and value.count(".") <= 2):
            raise InputError(
                f"{variable}={value!r} is not a CUDA version",
                hint="set it to the driver's CUDA level (12.4), or to an empty value for none",
            )
        return [
            Evidence(source="override", found=True, version=value, detail=f"{variable}={value}")
        ]
    evidence: list[Evidence] = []
    running = system.root in ("", "/")
    # the library the loader would load, by its path where it is found in a directory
    located = locate_library(system, [lib]) if running else None
    if running and located is None:
        evidence.append(
            Evidence(
                source="libcuda",
                found=False,
                detail=f"cannot load {lib}: not in the linker cache, LD_LIBRARY_PATH "
                "or the usual library directories",
            )
        )
    elif located is not None:
        lib = located
        done = system.run([sys.executable, "-I", "-c", _CHILD, lib])
        out = done.stdout.strip()
        if done.returncode is None:
            evidence.append(
                Evidence(source="libcuda", found=None, detail=f"driver probe failed: {done.error}")
            )
        elif done.returncode != 0:
            evidence.append(
                Evidence(
                    source="libcuda",
                    found=None,
                    detail=f"driver probe crashed (exit code {done.returncode})",
                )
            )
        elif out.isdigit():
            return [
                Evidence(
                    source="libcuda",
                    found=True,
                    version=_format(int(out)),
                    detail=f"cuDriverGetVersion() = {out} from {lib}",
                )
            ]
        else:
            evidence.append(
                Evidence(
                    source="libcuda",
                    found=False if "cannot load" in out else None,
                    detail=out.removeprefix("error: ") or "no output",
                )
            )
    smi = system.which("nvidia-smi")
    if smi:
        done = system.run([smi], timeout=15)
        import re  # noqa: PLC0415 - nvidia-smi output only

        match = re.search(r"CUDA Version:\s*(\d+\.\d+)", done.stdout)
        if done.ok and match:
            return [
                *evidence,
                Evidence(
                    source="nvidia-smi",
                    found=True,
                    version=match.group(1),
                    detail=f"nvidia-smi reports CUDA Version {match.group(1)}",
                ),
            ]
        evidence.append(
            Evidence(
                source="nvidia-smi",
                found=None,
                detail="nvidia-smi gave no CUDA version: "
                + (done.error or done.stderr.strip()[:120]),
            )
        )
    proc = system.read_text("/proc/driver/nvidia/version")
    if proc:
        first = proc.splitlines()[0] if proc.splitlines() else ""
        evidence.append(
            Evidence(
                source="/proc/driver/nvidia/version",
                found=True,
                detail=f"an NVIDIA kernel driver is loaded ({first[:100]}); CUDA version unknown",
            )
        )
    elif not any(e.found for e in evidence):
        evidence.append(
            Evidence(
                source="/proc/driver/nvidia/version",
                found=False,
                detail="no NVIDIA kernel driver is loaded",
            )
        )
    return evidence
