"""Asking the installer that will do an install what it would install.

``pip install --dry-run --report -`` (pip 22.2 and later) resolves the
requirements for the target interpreter with the user's own configuration
(index, find-links, credentials, proxies, constraints) and reports every
distribution it would install: where from (a wheel, an sdist or a local
directory), its core metadata and the extras requested. Nothing is installed;
pip may prepare an sdist's metadata, as it does for any install.

An sdist's ``pyproject.toml`` is not in the report; ``pip download --no-deps``
fetches the sdist through the same configuration (and pip's HTTP cache, so the
dry run's download is reused), into a private temporary directory. extdeps
itself never opens a network connection.
"""

from __future__ import annotations

import os

from extdeps.model.errors import ExtdepsError, UndecidedError
from extdeps.model.record import Record
from extdeps.system.machine import System

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

__all__ = ["Planned", "index_options", "parse_pip_report", "pip_download", "pip_report"]

# a dry run may build metadata for sdists (and their build environments)
_TIMEOUT = 3600.0


class Planned(Record):
    """One distribution the installer would install."""

    __slots__ = ("name", "version", "kind", "url", "sha256", "metadata", "extras", "requested")
    name: str
    version: str
    kind: str  # "wheel", "sdist" or "directory"
    url: str
    sha256: str | None
    metadata: dict[str, Any]
    extras: tuple[str, ...]
    requested: bool

    def __init__(
        self,
        *,
        name: str,
        version: str,
        kind: str,
        url: str,
        sha256: str | None = None,
        metadata: dict[str, Any] | None = None,
        extras: Sequence[str] = (),
        requested: bool = False,
    ) -> None:
        self._set(
            name=name,
            version=version,
            kind=kind,
            url=url,
            sha256=sha256,
            metadata=dict(metadata or {}),
            extras=tuple(extras),
            requested=requested,
        )

    @property
    def local_path(self) -> str | None:
        """The file or directory when the URL is a ``file:`` URL."""
        if not self.url.startswith("file:"):
            return None
        from urllib.parse import unquote, urlsplit  # noqa: PLC0415

        return unquote(urlsplit(self.url).path)

    def label(self) -> str:
        return f"{self.name} {self.version}"


def parse_pip_report(document: Any) -> list[Planned]:
    """The distributions of pip's installation report (format version 1), in its
    order; raises :class:`ExtdepsError` for a document of another shape."""
    if not isinstance(document, dict) or document.get("version") != "1":
        raise ExtdepsError("pip's report is not an installation report of version 1")
    items = document.get("install")
    if not isinstance(items, list):
        raise ExtdepsError("pip's report has no 'install' list")
    out: list[Planned] = []
    for i, item in enumerate(items):
        info = item.get("download_info") if isinstance(item, dict) else None
        metadata = item.get("metadata") if isinstance(item, dict) else None
        if not isinstance(info, dict) or not isinstance(metadata, dict):
            raise ExtdepsError(f"pip's report: install[{i}] lacks download_info or metadata")
        url = info.get("url")
        name, version = metadata.get("name"), metadata.get("version")
        if not all(isinstance(v, str) for v in (url, name, version)):
            raise ExtdepsError(f"pip's report: install[{i}] lacks a URL, name or version")
        if "dir_info" in info:
            kind = "directory"
        elif str(url).split("#", 1)[0].endswith(".whl"):
            kind = "wheel"
        else:
            kind = "sdist"
        archive = info.get("archive_info")
        hashes = archive.get("hashes") if isinstance(archive, dict) else None
        sha256 = hashes.get("sha256") if isinstance(hashes, dict) else None
        if sha256 is None and isinstance(archive, dict):
            legacy = archive.get("hash")
            if isinstance(legacy, str) and legacy.startswith("sha256="):
                sha256 = legacy.removeprefix("sha256=")
        extras = item.get("requested_extras") or []
        out.append(
            Planned(
                name=str(name),
                version=str(version),
                kind=kind,
                url=str(url),
                sha256=sha256 if isinstance(sha256, str) else None,
                metadata=metadata,
                extras=[str(e) for e in extras if isinstance(e, str)],
                requested=bool(item.get("requested")),
            )
        )
    return out


# pip options that say where and how to fetch: passed on to ``pip download``
_WITH_VALUE = {
    "-i": "--index-url",
    "--index-url": "--index-url",
    "--extra-index-url": "--extra-index-url",
    "-f": "--find-links",
    "--find-links": "--find-links",
    "--trusted-host": "--trusted-host",
    "--cert": "--cert",
    "--client-cert": "--client-cert",
}
_FLAGS = {"--no-index"}


def index_options(args: Sequence[str]) -> list[str]:
    """The options among pip arguments that choose indexes, links and TLS settings,
    each as ``--option=value``."""
    out: list[str] = []
    words = list(args)
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, value = word.partition("=")
        if word in _FLAGS:
            out.append(word)
        elif name in _WITH_VALUE and eq:
            out.append(f"{_WITH_VALUE[name]}={value}")
        elif word in _WITH_VALUE and i + 1 < len(words):
            out.append(f"{_WITH_VALUE[word]}={words[i + 1]}")
            i += 1
        i += 1
    return out


def _pip(system: System, python: str) -> list[str]:
    return [python, "-m", "pip"]


def pip_report(system: System, python: str, args: Sequence[str]) -> list[Planned]:
    """What ``pip install ARGS`` would install for ``python``."""
    import json  # noqa: PLC0415

    argv = [*_pip(system, python), "install", "--dry-run", "--quiet", "--report", "-", *args]
    done = system.run(argv, timeout=_TIMEOUT, env={"PIP_NO_INPUT": "1"})
    if not done.ok:
        lines = [ln for ln in (done.stderr or done.error or "").splitlines() if ln.strip()]
        tail = lines[-1].strip() if lines else f"exit code {done.returncode}"
        raise UndecidedError(
            f"pip could not plan the install: {tail}",
            hint="run the same pip install --dry-run yourself to see pip's whole message",
        )
    start = done.stdout.find("{")
    try:
        document = json.loads(done.stdout[start:] if start >= 0 else "")
    except ValueError:
        raise UndecidedError(
            "pip printed no installation report (pip 22.2 or later is needed)"
        ) from None
    return parse_pip_report(document)


def pip_download(
    system: System, python: str, planned: Planned, directory: str, args: Sequence[str]
) -> str:
    """Fetch a planned sdist through pip into ``directory``; its path."""
    argv = [
        *_pip(system, python),
        "download",
        "--no-deps",
        "--quiet",
        "--dest",
        directory,
        *index_options(args),
        planned.url,
    ]
    done = system.run(argv, timeout=_TIMEOUT, env={"PIP_NO_INPUT": "1"})
    files = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    if not done.ok or len(files) != 1:
        lines = [ln for ln in (done.stderr or done.error or "").splitlines() if ln.strip()]
        raise UndecidedError(
            f"pip could not fetch the sdist of {planned.label()}: "
            + (lines[-1].strip() if lines else f"exit code {done.returncode}")
        )
    return os.path.join(directory, files[0])
