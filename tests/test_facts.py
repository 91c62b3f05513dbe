"""The machine's virtual facts (``extdeps detect``) and the requirements on them.

Without a GPU on the test machine, compiled fakes of the vendor libraries
(``libnvidia-ml.so.1``, ``libamdhip64.so.6``) stand in for the drivers; the
kernel, C library and CPU facts are compared with the tools a user would ask.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from extdeps.cli.main import main
from extdeps.model.errors import InputError
from extdeps.system import cuda as _cuda
from extdeps.system import facts as _facts
from extdeps.system import gpus as _gpus
from extdeps.system.facts import machine_facts
from extdeps.system.gpus import hip_level, locate_library, parse_nvml_output
from extdeps.system.machine import System
from tests.conftest import REPO, need

FAKE_NVML = r"""
#include <string.h>
typedef struct { unsigned long long total, free, used; } memory_t;
int nvmlInit_v2(void) { return 0; }
int nvmlInitWithFlags(unsigned int flags) { return 0; }
int nvmlShutdown(void) { return 0; }
int nvmlSystemGetDriverVersion(char *out, unsigned int n) { strncpy(out, "550.54.15", n); return 0; }
int nvmlSystemGetCudaDriverVersion(int *v) { *v = 12040; return 0; }
int nvmlDeviceGetCount_v2(unsigned int *count) { *count = 2; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int i, void **handle) { *handle = (void *)(long)(i + 1); return 0; }
int nvmlDeviceGetName(void *handle, char *out, unsigned int n) {
    strncpy(out, (long)handle == 1 ? "NVIDIA Fake A100-SXM4-40GB" : "NVIDIA Fake T4", n); return 0;
}
int nvmlDeviceGetMemoryInfo(void *handle, memory_t *m) {
    m->total = (long)handle == 1 ? 42949672960ULL : 16106127360ULL; m->free = m->total; m->used = 0;
    return 0;
}
int nvmlDeviceGetCudaComputeCapability(void *handle, int *major, int *minor) {
    *major = (long)handle == 1 ? 8 : 7; *minor = (long)handle == 1 ? 0 : 5; return 0;
}
"""
NVML_INIT_FAILS = r"""
int nvmlInit_v2(void) { return 9; }
int nvmlInitWithFlags(unsigned int flags) { return 9; }  /* NVML_ERROR_DRIVER_NOT_LOADED */
int nvmlShutdown(void) { return 0; }
"""
NVML_CRASH = r"""
int nvmlInitWithFlags(unsigned int flags) { volatile int *p = 0; return *p; }
"""
FAKE_HIP = r"""
int hipRuntimeGetVersion(int *version) { *version = 60232830; return 0; }
"""


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    _cuda._memo.clear()
    _gpus._rocm_memo.clear()
    for prefix in ("EXTDEPS_OVERRIDE_", "CONDA_OVERRIDE_"):
        for name in ("CUDA", "GLIBC", "LINUX", "OSX", "ARCHSPEC", "ROCM"):
            monkeypatch.delenv(prefix + name, raising=False)


def _compile(tmp_path: Path, soname: str, source: str, tag: str = "lib") -> Path:
    need(shutil.which("gcc") is not None, f"gcc is needed to compile a fake {soname}")
    directory = tmp_path / tag
    directory.mkdir()
    src = directory / "fake.c"
    src.write_text(source)
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(directory / soname), str(src)], check=True)
    return directory


def _detect_json(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "extdeps", "detect", "--json", "--ecosystem", "debian+12", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "OVERRIDE_" not in k}
    env.update(extra)
    return env


def _fact(document: dict[str, Any], name: str) -> dict[str, Any]:
    [fact] = [f for f in document["virtual_packages"] if f["name"] == name]
    assert isinstance(fact, dict)
    return fact


# -- this machine, compared with the tools a user would ask ---------------------------------


@pytest.mark.system
def test_glibc_is_what_ldd_says() -> None:
    ldd = shutil.which("ldd")
    need(ldd is not None, "ldd is needed to compare the C library's version")
    assert ldd is not None
    done = subprocess.run([ldd, "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).splitlines()[0]
    need("GLIBC" in first.upper() or "GNU libc" in first, f"not a glibc system: {first}")
    fact = _fact(_detect_json(_env()), "__glibc")
    assert fact["found"] is True
    assert fact["value"] == first.split()[-1]


@pytest.mark.system
def test_kernel_is_what_uname_says() -> None:
    uname = shutil.which("uname")
    need(uname is not None and sys.platform.startswith("linux"), "uname on Linux is needed")
    assert uname is not None
    release = subprocess.run([uname, "-r"], capture_output=True, text=True, check=True).stdout
    fact = _fact(_detect_json(_env()), "__linux")
    assert fact["found"] is True
    assert fact["value"] == re.match(r"[\d.]+", release.strip()).group(0).strip(".")  # type: ignore[union-attr]
    assert fact["detail"] == f"uname -r: {release.strip()}"


@pytest.mark.system
def test_archspec_is_what_archspec_says() -> None:
    command = shutil.which("archspec") or str(Path(sys.executable).with_name("archspec"))
    need(os.path.exists(command), "archspec (pip install 'extdeps[detect]') is needed")
    done = subprocess.run([command, "cpu"], capture_output=True, text=True, check=True)
    fact = _fact(_detect_json(_env()), "__archspec")
    assert fact == {
        "name": "__archspec",
        "value": done.stdout.strip(),
        "found": True,
        "source": "archspec",
        "detail": "archspec.cpu.host()",
    }


@pytest.mark.system
def test_archspec_answer_is_cached_per_boot(tmp_path: Path) -> None:
    need(_facts._archspec_init() is not None, "archspec is needed")
    need(os.path.exists("/proc/sys/kernel/random/boot_id"), "a boot id is needed")
    system = System(environ={}, cache_dir=str(tmp_path))
    first = _facts._archspec(system)
    assert (tmp_path / "system.marshal").exists()
    again = _facts._archspec(System(environ={}, cache_dir=str(tmp_path)))
    assert again == first


def test_archspec_missing_is_unknown_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_facts, "_archspec_init", lambda: None)
    fact = _facts._archspec(System(environ={}, cache_dir=None))
    assert (fact.found, fact.value) == (None, None)
    assert fact.detail == "the archspec package is not installed: pip install 'extdeps[detect]'"


# -- overrides ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "name", "found", "value"),
    [
        ({"EXTDEPS_OVERRIDE_CUDA": "12.4"}, "__cuda", True, "12.4"),
        ({"CONDA_OVERRIDE_CUDA": "12.4"}, "__cuda", True, "12.4"),
        ({"EXTDEPS_OVERRIDE_CUDA": "11.8", "CONDA_OVERRIDE_CUDA": "12.4"}, "__cuda", True, "11.8"),
        ({"CONDA_OVERRIDE_CUDA": ""}, "__cuda", False, None),
        ({"CONDA_OVERRIDE_GLIBC": "2.17"}, "__glibc", True, "2.17"),
        ({"EXTDEPS_OVERRIDE_GLIBC": "2.28"}, "__glibc", True, "2.28"),
        ({"CONDA_OVERRIDE_LINUX": "5.4"}, "__linux", True, "5.4"),
        ({"CONDA_OVERRIDE_OSX": "14.2"}, "__osx", True, "14.2"),
        ({"CONDA_OVERRIDE_ARCHSPEC": "zen3"}, "__archspec", True, "zen3"),
        ({"EXTDEPS_OVERRIDE_ARCHSPEC": "x86_64_v3"}, "__archspec", True, "x86_64_v3"),
        ({"EXTDEPS_OVERRIDE_ROCM": "6.2"}, "rocm", True, "6.2"),
        ({"EXTDEPS_OVERRIDE_ROCM": ""}, "rocm", False, None),
    ],
    ids=lambda v: "-".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_overrides(variables: dict[str, str], name: str, found: bool, value: str | None) -> None:
    facts = machine_facts(System(environ={"PATH": "/nonexistent", **variables}, cache_dir=None))
    fact = facts.get(name)
    assert fact is not None
    assert (fact.found, fact.value, fact.source) == (found, value, "override")


def test_overrides_through_the_cli() -> None:
    document = _detect_json(
        _env(
            CONDA_OVERRIDE_CUDA="12.4", CONDA_OVERRIDE_GLIBC="2.17", CONDA_OVERRIDE_ARCHSPEC="zen2"
        )
    )
    assert _fact(document, "__cuda")["value"] == "12.4"
    assert _fact(document, "__glibc")["value"] == "2.17"
    assert _fact(document, "__archspec")["value"] == "zen2"
    assert "CONDA_OVERRIDE_CUDA=12.4" in document["overrides"]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "CONDA_OVERRIDE_CUDA",
            "twelve",
            "error: CONDA_OVERRIDE_CUDA='twelve' is not a CUDA version",
        ),
        ("CONDA_OVERRIDE_GLIBC", "2.x", "error: CONDA_OVERRIDE_GLIBC='2.x' is not a glibc version"),
        (
            "EXTDEPS_OVERRIDE_ARCHSPEC",
            "zen 3",
            "error: EXTDEPS_OVERRIDE_ARCHSPEC='zen 3' is not a microarchitecture",
        ),
        (
            "EXTDEPS_OVERRIDE_ROCM",
            "6.x",
            "error: EXTDEPS_OVERRIDE_ROCM='6.x' is not a ROCm version",
        ),
    ],
)
def test_bad_override_is_one_error_line(
    variable: str,
    value: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["detect", "--ecosystem", "debian+12"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == message
    assert err.splitlines()[1].startswith("hint: set it to ")


def test_override_values_are_checked_in_the_library() -> None:
    with pytest.raises(InputError):
        machine_facts(System(environ={"CONDA_OVERRIDE_LINUX": "5.4-custom"}, cache_dir=None))


@pytest.mark.parametrize(
    ("release", "version"),
    [
        ("6.1.0-18-amd64", "6.1.0"),
        ("5.15.0-91-generic", "5.15.0"),
        ("6.18.44-fc-v1147", "6.18.44"),
        ("4.4.0-19041-Microsoft", "4.4.0"),
        ("6.8.", "6.8"),
        ("custom", ""),
    ],
)
def test_kernel_version_is_its_leading_numbers(release: str, version: str) -> None:
    assert _facts._leading_numbers(release) == version


# -- NVIDIA GPUs through a fake NVML ---------------------------------------------------------


def _need_pynvml() -> None:
    need(
        importlib.util.find_spec("pynvml") is not None,
        "nvidia-ml-py (pip install 'extdeps[gpu]') is needed to list GPUs",
    )


@pytest.mark.system
def test_fake_nvml_gpus_are_listed(tmp_path: Path) -> None:
    _need_pynvml()
    directory = _compile(tmp_path, "libnvidia-ml.so.1", FAKE_NVML)
    document = _detect_json(_env(LD_LIBRARY_PATH=str(directory)))
    assert document["gpus"] == [
        {
            "vendor": "nvidia",
            "index": 0,
            "name": "NVIDIA Fake A100-SXM4-40GB",
            "memory_bytes": 42949672960,
            "compute_capability": "8.0",
            "driver": "550.54.15",
        },
        {
            "vendor": "nvidia",
            "index": 1,
            "name": "NVIDIA Fake T4",
            "memory_bytes": 16106127360,
            "compute_capability": "7.5",
            "driver": "550.54.15",
        },
    ]
    assert not any("NVML" in note or "nvidia-ml" in note for note in document["notes"])


FAKE_CUDA = r"""
int cuInit(unsigned int flags) { return 0; }
int cuDriverGetVersion(int *version) { *version = 12040; return 0; }
"""


@pytest.mark.system
def test_fake_driver_libraries_give_cuda_and_the_gpus(tmp_path: Path) -> None:
    _need_pynvml()
    directory = _compile(tmp_path, "libnvidia-ml.so.1", FAKE_NVML)
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-x", "c", "-o", str(directory / "libcuda.so.1"), "-"],
        input=FAKE_CUDA,
        text=True,
        check=True,
    )
    document = _detect_json(_env(LD_LIBRARY_PATH=str(directory)))
    assert _fact(document, "__cuda") == {
        "name": "__cuda",
        "value": "12.4",
        "found": True,
        "source": "libcuda",
        "detail": f"cuDriverGetVersion() = 12040 from {directory}/libcuda.so.1",
    }
    assert [g["name"] for g in document["gpus"]] == [
        "NVIDIA Fake A100-SXM4-40GB",
        "NVIDIA Fake T4",
    ]


@pytest.mark.system
def test_fake_gpu_in_the_human_output(tmp_path: Path) -> None:
    _need_pynvml()
    directory = _compile(tmp_path, "libnvidia-ml.so.1", FAKE_NVML)
    done = subprocess.run(
        [sys.executable, "-m", "extdeps", "detect", "--ecosystem", "debian+12"],
        capture_output=True,
        text=True,
        env=_env(LD_LIBRARY_PATH=str(directory)),
        check=True,
    )
    assert (
        "gpu 0:           NVIDIA Fake A100-SXM4-40GB (40.0 GiB, compute capability 8.0, "
        "driver 550.54.15)"
    ) in done.stdout.splitlines()


@pytest.mark.system
@pytest.mark.parametrize(
    ("source", "note"),
    [
        (NVML_INIT_FAILS, "NVML: nvmlInit failed: Driver Not Loaded"),
        (NVML_CRASH, f"the NVML probe failed: {sys.executable}: killed by signal 11"),
    ],
    ids=["init-fails", "crash"],
)
def test_broken_nvml_is_a_note(tmp_path: Path, source: str, note: str) -> None:
    _need_pynvml()
    directory = _compile(tmp_path, "libnvidia-ml.so.1", source)
    system = System(environ={"LD_LIBRARY_PATH": str(directory), "PATH": ""}, cache_dir=None)
    gpus, found = _gpus.nvidia_gpus(system)
    assert (gpus, found) == ([], note)


def test_no_nvml_library_starts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    system = System(environ={"LD_LIBRARY_PATH": "", "PATH": ""}, cache_dir=None)
    need(locate_library(system, ["libnvidia-ml.so.1"]) is None, "an NVIDIA library is installed")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing should run without an NVIDIA library")

    monkeypatch.setattr(system, "run", refuse)
    assert _gpus.nvidia_gpus(system) == ([], "no NVIDIA management library (libnvidia-ml.so.1)")


@pytest.mark.parametrize(
    ("output", "gpus", "note"),
    [
        (
            "error: no pynvml",
            0,
            "libnvidia-ml.so.1 is present but nvidia-ml-py is not installed: "
            "pip install 'extdeps[gpu]' to list the GPUs",
        ),
        ("error: nvmlInit failed: Unknown Error", 0, "NVML: nvmlInit failed: Unknown Error"),
        ("", 0, "NVML: no output"),
        ("{not json", 0, "NVML: the probe printed something unexpected"),
        ('["a list"]', 0, "NVML: the probe printed something unexpected"),
        ('{"driver": "1", "gpus": []}', 0, "NVML reports no NVIDIA GPU"),
        (
            '{"driver": null, "gpus": [{"index": 0, "name": "' + "x" * 500 + '", '
            '"memory": -1, "compute_capability": "sm_80"}, {"index": "1"}]}',
            1,
            None,
        ),
    ],
)
def test_nvml_output_is_shape_checked(output: str, gpus: int, note: str | None) -> None:
    found, why = parse_nvml_output(output)
    assert (len(found), why) == (gpus, note)
    for gpu in found:
        assert gpu.name is not None
        assert len(gpu.name) == 96
        assert gpu.memory_bytes is None
        assert gpu.compute_capability is None


# -- ROCm: the HIP runtime ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "level"), [(60232830, "6.2"), (50730101, "5.7"), (70000000, "7.0")]
)
def test_hip_version_is_major_minor(value: int, level: str) -> None:
    assert hip_level(value) == level


@pytest.mark.system
def test_fake_hip_runtime(tmp_path: Path) -> None:
    directory = _compile(tmp_path, "libamdhip64.so.6", FAKE_HIP)
    system = System(environ={"LD_LIBRARY_PATH": str(directory), "PATH": ""}, cache_dir=None)
    [evidence] = _gpus.probe_rocm_runtime(system)
    assert (evidence.source, evidence.found, evidence.version) == ("hip", True, "6.2")
    assert evidence.detail == f"hipRuntimeGetVersion() = 60232830 from {directory}/libamdhip64.so.6"
    fact = machine_facts(system).get("rocm")
    assert fact is not None
    assert fact.value == "6.2"


def test_rocm_release_file(tmp_path: Path) -> None:
    info = tmp_path / "rocm" / ".info"
    info.mkdir(parents=True)
    (info / "version").write_text("6.1.2-119\n")
    system = System(
        environ={"ROCM_PATH": str(tmp_path / "rocm"), "LD_LIBRARY_PATH": "", "PATH": ""},
        cache_dir=None,
    )
    need(locate_library(system, _gpus.HIP) is None, "a HIP runtime is installed")
    [evidence] = _gpus.probe_rocm_runtime(system)
    assert (evidence.source, evidence.version) == ("rocm-info", "6.1")
    assert evidence.detail == f"{tmp_path}/rocm/.info/version says ROCm 6.1.2"


def test_rocm_under_a_root_with_a_loaded_amdgpu(tmp_path: Path) -> None:
    (tmp_path / "sys" / "module" / "amdgpu").mkdir(parents=True)
    system = System(root=str(tmp_path), environ={}, cache_dir=None)
    [evidence] = _gpus.probe_rocm_runtime(system)
    assert (evidence.source, evidence.found, evidence.version) == ("amdgpu", True, None)


# -- requirements on the facts: check and map -------------------------------------------------


def _check(path: str, env: dict[str, str], *args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "extdeps",
            "check",
            path,
            "--json",
            "--ecosystem",
            "debian+12",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)


def _status(document: dict[str, Any], ident: str) -> str:
    [result] = [r for r in document["results"] if r["id"] == ident]
    status: str = result["status"]
    return status


CUDA = "dep:virtual/driver/cuda"


@pytest.mark.parametrize(
    ("variables", "status"),
    [
        ({"EXTDEPS_OVERRIDE_CUDA": "12.4"}, "satisfied"),
        ({"CONDA_OVERRIDE_CUDA": "12.4"}, "satisfied"),
        ({"CONDA_OVERRIDE_CUDA": "12.6"}, "satisfied"),
        ({"EXTDEPS_OVERRIDE_CUDA": "11.8"}, "wrong-version"),
        ({"CONDA_OVERRIDE_CUDA": "11.8"}, "wrong-version"),
        ({"EXTDEPS_OVERRIDE_CUDA": ""}, "missing"),
    ],
    ids=lambda v: "-".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_cuda_runtime_example(variables: dict[str, str], status: str) -> None:
    _, document = _check("examples/cuda-runtime", _env(**variables))
    assert _status(document, CUDA) == status


def test_cuda_runtime_example_without_a_driver(tmp_path: Path) -> None:
    need(not os.path.exists("/proc/driver/nvidia/version"), "this machine has an NVIDIA driver")
    env = _env(EXTDEPS_LIBCUDA=str(tmp_path / "libcuda.so.1"), PATH=str(tmp_path))
    code, document = _check("examples/cuda-runtime", env)
    assert code == 1
    [result] = [r for r in document["results"] if r["id"] == CUDA]
    assert result["status"] == "missing"
    assert result["evidence"][0]["detail"].startswith(f"cannot load {tmp_path}/libcuda.so.1")


@pytest.fixture
def glibc_project(write_project: Any) -> str:
    return str(
        write_project(
            '[project]\nname = "g"\nversion = "1"\n[external]\n'
            'dependencies = ["dep:generic/glibc@>=2.28", "dep:virtual/driver/rocm@>=6.0"]\n'
        )
    )


@pytest.mark.system
def test_glibc_is_checked_against_the_running_c_library(glibc_project: str) -> None:
    try:
        running = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):
        running = ""
    need(running.startswith("glibc "), "a glibc system is needed")
    _, document = _check(glibc_project, _env(), "--category", "run")
    [result] = [r for r in document["results"] if r["id"] == "dep:generic/glibc"]
    assert result["decided_by"] == "libc"
    assert result["found_version"] == running.split()[1]
    _, document = _check(glibc_project, _env(CONDA_OVERRIDE_GLIBC="2.17"))
    assert _status(document, "dep:generic/glibc") == "wrong-version"


@pytest.mark.parametrize(
    ("value", "status"), [("6.2", "satisfied"), ("5.7", "wrong-version"), ("", "missing")]
)
def test_rocm_requirement(glibc_project: str, value: str, status: str) -> None:
    _, document = _check(glibc_project, _env(EXTDEPS_OVERRIDE_ROCM=value))
    assert _status(document, "dep:virtual/driver/rocm") == status


def test_map_names_conda_virtual_packages(glibc_project: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "extdeps",
            "map",
            glibc_project,
            "--json",
            "--ecosystem",
            "conda-forge",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    document = json.loads(done.stdout)
    by_id = {d["id"]: d for d in document["dependencies"]}
    assert by_id["dep:generic/glibc"]["virtual_package"] == "__glibc"
    assert by_id["dep:virtual/driver/rocm"]["virtual_package"] is None
    # the driver with a virtual package is not left out; ROCm (none in conda) is
    assert [d["id"] for d in document["left_out"]] == ["dep:virtual/driver/rocm"]
    assert done.returncode == 3
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "extdeps",
            "map",
            "examples/cuda-runtime",
            "--ecosystem",
            "conda-forge",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "run    dep:virtual/driver/cuda@>=12.4 -> __cuda >=12.4 (virtual package)  # a fact of "
        "the machine: conda-forge's virtual package __cuda (detected, never installed)"
    ) in done.stdout.splitlines()
