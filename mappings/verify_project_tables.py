#!/usr/bin/env python3
"""Verify extdeps' ``[external]`` tables for projects that publish none.

Usage (as root, on a Debian or Ubuntu host with network access)::

    python mappings/verify_project_tables.py [PROJECT ...]
    python mappings/verify_project_tables.py --candidates FILE [PROJECT ...]

For each project of ``mappings/project-tables.json`` (or of ``--candidates
FILE``, a file of the same form holding tables under trial), this builds the
project's latest sdist from source on a minimal Debian 12 with nothing but the
system packages extdeps itself says the table needs:

1. Once: a Debian 12 chroot (``debootstrap --variant=minbase bookworm``, at
   ``--chroot``, default ``/srv/deb12``) with bookworm, bookworm-updates and
   bookworm-security, plus only ``python3``, ``python3-venv`` and
   ``ca-certificates``. Its package set (``dpkg-query -W``) is the baseline.
   ``/proc``, ``/sys`` and ``/dev`` are mounted for the run and unmounted at
   the end; a ``policy-rc.d`` keeps packages from starting services.
2. The version: the newest final release on PyPI (JSON API) that has an sdist
   whose Requires-Python admits the chroot's Python (3.11) and is admitted by
   the table's ``versions``; ``--version NAME=VERSION``
   picks another one (recorded with the reason given after a colon).
3. The packages: the table is written into a ``pyproject.toml`` and
   ``extdeps lint`` must report no warnings (registry ids only); ``extdeps
   install DIR --ecosystem debian+12 --all`` prints the apt command, whose
   packages are installed in the chroot exactly as printed.
4. The build, inside the chroot: a virtual environment in the chroot's work
   directory (``--work-dir``, which also holds the build's TMPDIR) and ``pip
   install --no-cache-dir --use-pep517 --no-binary NAME NAME==VERSION`` (a wheel
   is built, as pip 23.1 and later always do).
   Build isolation fetches Python build requirements from PyPI. Every request
   goes through a proxy of this script that admits only the package index
   (pypi.org, files.pythonhosted.org); a build that fetches anything else
   (Rust crates, bundled downloads) is reported as not verifiable here. An
   sdist built by a Rust backend (maturin, setuptools-rust) that vendors no
   crates is reported so without a build.
5. The check: the installed distribution must hold a compiled extension
   module (a project whose extension is optional would otherwise "build" as
   pure Python), and ``ldd`` must find every library each one links.
6. The chroot goes back to its baseline: every package not in it is purged,
   then ``apt-get autoremove --purge``; the run stops if the set differs.

The result of each project is written into ``verification/project-tables.json``
(date, version, result, the apt packages, the table tried) and the summary
table of ``verification/project-tables.md`` is regenerated from it. A
candidate table that built is written into ``project-tables.json`` (kept
sorted by name). Build logs go to ``--logs`` (default
``project-tables-logs`` in the system's temporary directory).

Results: ``built``; ``failed: <first relevant error line of the log>``; ``not
verifiable here: <why>``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

# inside the chroot (``--work-dir``): the build's virtual environment, its
# temporary directory (TMPDIR) and the extension check; removed after each project
DEFAULT_WORK = "/var/tmp/extdeps-verify"

try:
    import packaging.specifiers  # noqa: F401
except ImportError:  # run with the project's virtual environment, which has it
    _VENV_PYTHON = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"
    os.execv(_VENV_PYTHON, [str(_VENV_PYTHON), *sys.argv])

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TABLES = HERE / "project-tables.json"
RECORD = HERE / "verification" / "project-tables.json"
SUMMARY = HERE / "verification" / "project-tables.md"
EXTDEPS = REPO / ".venv" / "bin" / "extdeps"
ECOSYSTEM = "debian+12"
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
SOURCES = (
    f"deb {MIRROR} {SUITE} main\n"
    f"deb {MIRROR} {SUITE}-updates main\n"
    "deb http://security.debian.org/debian-security bookworm-security main\n"
)
BASE_PACKAGES = ["python3", "python3-venv", "ca-certificates"]
INDEX_HOSTS = {"pypi.org", "files.pythonhosted.org"}
APT_ENV = {
    "DEBIAN_FRONTEND": "noninteractive",
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/root",
}
APT_OPTS = ["-y", "-q", "-o", "Dpkg::Options::=--force-unsafe-io"]
CA_BUNDLE = "/etc/ssl/certs/host-bundle.pem"
CA_VARIABLES = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CARGO_HTTP_CAINFO")
SECTIONS = ("build-requires", "host-requires", "dependencies")
OPTIONAL = ("optional-build-requires", "optional-host-requires", "optional-dependencies")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the allow-listing proxy ------------------------------------------------


class IndexOnlyProxy:
    """An HTTP proxy (CONNECT and plain GET) admitting only the package index.

    Hosts it refused are collected in ``denied`` until ``reset()``.
    """

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.denied: list[str] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def reset(self) -> list[str]:
        with self.lock:
            denied, self.denied = self.denied, []
        return sorted(set(denied))

    def _serve(self) -> None:
        while True:
            client, _ = self.server.accept()
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(65536)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            method, target, _ = line.split(" ", 2)
            if method == "CONNECT":
                host, _, port = target.rpartition(":")
                rest = b""
            else:
                match = re.match(r"https?://([^/:]+)(?::(\d+))?", target)
                if not match:
                    return
                host, port = match.group(1), match.group(2) or "80"
                rest = head
            if host not in INDEX_HOSTS:
                with self.lock:
                    self.denied.append(host)
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            upstream = socket.create_connection((host, int(port)), timeout=60)
            if method == "CONNECT":
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                upstream.sendall(rest)
            self._pipe(client, upstream)
        except (OSError, ValueError):
            pass
        finally:
            client.close()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 300)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        finally:
            b.close()


# --- the chroot -------------------------------------------------------------


class Chroot:
    def __init__(self, root: Path, work: str = DEFAULT_WORK) -> None:
        self.root = root
        self.work = work.rstrip("/") or DEFAULT_WORK
        self.venv = f"{self.work}/venv"
        self.tmp = f"{self.work}/tmp"
        self.mounted: list[Path] = []
        self._python: str | None = None
        self.baseline_file = root / "var" / "lib" / "project-tables-baseline"

    def run(
        self, command: str, *, env: dict[str, str] | None = None, log_file: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**APT_ENV, **(env or {})}
        argv = ["chroot", str(self.root), "/usr/bin/env", "-i"]
        argv += [f"{k}={v}" for k, v in full_env.items()]
        argv += ["/bin/bash", "-c", command]
        if log_file is None:
            return subprocess.run(argv, text=True, capture_output=True, check=False)
        with log_file.open("a") as out:
            out.write(f"\n$ {command}\n")
            out.flush()
            return subprocess.run(
                argv, text=True, stdout=out, stderr=subprocess.STDOUT, check=False
            )

    def setup(self, ca_bundle: Path | None) -> None:
        if not (self.root / "etc" / "debian_version").exists():
            if shutil.which("debootstrap") is None:
                subprocess.run(["apt-get", "install", "-y", "debootstrap"], check=True)
            subprocess.run(
                ["debootstrap", "--variant=minbase", SUITE, str(self.root), MIRROR], check=True
            )
        shutil.copyfile("/etc/resolv.conf", self.root / "etc" / "resolv.conf")
        (self.root / "etc" / "apt" / "sources.list").write_text(SOURCES)
        bundle = self.root / CA_BUNDLE.lstrip("/")
        if ca_bundle is not None:
            shutil.copyfile(ca_bundle, bundle)
        elif bundle.exists():
            bundle.unlink()
        policy = self.root / "usr" / "sbin" / "policy-rc.d"
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
        self.mount()
        if not self.baseline_file.exists():
            base = " ".join(BASE_PACKAGES)
            opts = " ".join(APT_OPTS)
            done = self.run(
                f"apt-get update -q && apt-get install {opts} --no-install-recommends {base}"
            )
            if done.returncode:
                raise SystemExit(f"chroot setup failed:\n{done.stdout}{done.stderr}")
            self.baseline_file.write_text("\n".join(sorted(self.packages())) + "\n")
        else:
            self.run("apt-get update -q")

    @property
    def python(self) -> str:
        """The version of the chroot's python3."""
        if self._python is None:
            done = self.run("python3 -c 'import platform; print(platform.python_version())'")
            self._python = done.stdout.strip()
        return self._python

    def mount(self) -> None:
        for name, args in (
            ("proc", ["-t", "proc", "proc"]),
            ("sys", ["--rbind", "/sys"]),
            ("dev", ["--rbind", "/dev"]),
        ):
            target = self.root / name
            if os.path.ismount(target):
                continue
            subprocess.run(["mount", *args, str(target)], check=True)
            if name != "proc":
                subprocess.run(["mount", "--make-rslave", str(target)], check=True)
            self.mounted.append(target)

    def unmount(self) -> None:
        for target in reversed(self.mounted):
            subprocess.run(["umount", "-R", str(target)], check=False)
        self.mounted.clear()

    def packages(self) -> set[str]:
        done = self.run("dpkg-query -W -f '${Package}\\n'")
        return {line.strip() for line in done.stdout.splitlines() if line.strip()}

    def baseline(self) -> set[str]:
        return set(self.baseline_file.read_text().split())

    def restore(self, log_file: Path) -> None:
        self.run(f"rm -rf {self.work} /root/.cache", log_file=log_file)
        extra = sorted(self.packages() - self.baseline())
        opts = " ".join(APT_OPTS)
        if extra:
            self.run(f"apt-get purge {opts} {' '.join(extra)}", log_file=log_file)
        self.run(f"apt-get autoremove --purge {opts}", log_file=log_file)
        now = self.packages()
        if now != self.baseline():
            raise SystemExit(
                f"chroot not back to its baseline: +{sorted(now - self.baseline())} "
                f"-{sorted(self.baseline() - now)}"
            )


# --- PyPI ---------------------------------------------------------------------


def pypi_release(name: str, versions: str, pin: str | None, python: str) -> tuple[str, str, str]:
    """(version, sdist URL, sdist filename) of the newest final release with an sdist
    whose Requires-Python admits ``python`` (the chroot's)."""
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as response:
        data = json.load(response)
    spec = SpecifierSet(versions)
    best: tuple[Version, str, dict] | None = None
    for text, files in data["releases"].items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if pin is not None:
            if version != Version(pin):
                continue
        elif version.is_prerelease or version.is_devrelease or version not in spec:
            continue
        sdists = [
            f
            for f in files
            if f["packagetype"] == "sdist"
            and not f.get("yanked")
            and python in SpecifierSet(f.get("requires_python") or "")
        ]
        if sdists and (best is None or version > best[0]):
            best = (version, text, sdists[0])
    if best is None:
        raise LookupError(f"no release of {name} with an sdist admitted by {versions!r}")
    url = urllib.parse.urljoin(response.url, best[2]["url"])
    return best[1], url, best[2]["filename"]


def sdist_files(url: str, filename: str, workdir: Path) -> tuple[list[str], str]:
    """The names in the sdist and the text of its top-level pyproject.toml."""
    path = workdir / filename
    urllib.request.urlretrieve(url, path)
    pyproject = b""
    if filename.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            top = [n for n in names if n.count("/") == 1 and n.endswith("/pyproject.toml")]
            if top:
                pyproject = archive.read(top[0])
    else:
        with tarfile.open(path) as archive:
            names = archive.getnames()
            top = [n for n in names if n.count("/") == 1 and n.endswith("/pyproject.toml")]
            member = archive.extractfile(top[0]) if top else None
            if member is not None:
                pyproject = member.read()
    return names, pyproject.decode("utf-8", "replace")


def rust_without_vendored_crates(names: list[str], pyproject: str) -> bool:
    """A Rust build backend (maturin, setuptools-rust) and no vendored crates."""
    import tomllib  # noqa: PLC0415

    try:
        requires = tomllib.loads(pyproject).get("build-system", {}).get("requires", [])
    except tomllib.TOMLDecodeError:
        requires = []
    rust = any(re.match(r"(maturin|setuptools[-_]rust)\b", r, re.IGNORECASE) for r in requires)
    vendored = any("/vendor/" in n and n.endswith(".cargo-checksum.json") for n in names)
    return rust and not vendored


# --- extdeps --------------------------------------------------------------------


def pyproject_text(name: str, version: str, external: dict) -> str:
    lines = ["[project]", f"name = {json.dumps(name)}", f"version = {json.dumps(version)}"]
    lines += ["", "[external]"]
    for key in SECTIONS:
        if key in external:
            lines.append(f"{key} = {json.dumps(external[key])}")
    for key in OPTIONAL:
        for extra, reqs in external.get(key, {}).items():
            lines.append(f"{key}.{json.dumps(extra)} = {json.dumps(reqs)}")
    return "\n".join(lines) + "\n"


def apt_packages(project_dir: Path) -> list[str]:
    lint = subprocess.run(
        [str(EXTDEPS), "lint", str(project_dir)], text=True, capture_output=True, check=False
    )
    if lint.returncode or " 0 warnings" not in lint.stdout + lint.stderr:
        raise ValueError(f"extdeps lint: {(lint.stdout + lint.stderr).strip()}")
    done = subprocess.run(
        [str(EXTDEPS), "install", str(project_dir), "--ecosystem", ECOSYSTEM, "--all"],
        text=True,
        capture_output=True,
        check=False,
    )
    command = next(
        (line for line in done.stdout.splitlines() if line.startswith("apt-get install")), None
    )
    if done.returncode or command is None:
        raise ValueError(f"extdeps install: {(done.stdout + done.stderr).strip()}")
    return [word for word in command.split()[2:] if not word.startswith("-")]


# --- one project ------------------------------------------------------------------

_ERRORS = [
    re.compile(r"fatal error: .*"),
    re.compile(
        r"(?:^|\s)(?:ERROR|Error|error): (?!subprocess-exited|metadata-generation|"
        r"legacy-install|failed-wheel|Could not build wheels|Failed building"
        r"|Command errored).*"
    ),
    re.compile(r".*(?:not found|No such file or directory|cannot find).*"),
]


def first_error(text: str, tmp: str | None = None) -> str:
    """The first relevant error line of a build log. ``tmp``: the build's TMPDIR,
    where its feature tests compile small programs (right in it, not in the
    unpacked source below it): their failure only means "not there" (an optional
    library), never why the build failed."""
    probe = (
        re.compile(re.escape(tmp.rstrip("/")) + r"/[^/\s]+\.c:\d+:\d+: fatal error")
        if tmp
        else None
    )
    lines = [line for line in text.splitlines() if probe is None or not probe.search(line)]
    for pattern in _ERRORS:
        for line in lines:
            match = pattern.search(line)
            if match:
                return match.group(0).strip()[:300]
    return (lines[-1].strip() if lines else "no output")[:300]


CHECK = r"""
import importlib.metadata as m, subprocess, sys
files = [f for f in (m.files(sys.argv[1]) or []) if f.name.endswith(('.so', '.pyd'))]
if not files:
    print('NO-EXTENSION'); sys.exit(1)
for f in files:
    out = subprocess.run(['ldd', str(f.locate())], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if 'not found' in line:
            print('UNRESOLVED', f, line.strip()); sys.exit(1)
print('EXTENSIONS', len(files))
"""


def verify(
    chroot: Chroot,
    proxy: IndexOnlyProxy,
    name: str,
    *,
    entry: dict,
    pin: str | None,
    pin_reason: str | None,
    logs: Path,
) -> dict:
    started = time.monotonic()
    row: dict = {
        "project": name,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ecosystem": ECOSYSTEM,
        "table_versions": entry.get("versions", ""),
        "external": entry["external"],
        "source": entry.get("source"),
    }
    if entry.get("note"):
        row["note"] = entry["note"]
    tag = re.sub(r"[^A-Za-z0-9.]+", "_", entry.get("versions", ""))
    log_file = logs / f"{name}{'-' + tag if tag else ''}.log"
    log_file.write_text("")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        version, url, filename = pypi_release(name, entry.get("versions", ""), pin, chroot.python)
        row["version"] = version
        if pin_reason:
            row["version_note"] = pin_reason
        (workdir / "pyproject.toml").write_text(pyproject_text(name, version, entry["external"]))
        try:
            packages = apt_packages(workdir)
        except ValueError as exc:
            row["result"] = f"failed: {str(exc).splitlines()[0]}"
            return row
        row["apt_packages"] = packages
        if rust_without_vendored_crates(*sdist_files(url, filename, workdir)):
            row["result"] = (
                "not verifiable here: the build compiles Rust crates that cargo downloads "
                "from crates.io (the sdist vendors none)"
            )
            return row
    log(f"== {name} {version}: apt-get install {' '.join(packages)}")
    try:
        opts = " ".join(APT_OPTS)
        done = chroot.run(
            f"apt-get install {opts} --no-install-recommends {' '.join(packages)}",
            log_file=log_file,
        )
        if done.returncode:
            row["result"] = "failed: " + first_error(log_file.read_text())
            return row
        proxy.reset()
        address = f"http://127.0.0.1:{proxy.port}"
        env = dict.fromkeys(("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"), address)
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        if (chroot.root / CA_BUNDLE.lstrip("/")).exists():
            env.update(dict.fromkeys(CA_VARIABLES, CA_BUNDLE))
        mark = log_file.stat().st_size
        done = chroot.run(
            f"rm -rf {chroot.work} && mkdir -p {chroot.tmp} && python3 -m venv {chroot.venv} && "
            f"{chroot.venv}/bin/pip install --no-cache-dir --use-pep517 "
            f"--no-binary {name} {name}=={version}",
            env={**env, "TMPDIR": chroot.tmp},
            log_file=log_file,
        )
        denied = proxy.reset()
        if denied:
            row["denied_hosts"] = denied
        if done.returncode:
            text = log_file.read_text()[mark:]
            if denied:
                row["result"] = (
                    "not verifiable here: the build fetches files from outside the package "
                    f"index ({', '.join(denied)})"
                )
            else:
                row["result"] = "failed: " + first_error(text, chroot.tmp)
            return row
        check_path = chroot.root / chroot.work.lstrip("/") / "check_extension.py"
        check_path.write_text(CHECK)
        done = chroot.run(
            f"{chroot.venv}/bin/python {chroot.work}/check_extension.py {name}", log_file=log_file
        )
        if done.returncode:
            tail = log_file.read_text().strip().splitlines()[-1]
            row["result"] = f"failed: built, but {tail}"
            return row
        row["result"] = "built"
        return row
    finally:
        chroot.restore(log_file)
        row["duration_s"] = round(time.monotonic() - started)


# --- record, summary, tables ------------------------------------------------------


def load_record() -> dict:
    if RECORD.exists():
        return json.loads(RECORD.read_text())
    return {
        "description": (
            "Builds of each project's sdist from source on Debian 12 with only the packages "
            "extdeps installs for its table: see project-tables.md and "
            "../verify_project_tables.py."
        ),
        "results": [],
    }


def save_record(record: dict, row: dict) -> None:
    def key(r: dict) -> tuple[str, str]:
        return (r["project"], r.get("table_versions", ""))

    results = [r for r in record["results"] if key(r) != key(row)]
    results.append(row)
    record["results"] = sorted(results, key=key)
    RECORD.write_text(json.dumps(record, indent=2) + "\n")


def promote(name: str, entry: dict) -> None:
    document = json.loads(TABLES.read_text())
    projects = document["projects"]
    entries = [e for e in projects.get(name, []) if e.get("versions") != entry.get("versions")]
    projects[name] = [*entries, entry]
    document["projects"] = dict(sorted(projects.items()))
    TABLES.write_text(json.dumps(document, indent=2) + "\n")


SUMMARY_HEAD = """\
# Project tables: builds from source on Debian 12

`mappings/project-tables.json` gives the `[external]` table of widely used
projects with compiled code that publish none. Each shipped table was verified
by building the project's sdist from source on a minimal Debian 12 with nothing
but the system packages that extdeps itself names for the table.

## How

`python mappings/verify_project_tables.py [PROJECT ...]` (as root; see its
docstring) does, for each project:

1. a minimal Debian 12 chroot, made once (`debootstrap --variant=minbase
   bookworm`, bookworm + bookworm-updates + bookworm-security), holding only
   `python3`, `python3-venv` and `ca-certificates`; its `dpkg-query -W` package
   set is the baseline;
2. the newest final release on PyPI with an sdist that Debian 12's Python
   (3.11) may install and the table's `versions` admits (or a version named
   with a reason, shown below);
3. `extdeps lint` on a `pyproject.toml` holding the table (no warnings: registry
   ids only), then `extdeps install DIR --ecosystem debian+12 --all`, whose apt
   packages are installed in the chroot exactly as printed;
4. a virtual environment in the chroot's work directory, then `pip install --no-cache-dir
   --use-pep517 --no-binary NAME NAME==VERSION` in the chroot (a wheel is
   built, as pip 23.1 and later always do; Debian 12's pip is 23.0): build isolation fetches the
   Python build requirements from PyPI; every request goes through a proxy
   that admits only pypi.org and files.pythonhosted.org, so a build that
   fetches anything else (Rust crates, bundled downloads) is *not verifiable
   here*, as is an sdist built by a Rust backend (maturin,
   setuptools-rust) that vendors no crates (without a build). Tools that
   ignore `https_proxy` are not caught;
5. the installed distribution must hold a compiled extension module (many
   projects fall back to pure Python when their extension fails to build), and
   `ldd` must resolve every library each one links;
6. every package not in the baseline is purged, then `apt-get autoremove
   --purge`; the run stops unless the package set equals the baseline.

Where the host's network intercepts TLS, `--ca-bundle FILE` (default
`$PIP_CERT`) is copied into the chroot for pip; it changes no package.

The tables follow the conventions of `examples/`: compilers (and pkg-config
where the build asks it) in `build-requires`; libraries in `host-requires` and,
since a build from the sdist links the system library (nothing is vendored as
in the project's wheels), also in `dependencies`; `dep:generic/python` is
implied by a compiler and not listed. A pure C or C++ extension without
system libraries still has a table: the compiler, which brings the Python
headers.

The machine-readable record is `project-tables.json` next to this file: per
project the date (UTC), version, result, the apt packages and the table tried.
Only tables whose build succeeded are shipped; the others are listed below as
pending, with the reason.

Result: `built`; `failed: <first relevant error line>`; `not verifiable here:
<why>`.

## Results
"""


def write_summary(record: dict) -> None:
    rows = record["results"]
    built = [r for r in rows if r["result"] == "built"]
    failed = [r for r in rows if r["result"].startswith("failed")]
    other = [r for r in rows if r["result"].startswith("not verifiable")]
    dates = sorted(r["date"][:10] for r in rows)
    lines = [SUMMARY_HEAD]
    if dates:
        lines.append(
            f"Runs from {dates[0]} to {dates[-1]}: {len(built)} built, {len(failed)} failed, "
            f"{len(other)} not verifiable here.\n"
        )
    lines.append("| Project | Version | Date (UTC) | Result | apt packages |")
    lines.append("|---|---|---|---|---|")
    for r in rows:
        version = r.get("version", "")
        if r.get("version_note"):
            version += f" ({r['version_note']})"
        result = r["result"].replace("|", "\\|")
        packages = " ".join(r.get("apt_packages", []))
        lines.append(f"| {r['project']} | {version} | {r['date']} | {result} | {packages} |")
    pending = failed + other
    if pending:
        lines.append("\n## Pending (not shipped)\n")
        for r in pending:
            span = f" (table for {r['table_versions']})" if r.get("table_versions") else ""
            note = f" {r['note']}" if r.get("note") else ""
            lines.append(
                f"- **{r['project']}** {r.get('version', '')}{span}: "
                f"{r['result'].rstrip('.')}.{note}"
            )
    SUMMARY.write_text("\n".join(lines) + "\n")


# --- main -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="*", help="projects to verify (default: all)")
    parser.add_argument("--candidates", type=Path, help="a project-tables file of tables to try")
    parser.add_argument("--chroot", type=Path, default=Path("/srv/deb12"))
    parser.add_argument(
        "--work-dir",
        default=DEFAULT_WORK,
        help=f"the build's directory inside the chroot (default {DEFAULT_WORK})",
    )
    parser.add_argument(
        "--logs", type=Path, default=Path(tempfile.gettempdir()) / "project-tables-logs"
    )
    parser.add_argument(
        "--version",
        action="append",
        default=[],
        metavar="NAME=VERSION[:REASON]",
        help="build this version instead of the newest",
    )
    parser.add_argument(
        "--ca-bundle",
        type=Path,
        default=os.environ.get("PIP_CERT") or None,
        help="CA certificates for HTTPS in the chroot, where the host's network intercepts "
        "TLS (default: $PIP_CERT)",
    )
    args = parser.parse_args(argv)
    shipped = json.loads(TABLES.read_text())["projects"]
    candidates = json.loads(args.candidates.read_text())["projects"] if args.candidates else {}
    tables = {**shipped, **candidates}
    names = args.projects or sorted(tables)
    unknown = [n for n in names if n not in tables]
    if unknown:
        parser.error(f"no table for {', '.join(unknown)}")
    pins: dict[str, tuple[str, str | None]] = {}
    for item in args.version:
        name, _, rest = item.partition("=")
        version, _, reason = rest.partition(":")
        pins[name] = (version, reason or None)
    args.logs.mkdir(parents=True, exist_ok=True)
    chroot = Chroot(args.chroot, args.work_dir)
    proxy = IndexOnlyProxy()
    record = load_record()
    try:
        chroot.setup(args.ca_bundle)
        for name in names:
            for entry in tables[name]:
                pin, reason = pins.get(name, (None, None))
                try:
                    row = verify(
                        chroot, proxy, name, entry=entry, pin=pin, pin_reason=reason, logs=args.logs
                    )
                except LookupError as exc:
                    log(f"!! {name}: {exc}")
                    continue
                log(
                    f"-> {name} {row.get('version')}: {row['result']} ({row.get('duration_s', 0)}s)"
                )
                save_record(record, row)
                write_summary(record)
                if row["result"] == "built" and name in candidates:
                    promote(name, entry)
    finally:
        chroot.unmount()
    return 0


if __name__ == "__main__":
    sys.exit(main())
