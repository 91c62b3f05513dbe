"""Speed of ``extdeps preflight`` over pip's own dry run, as a ratio measured in one run.

Target (issue 17): on a set of 100 requirements that are all wheels, ``extdeps
preflight`` takes at most pip's ``install --dry-run --report`` time plus 20 %
(the dry run is part of it: what preflight adds is reading the plan, the
wheels' metadata and one check).

The wheels are generated into a local directory (``--no-index --find-links``),
each with one ``Requires-External-Dep``, and planned for a fresh virtual
environment. Run: ``python benchmarks/bench_preflight.py``. Exits 1 on a miss.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from _common import extdeps_command, interleaved_medians

COUNT = 100


def make_wheel(directory: Path, name: str) -> None:
    tag = f"{name}-1.0"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
    metadata += "Requires-External-Dep: dep:generic/zlib\n"
    files = {
        f"{name.replace('-', '_')}.py": b"x = 1\n",
        f"{tag}.dist-info/METADATA": metadata.encode(),
        f"{tag}.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for member, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{member},sha256={digest},{len(data)}")
    record.append(f"{tag}.dist-info/RECORD,,")
    files[f"{tag}.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(directory / f"{name.replace('-', '_')}-1.0-py3-none-any.whl", "w") as zf:
        for member, data in files.items():
            zf.writestr(member, data)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        wheels = tmp / "wheels"
        wheels.mkdir()
        names = [f"benchdemo{i:03}" for i in range(COUNT)]
        for name in names:
            make_wheel(wheels, name)
        requirements = tmp / "requirements.txt"
        requirements.write_text("\n".join(names) + "\n", encoding="utf-8")
        target = tmp / "target"
        subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
        python = str(target / "bin" / "python")
        env = {
            **os.environ,
            "PIP_CONFIG_FILE": os.devnull,
            "EXTDEPS_ECOSYSTEM": os.environ.get("EXTDEPS_ECOSYSTEM", "debian+12"),
            "EXTDEPS_CACHE_DIR": str(tmp / "cache"),
        }
        env.pop("PIP_FIND_LINKS", None)
        pip_args = ["-r", str(requirements), "--no-index", "--find-links", str(wheels)]
        dry_run = [
            python,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--quiet",
            "--report",
            "-",
            *pip_args,
        ]
        extdeps = extdeps_command()
        preflight = [*extdeps, "preflight", "--python", python, "-r", str(requirements), "--"]
        preflight += ["--no-index", "--find-links", str(wheels)]
        done = subprocess.run(preflight, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stdout, done.stderr)
            return 1
        pip_time, ours = interleaved_medians([(dry_run, env), (preflight, env)], runs=7, warmups=1)
    ratio = ours / pip_time
    ok = ratio <= 1.2
    print(f"pip install --dry-run --report, {COUNT} wheels: {pip_time * 1000:7.0f} ms")
    print(
        f"extdeps preflight, same requirements:     {ours * 1000:7.0f} ms = {ratio:.2f}x "
        f"(target <= 1.2x) {'ok' if ok else 'MISS'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
