"""GPU probes: the NVIDIA devices through NVML, the AMD ROCm (HIP) runtime level.

Both load a vendor library, which may crash or hang, so both run it in a
separate Python process with a timeout, and only when the library can be found
at all: on a machine without one, nothing is started.

NVIDIA
    ``libnvidia-ml.so.1`` through ``nvidia-ml-py`` (the ``pynvml`` module, an
    optional dependency: ``pip install 'extdeps[gpu]'``): the driver's version
    and, per device, its name, memory and CUDA compute capability.
AMD
    ``dep:virtual/driver/rocm``'s level, the HIP runtime's ``major.minor``:
    ``EXTDEPS_OVERRIDE_ROCM`` (empty means none), then ``hipRuntimeGetVersion``
    of ``libamdhip64`` (``HIP_VERSION``, ``60032830`` is 6.0), then the ROCm
    installation's ``.info/version`` (``$ROCM_PATH``, else ``/opt/rocm``), then
    a loaded ``amdgpu`` kernel driver (present, level unknown).

:func:`locate_library` tells whether the dynamic loader can find a library by
name, from the linker cache, ``LD_LIBRARY_PATH``, the conda prefix and the
usual directories, without loading it.
"""

from __future__ import annotations

import os
import sys

from extdeps.model.errors import InputError
from extdeps.model.record import Record
from extdeps.system.probes import _LIB_DIRS, Evidence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from extdeps.system.machine import System

__all__ = [
    "Gpu",
    "locate_library",
    "nvidia_gpus",
    "probe_rocm_runtime",
    "valid_level",
]

NVML = "libnvidia-ml.so.1"
HIP = ("libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5", "libamdhip64.so")
_NAME_LIMIT = 96  # a device name is short; anything longer is cut


def valid_level(text: str) -> bool:
    """``12``, ``12.4`` or ``12.4.1``: what a version a driver reports looks like."""
    parts = text.split(".")
    return 1 <= len(parts) <= 4 and all(p.isdigit() and len(p) <= 6 for p in parts)


def _in_linker_cache(system: System, soname: str) -> bool | None:
    """Whether glibc's ``/etc/ld.so.cache`` names ``soname`` (as a key, or as the
    last part of a path); None when there is no such file."""
    try:
        with open(system.path("/etc/ld.so.cache"), "rb") as handle:
            data = handle.read(64 << 20)
    except OSError:
        return None
    needle = soname.encode() + b"\0"
    start = data.find(needle)
    while start >= 0:
        if start == 0 or data[start - 1 : start] in (b"\0", b"/"):
            return True
        start = data.find(needle, start + 1)
    return False


def locate_library(
    system: System, names: Sequence[str], extra_dirs: Sequence[str] = ()
) -> str | None:
    """The first of ``names`` the dynamic loader would find: a path (for one found
    in a directory, or a name with a slash that exists) or the bare name (found
    in the linker cache); None when none is anywhere."""
    env = system.environ
    dirs = [d for d in env.get("LD_LIBRARY_PATH", "").split(os.pathsep) if d]
    if env.get("CONDA_PREFIX"):
        dirs.append(os.path.join(env["CONDA_PREFIX"], "lib"))
    dirs += [*extra_dirs, *_LIB_DIRS]
    for name in names:
        if "/" in name:
            if os.path.isfile(system.path(name) if os.path.isabs(name) else name):
                return name
            continue
        for directory in dirs:
            candidate = os.path.join(system.path(directory), name)
            if os.path.exists(candidate):
                return candidate
        if _in_linker_cache(system, name):
            return name
    return None


# -- NVIDIA: NVML ---------------------------------------------------------------------

# Run in a child interpreter: prints one JSON object, or "error: <reason>".
_NVML_CHILD = r"""
import json, sys
try:
    import pynvml
except ImportError:
    print("error: no pynvml"); sys.exit(0)
try:
    pynvml.nvmlInit()
except pynvml.NVMLError as exc:
    print("error: nvmlInit failed: %s" % exc); sys.exit(0)
def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
out = {"driver": None, "gpus": []}
try:
    try:
        out["driver"] = text(pynvml.nvmlSystemGetDriverVersion())
    except pynvml.NVMLError:
        pass
    for index in range(min(pynvml.nvmlDeviceGetCount(), 64)):
        handle = pynvml.nvmlDeviceGetHandleByIndex(index)
        gpu = {"index": index, "name": None, "memory": None, "compute_capability": None}
        try:
            gpu["name"] = text(pynvml.nvmlDeviceGetName(handle))
        except pynvml.NVMLError:
            pass
        try:
            gpu["memory"] = int(pynvml.nvmlDeviceGetMemoryInfo(handle).total)
        except pynvml.NVMLError:
            pass
        try:
            gpu["compute_capability"] = "%d.%d" % pynvml.nvmlDeviceGetCudaComputeCapability(handle)
        except pynvml.NVMLError:
            pass
        out["gpus"].append(gpu)
except pynvml.NVMLError as exc:
    print("error: NVML failed: %s" % exc); sys.exit(0)
finally:
    try:
        pynvml.nvmlShutdown()
    except pynvml.NVMLError:
        pass
print(json.dumps(out))
"""


class Gpu(Record):
    """One GPU as its vendor's library describes it; unknown fields are None."""

    __slots__ = ("vendor", "index", "name", "memory_bytes", "compute_capability", "driver")
    vendor: str
    index: int
    name: str | None
    memory_bytes: int | None
    compute_capability: str | None
    driver: str | None

    def __init__(
        self,
        *,
        vendor: str,
        index: int,
        name: str | None = None,
        memory_bytes: int | None = None,
        compute_capability: str | None = None,
        driver: str | None = None,
    ) -> None:
        self._set(
            vendor=vendor,
            index=index,
            name=name,
            memory_bytes=memory_bytes,
            compute_capability=compute_capability,
            driver=driver,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "index": self.index,
            "name": self.name,
            "memory_bytes": self.memory_bytes,
            "compute_capability": self.compute_capability,
            "driver": self.driver,
        }

    def describe(self) -> str:
        """``NVIDIA A100 (40.0 GiB, compute capability 8.0)``."""
        parts = []
        if self.memory_bytes is not None:
            parts.append(f"{self.memory_bytes / (1 << 30):.1f} GiB")
        if self.compute_capability:
            parts.append(f"compute capability {self.compute_capability}")
        if self.driver:
            parts.append(f"driver {self.driver}")
        name = self.name or f"{self.vendor} GPU (name unknown)"
        return f"{name} ({', '.join(parts)})" if parts else name


def parse_nvml_output(text: str) -> tuple[list[Gpu], str | None]:
    """The GPUs the NVML child printed, or the reason there are none known."""
    import json  # noqa: PLC0415 - only when an NVIDIA library is present

    line = text.strip().splitlines()[-1] if text.strip() else ""
    if line == "error: no pynvml":
        return [], (
            f"{NVML} is present but nvidia-ml-py is not installed: "
            "pip install 'extdeps[gpu]' to list the GPUs"
        )
    if line.startswith("error: ") or not line:
        return [], f"NVML: {line.removeprefix('error: ') or 'no output'}"
    try:
        document = json.loads(line)
    except ValueError:
        return [], "NVML: the probe printed something unexpected"
    if not isinstance(document, dict) or not isinstance(document.get("gpus"), list):
        return [], "NVML: the probe printed something unexpected"
    driver = document.get("driver")
    driver = driver[:40] if isinstance(driver, str) else None
    gpus = []
    for raw in document["gpus"]:
        if not isinstance(raw, dict) or type(raw.get("index")) is not int:
            continue
        name, memory, capability = raw.get("name"), raw.get("memory"), raw.get("compute_capability")
        gpus.append(
            Gpu(
                vendor="nvidia",
                index=raw["index"],
                name=name[:_NAME_LIMIT] if isinstance(name, str) else None,
                memory_bytes=memory if type(memory) is int and memory >= 0 else None,
                compute_capability=capability
                if isinstance(capability, str) and valid_level(capability)
                else None,
                driver=driver,
            )
        )
    return gpus, None if gpus else "NVML reports no NVIDIA GPU"


def nvidia_gpus(system: System) -> tuple[list[Gpu], str | None]:
    """(GPUs, note): the NVIDIA GPUs NVML lists; the note says why the list is
    empty or incomplete. Nothing runs when ``libnvidia-ml.so.1`` is nowhere."""
    if system.root not in ("", "/"):
        return [], "GPUs are only listed on the running system (not under --root)"
    if locate_library(system, [NVML]) is None:
        return [], f"no NVIDIA management library ({NVML})"
    done = system.run([sys.executable, "-I", "-c", _NVML_CHILD], timeout=20)
    if done.returncode is None:
        return [], f"the NVML probe failed: {done.error}"
    if done.returncode != 0:
        return [], f"the NVML probe crashed (exit code {done.returncode})"
    return parse_nvml_output(done.stdout)


# -- AMD: the HIP runtime --------------------------------------------------------------

_HIP_CHILD = r"""
import ctypes, sys
try:
    lib = ctypes.CDLL(sys.argv[1])
except OSError as exc:
    print("error: cannot load " + sys.argv[1] + ": " + str(exc)); sys.exit(0)
version = ctypes.c_int(0)
rc = lib.hipRuntimeGetVersion(ctypes.byref(version))
if rc != 0:
    print("error: hipRuntimeGetVersion returned %d" % rc); sys.exit(0)
print(version.value)
"""

_rocm_memo: dict[tuple[str, ...], list[Evidence]] = {}


def hip_level(value: int) -> str:
    """``HIP_VERSION`` (major * 10,000,000 + minor * 100,000 + patch) as ``6.0``."""
    return f"{value // 10_000_000}.{(value // 100_000) % 100}"


def _rocm_root(system: System) -> str:
    return system.environ.get("ROCM_PATH") or "/opt/rocm"


def probe_rocm_runtime(system: System) -> list[Evidence]:
    """Evidence about the ROCm (HIP) runtime; cached per process and system."""
    env = system.environ
    memo = (
        system.root,
        str(env.get("EXTDEPS_OVERRIDE_ROCM")),
        _rocm_root(system),
        env.get("LD_LIBRARY_PATH", ""),
    )
    if memo not in _rocm_memo:
        _rocm_memo[memo] = _probe_rocm(system)
    return _rocm_memo[memo]


def _probe_rocm(system: System) -> list[Evidence]:
    override = system.environ.get("EXTDEPS_OVERRIDE_ROCM")
    if override is not None:
        value = override.strip()
        if not value:
            return [
                Evidence(source="override", found=False, detail="EXTDEPS_OVERRIDE_ROCM is empty")
            ]
        if not valid_level(value):
            raise InputError(
                f"EXTDEPS_OVERRIDE_ROCM={value!r} is not a ROCm version",
                hint="set it to the HIP runtime's level (6.2), or to an empty value for none",
            )
        return [
            Evidence(
                source="override",
                found=True,
                version=value,
                detail=f"EXTDEPS_OVERRIDE_ROCM={value}",
            )
        ]
    evidence: list[Evidence] = []
    root = _rocm_root(system)
    library = locate_library(system, HIP, [os.path.join(root, "lib")])
    if library is not None and system.root in ("", "/"):
        done = system.run([sys.executable, "-I", "-c", _HIP_CHILD, library], timeout=20)
        out = done.stdout.strip()
        if done.returncode is None:
            evidence.append(Evidence(source="hip", found=None, detail=f"HIP probe: {done.error}"))
        elif done.returncode != 0:
            evidence.append(
                Evidence(
                    source="hip",
                    found=None,
                    detail=f"the HIP probe crashed (exit code {done.returncode})",
                )
            )
        elif out.isdigit() and len(out) <= 12:
            return [
                Evidence(
                    source="hip",
                    found=True,
                    version=hip_level(int(out)),
                    detail=f"hipRuntimeGetVersion() = {out} from {library}",
                )
            ]
        else:
            evidence.append(
                Evidence(source="hip", found=None, detail=out.removeprefix("error: ")[:200])
            )
    info = system.read_text(os.path.join(root, ".info", "version"))
    if info is not None:
        release = info.strip().split("-", 1)[0]
        if valid_level(release):
            level = ".".join(release.split(".")[:2])
            return [
                *evidence,
                Evidence(
                    source="rocm-info",
                    found=True,
                    version=level,
                    detail=f"{root}/.info/version says ROCm {release}",
                ),
            ]
    if os.path.isdir(system.path("/sys/module/amdgpu")):
        evidence.append(
            Evidence(
                source="amdgpu",
                found=True,
                detail="the amdgpu kernel driver is loaded; no HIP runtime reports a level",
            )
        )
    elif not evidence:
        evidence.append(
            Evidence(
                source="hip",
                found=False,
                detail=f"no HIP runtime ({HIP[-1]}) and no ROCm installation at {root}",
            )
        )
    return evidence
