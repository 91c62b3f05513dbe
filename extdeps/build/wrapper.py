"""PEP 517 backend wrappers: PEP 725 core metadata and a build/host dependency check.

``extdeps.backends.mesonpy`` and ``extdeps.backends.setuptools`` are a
:class:`Wrapper` around another backend. Every hook is delegated; in addition:

* ``build_wheel`` and ``build_editable`` first check the project's
  ``build-requires`` and ``host-requires`` on this machine and stop with one
  message (each unmet requirement, what was found, the install command) when
  one is missing or at the wrong version. ``unknown`` verdicts do not stop the
  build, nor does a system whose ecosystem cannot be detected (a warning);
* the built wheel's ``METADATA`` gets ``Provides-External-Extra`` and
  ``Requires-External-Dep`` (only ``METADATA`` and ``RECORD`` change), and so
  do the prepared ``METADATA`` of ``prepare_metadata_for_build_*`` and the
  sdist's ``PKG-INFO``. ``Metadata-Version`` is left as the backend wrote it
  (see ``pep-draft/metadata-decisions.md``).

Config settings (``-C KEY=VALUE``), removed before the wrapped backend sees them:

======================  ===========================================================
``extdeps-check``       ``false`` skips the check; so do ``EXTDEPS_BUILD_CHECK=0``
                        and ``build-check = false`` in ``[tool.extdeps]`` (the
                        setting wins over the variable, which wins over the file)
``extdeps-metadata``    ``false`` leaves the metadata alone (for an index that
                        refuses fields it does not know)
======================  ===========================================================
"""

from __future__ import annotations

import base64
import contextlib
import copy
import csv
import hashlib
import importlib
import io
import os
import shutil
import stat
import struct
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from extdeps.model.errors import ExtdepsError, MappingError, UndecidedError
from extdeps.model.metadata import EXTERNAL_FILE, PROVIDES_FIELD, REQUIRES_FIELD, metadata_fields
from extdeps.sources import Project, load_project

if TYPE_CHECKING:
    import tarfile
    import zipfile

    from extdeps.checking import Verdict
    from extdeps.system.machine import System

__all__ = [
    "CHECK_SETTING",
    "ENV_CHECK",
    "METADATA_SETTING",
    "Wrapper",
    "add_fields",
    "build_check",
    "check_enabled",
    "patch_metadata_file",
    "rewrite_sdist",
    "rewrite_wheel",
    "split_settings",
]

CHECK_SETTING = "extdeps-check"
METADATA_SETTING = "extdeps-metadata"
ENV_CHECK = "EXTDEPS_BUILD_CHECK"
_OURS = (CHECK_SETTING, METADATA_SETTING)
_OUR_FIELDS = frozenset(f.lower() for f in (REQUIRES_FIELD, PROVIDES_FIELD))
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_SKIP_HINT = (
    f"to build anyway: -C{CHECK_SETTING}=false, {ENV_CHECK}=0 "
    "or build-check = false in [tool.extdeps]"
)

ConfigSettings = Mapping[str, Any] | None
Fields = Sequence[tuple[str, str]]


# -- settings ---------------------------------------------------------------
def _flag(value: object, what: str) -> bool:
    if isinstance(value, list) and value:  # a repeated -C key=value: the last one wins
        value = value[-1]
    text = str(value).strip().lower() if isinstance(value, (str, bool)) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ExtdepsError(f"{what}: expected true or false, got {value!r}")


def split_settings(config_settings: ConfigSettings) -> tuple[dict[str, Any], ConfigSettings]:
    """(our settings, the rest for the wrapped backend; None stays None)."""
    if config_settings is None:
        return {}, None
    ours = {k: v for k, v in config_settings.items() if k in _OURS}
    theirs = {k: v for k, v in config_settings.items() if k not in _OURS}
    return ours, theirs


def check_enabled(
    settings: Mapping[str, Any], environ: Mapping[str, str], tool: Mapping[str, Any]
) -> bool:
    """Whether to check before building: config setting, then variable, then file."""
    if CHECK_SETTING in settings:
        return _flag(settings[CHECK_SETTING], f"config setting {CHECK_SETTING!r}")
    if environ.get(ENV_CHECK, "").strip():
        return _flag(environ[ENV_CHECK], f"environment variable {ENV_CHECK}")
    return bool(tool.get("build-check", True))


MetadataMode = str  # "file", "core" or "off"


def metadata_mode(settings: Mapping[str, Any]) -> MetadataMode:
    """Where the wrappers put the run-time external dependencies:

    ``file`` (the default): a ``EXTERNAL`` file in the wheel's ``.dist-info``
    directory, in METADATA's header format; METADATA and the sdist's PKG-INFO
    stay as the backend wrote them, so ``twine check`` and PyPI accept them.
    ``core``: the PEP 725 fields in METADATA and PKG-INFO themselves, for indexes
    that accept them (PyPI refuses unknown fields until the PEP is accepted).
    ``off`` (``false``): nowhere.
    """
    value = settings.get(METADATA_SETTING, "file")
    if isinstance(value, list) and value:  # a repeated -C key=value: the last one wins
        value = value[-1]
    text = str(value).strip().lower()
    if text in ("file", "dist-info", "true", "1", "yes", "on"):
        return "file"
    if text == "core":
        return "core"
    if text in _FALSE:
        return "off"
    raise ExtdepsError(
        f"config setting {METADATA_SETTING!r}: expected file, core or false, got {value!r}"
    )


# -- METADATA / PKG-INFO text ---------------------------------------------------
def add_fields(text: str, fields: Fields) -> str:
    """``text`` (a METADATA or PKG-INFO document) with ``fields`` as its extdeps fields.

    Any ``Requires-External-Dep`` / ``Provides-External-Extra`` already there is
    replaced, so applying this twice gives the same result. The new fields go at
    the end of the header block; every other line, and the body, stay as they are.
    """
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    end = next((i for i, line in enumerate(lines) if line in ("\n", "\r\n")), len(lines))
    headers: list[str] = []
    dropping = False
    for line in lines[:end]:
        if line[:1] in (" ", "\t"):  # a continuation of the previous header
            if not dropping:
                headers.append(line)
            continue
        dropping = line.split(":", 1)[0].strip().lower() in _OUR_FIELDS
        if not dropping:
            headers.append(line)
    if headers and not headers[-1].endswith("\n"):
        headers[-1] += newline
    headers.extend(f"{name}: {value}{newline}" for name, value in fields)
    return "".join(headers + lines[end:])


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def _update_record(record: bytes, name: str, data: bytes) -> bytes:
    """RECORD with the row of ``name`` describing ``data``; other lines unchanged."""
    out: list[str] = []
    found = False
    for line in record.decode("utf-8").splitlines(keepends=True):
        row = next(csv.reader([line]), [])
        if row and row[0] == name:
            buffer = io.StringIO()
            body = line.rstrip("\r\n")
            csv.writer(buffer, lineterminator=line[len(body) :]).writerow(
                [name, _record_hash(data), str(len(data))]
            )
            out.append(buffer.getvalue())
            found = True
        else:
            out.append(line)
    if not found:
        raise ExtdepsError(f"{name} is not listed in the wheel's RECORD")
    return "".join(out).encode("utf-8")


def _replace_file(path: str, write: Callable[[str], None]) -> None:
    """Write a new version of ``path`` through a temporary file, then swap it in."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".extdeps-", suffix=".tmp")
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# -- wheels -----------------------------------------------------------------------
def _wheel_metadata_name(names: Sequence[str], source: str) -> str:
    found = [n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
    if len(found) != 1:
        raise ExtdepsError("expected exactly one *.dist-info/METADATA", source=source)
    return found[0]


def _without_zip64(extra: bytes) -> bytes:
    """An entry's extra field less its ZIP64 record, which the writer makes anew."""
    out = []
    i = 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[i : i + 4])
        if kind != 0x0001:
            out.append(extra[i : i + 4 + size])
        i += 4 + size
    return b"".join(out)


def _copy_zipinfo(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    import zipfile  # noqa: PLC0415 - wheels only

    new = zipfile.ZipInfo(info.filename, info.date_time)
    for attribute in ("compress_type", "comment", "create_system", "external_attr"):
        setattr(new, attribute, getattr(info, attribute))
    new.extra = _without_zip64(info.extra)
    return new


def rewrite_wheel(path: str | os.PathLike[str], fields: Fields, *, into: str = "core") -> bool:
    """Put ``fields`` into a wheel; return whether the file changed.

    ``into="core"`` writes them into METADATA (only ``METADATA`` and its
    ``RECORD`` row change); ``into="file"`` adds ``<name>.dist-info/EXTERNAL``
    (and its ``RECORD`` row). Every other entry keeps its bytes, order,
    timestamp, permissions and compression. Entries are streamed, so wheels
    with large libraries need little memory.
    """
    import zipfile  # noqa: PLC0415

    path = os.fspath(path)
    with zipfile.ZipFile(path) as zin:
        infos = zin.infolist()
        metadata = _wheel_metadata_name([i.filename for i in infos], path)
        dist_info = metadata.rsplit("/", 1)[0]
        record = dist_info + "/RECORD"
        external = dist_info + "/" + EXTERNAL_FILE
        old_record = zin.read(record)
        changes: dict[str, bytes] = {}
        if into == "core":
            old = zin.read(metadata)
            new = add_fields(old.decode("utf-8"), fields).encode("utf-8")
            if new == old:
                return False
            changes[metadata] = new
            new_record = _update_record(old_record, metadata, new)
        else:
            body = external_file_text(fields).encode("utf-8")
            names = {i.filename for i in infos}
            if external in names and zin.read(external) == body:
                return False
            changes[external] = body
            if external in names:
                new_record = _update_record(old_record, external, body)
            else:
                new_record = _add_record_row(old_record, external, body, before=record)
        changes[record] = new_record
        added = [name for name in changes if name not in {i.filename for i in infos}]

        def write(target: str) -> None:
            with zipfile.ZipFile(target, "w") as zout:
                zout.comment = zin.comment
                for info in infos:
                    if info.filename == record:
                        for name in added:  # new files go just before RECORD
                            entry = zipfile.ZipInfo(name, info.date_time)
                            entry.compress_type = zipfile.ZIP_DEFLATED
                            entry.external_attr = 0o644 << 16
                            zout.writestr(entry, changes[name])
                    copied = _copy_zipinfo(info)
                    if info.filename in changes:
                        zout.writestr(copied, changes[info.filename])
                        continue
                    copied.file_size = info.file_size  # lets the writer choose ZIP64 ahead
                    with zin.open(info) as source, zout.open(copied, "w") as target_entry:
                        shutil.copyfileobj(source, target_entry, 1 << 20)

        _replace_file(path, write)
    return True


def _add_record_row(record: bytes, name: str, data: bytes, *, before: str) -> bytes:
    """RECORD with a row for a new file, placed before the row of ``before``."""
    text = record.decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerow([name, _record_hash(data), str(len(data))])
    row = buffer.getvalue()
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if next(csv.reader([line]), [""])[0] == before:
            lines.insert(i, row)
            break
    else:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += newline
        lines.append(row)
    return "".join(lines).encode("utf-8")


def external_file_text(fields: Fields) -> str:
    """The ``EXTERNAL`` file: the fields in METADATA's header format."""
    return "".join(f"{name}: {value}\n" for name, value in fields)


def write_external_file(dist_info: str, fields: Fields) -> None:
    """Write ``EXTERNAL`` into a prepared ``.dist-info`` directory."""
    with open(os.path.join(dist_info, EXTERNAL_FILE), "w", encoding="utf-8") as handle:
        handle.write(external_file_text(fields))


def _say_where(fields: Fields, mode: str, wheel: str) -> None:
    """Tell the builder where the fields went (the frontend shows backend output)."""
    count = sum(1 for name, _ in fields if name == REQUIRES_FIELD)
    noun = "dependency" if count == 1 else "dependencies"
    if mode == "core":
        where = "METADATA (PEP 725 fields: PyPI refuses them until the PEP is accepted)"
    else:
        where = (
            f"{EXTERNAL_FILE} in the .dist-info directory; METADATA is unchanged "
            f"(-C{METADATA_SETTING}=core puts them in METADATA instead)"
        )
    print(f"extdeps: {count} run-time external {noun} of {wheel}: {where}", file=sys.stderr)


def patch_metadata_file(path: str | os.PathLike[str], fields: Fields) -> None:
    """Put ``fields`` into a METADATA file on disk (``prepare_metadata_for_build_*``)."""
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    new = add_fields(text, fields)
    if new != text:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(new)


# -- sdists -------------------------------------------------------------------------
def _is_top_pkg_info(member: tarfile.TarInfo) -> bool:
    parts = [p for p in member.name.split("/") if p not in ("", ".")]
    return member.isfile() and len(parts) == 2 and parts[1] == "PKG-INFO"


def rewrite_sdist(path: str | os.PathLike[str], fields: Fields) -> bool:
    """Put ``fields`` into a ``.tar.gz`` sdist's top-level PKG-INFO; return whether it changed.

    Every member keeps its order, name, mode, owner, timestamps and content; the
    archive is written in the pax format the sdist specification asks for.
    """
    import gzip  # noqa: PLC0415 - sdists only
    import tarfile  # noqa: PLC0415

    path = os.fspath(path)
    if not path.endswith(".tar.gz"):
        raise ExtdepsError("expected a .tar.gz sdist", source=path)
    with open(path, "rb") as handle:
        header = handle.read(10)
    mtime = int.from_bytes(header[4:8], "little") if len(header) == 10 else 0
    with tarfile.open(path, "r:gz") as tin:
        members = tin.getmembers()
        pkg_info = next((m for m in members if _is_top_pkg_info(m)), None)
        if pkg_info is None:
            raise ExtdepsError("no PKG-INFO at the top of this sdist", source=path)
        extracted = tin.extractfile(pkg_info)
        assert extracted is not None
        old = extracted.read()
        new = add_fields(old.decode("utf-8"), fields).encode("utf-8")
        if new == old:
            return False

        def write(target: str) -> None:
            with (
                open(target, "wb") as raw,
                gzip.GzipFile(
                    filename=os.path.basename(path), mode="wb", fileobj=raw, mtime=mtime
                ) as compressed,
                tarfile.open(
                    fileobj=compressed,
                    mode="w",
                    format=tarfile.PAX_FORMAT,
                    pax_headers=tin.pax_headers,
                ) as tout,
            ):
                for member in members:
                    if member is pkg_info:
                        info = copy.copy(member)
                        info.size = len(new)
                        tout.addfile(info, io.BytesIO(new))
                    elif member.isfile():
                        tout.addfile(member, tin.extractfile(member))
                    else:
                        tout.addfile(member)

        _replace_file(path, write)
    return True


# -- the check before building ---------------------------------------------------
def _warn(message: str) -> None:
    """Print a warning (its first line prefixed) where the frontend shows backend output."""
    print(f"extdeps: warning: {message}", file=sys.stderr, flush=True)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _describe(verdict: Verdict) -> str:
    url = verdict.resolved.requirement.url
    if verdict.status == "wrong-version":
        what = verdict.reason or f"found {verdict.found_version}, wanted {url.version}"
    else:
        details = [e.detail for e in verdict.evidence if e.found is False]
        what = "missing" + (f" ({'; '.join(details)})" if details else "")
        if not verdict.resolved.specs and verdict.resolved.reason:
            what += f"; {verdict.resolved.reason}"
        if not verdict.installable and verdict.reason:
            what = f"missing ({verdict.reason})"
    return f"  {verdict.resolved.selected.origin}: {url}: {what}"


def _failure_message(
    project: Project, ecosystem: str, unmet: Sequence[Verdict], commands: Sequence[Sequence[str]]
) -> str:
    """One message for the whole build: each unmet requirement, then how to fix it."""
    import shlex  # noqa: PLC0415

    n = len(unmet)
    noun = "dependency" if n == 1 else "dependencies"
    verb = "is" if n == 1 else "are"
    name = f" of {project.name}" if project.name else ""
    lines = [f"extdeps: error: {n} external build {noun}{name} {verb} not met on {ecosystem}"]
    lines.extend(_describe(v) for v in unmet)
    for command in commands:
        lines.append(f"hint: install {'it' if n == 1 else 'them'} with: {shlex.join(command)}")
    lines.append(f"hint: {_SKIP_HINT}")
    return "\n".join(lines)


def build_check(
    project: Project,
    *,
    settings: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    system: System | None = None,
    warn: Callable[[str], None] = _warn,
) -> str | None:
    """Check ``build-requires`` and ``host-requires``; the failure message, or None."""
    from extdeps.choices import resolve_choices, tool_config  # noqa: PLC0415 - only when building

    env = os.environ if environ is None else environ
    tool = tool_config(project.tool_config, project.source)
    if not check_enabled(settings or {}, env, tool):
        return None
    external = project.external
    if not (external.build_requires or external.host_requires):
        return None
    from extdeps.checking import check  # noqa: PLC0415
    from extdeps.system.machine import System  # noqa: PLC0415

    root = env.get("EXTDEPS_ROOT") or "/"
    try:
        # the interpreter running the build, whatever virtual environment is active
        choices = resolve_choices(tool=tool, environ=env, python=sys.executable)
        report = check(
            external,
            choices=choices,
            system=system if system is not None else System(root=root, environ=env),
            categories=("build", "host"),
            is_root=_is_root(),
        )
    except (UndecidedError, MappingError) as exc:
        # no mapping for this system, or a broken one: extdeps cannot tell, so it stands aside
        warn(
            f"not checking the external build dependencies: {exc}\n"
            "hint: set EXTDEPS_ECOSYSTEM to check against a known ecosystem's mapping"
        )
        return None
    unmet = list(report.unmet)
    if not unmet:
        return None
    commands: Sequence[Sequence[str]] = report.install.commands if report.install else ()
    return _failure_message(project, report.ecosystem, unmet, commands)


# -- the wrapper ------------------------------------------------------------------
@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn our errors into one clean message and exit status 1 (no traceback)."""
    try:
        yield
    except ExtdepsError as exc:
        lines = exc.render()
        raise SystemExit("\n".join([f"extdeps: error: {lines[0]}", *lines[1:]])) from None


class Wrapper:
    """The PEP 517 hooks of the backend module ``backend``, with extdeps' additions.

    A wrapper module exposes a hook only when :meth:`provides` says the wrapped
    backend has it, so frontends fall back exactly as they would without us.
    """

    def __init__(self, backend: str, *, requirement: str, extra: str) -> None:
        self.name = backend
        self.backend: ModuleType = _import_backend(backend, requirement, extra)

    def provides(self, hook: str) -> bool:
        return callable(getattr(self.backend, hook, None))

    def _project(self) -> Project:
        return load_project(".")

    def _fields(self, project: Project, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
        if metadata_mode(settings) == "off":
            return []
        return metadata_fields(project.external)

    # -- optional hooks with a default of "nothing more" -------------------------
    def _requires(self, hook: str, config_settings: ConfigSettings) -> list[str]:
        _, theirs = split_settings(config_settings)
        if not self.provides(hook):
            return []
        return list(getattr(self.backend, hook)(theirs))

    def get_requires_for_build_wheel(self, config_settings: ConfigSettings = None) -> list[str]:
        return self._requires("get_requires_for_build_wheel", config_settings)

    def get_requires_for_build_sdist(self, config_settings: ConfigSettings = None) -> list[str]:
        return self._requires("get_requires_for_build_sdist", config_settings)

    def get_requires_for_build_editable(self, config_settings: ConfigSettings = None) -> list[str]:
        return self._requires("get_requires_for_build_editable", config_settings)

    # -- metadata -------------------------------------------------------------------
    def _prepare(self, hook: str, metadata_directory: str, config_settings: ConfigSettings) -> str:
        with _user_errors():
            ours, theirs = split_settings(config_settings)
            fields = self._fields(self._project(), ours)
            name: str = getattr(self.backend, hook)(metadata_directory, theirs)
            if fields:
                directory = os.path.join(metadata_directory, name)
                if metadata_mode(ours) == "core":
                    patch_metadata_file(os.path.join(directory, "METADATA"), fields)
                else:
                    write_external_file(directory, fields)
            return name

    def prepare_metadata_for_build_wheel(
        self, metadata_directory: str, config_settings: ConfigSettings = None
    ) -> str:
        return self._prepare(
            "prepare_metadata_for_build_wheel", metadata_directory, config_settings
        )

    def prepare_metadata_for_build_editable(
        self, metadata_directory: str, config_settings: ConfigSettings = None
    ) -> str:
        return self._prepare(
            "prepare_metadata_for_build_editable", metadata_directory, config_settings
        )

    # -- building -----------------------------------------------------------------
    def _build(
        self,
        hook: str,
        wheel_directory: str,
        config_settings: ConfigSettings,
        metadata_directory: str | None,
    ) -> str:
        with _user_errors():
            ours, theirs = split_settings(config_settings)
            project = self._project()
            fields = self._fields(project, ours)
            message = build_check(project, settings=ours)
            if message is not None:
                raise SystemExit(message)
            name: str = getattr(self.backend, hook)(wheel_directory, theirs, metadata_directory)
            if fields:
                mode = metadata_mode(ours)
                rewrite_wheel(os.path.join(wheel_directory, name), fields, into=mode)
                _say_where(fields, mode, name)
            return name

    def build_wheel(
        self,
        wheel_directory: str,
        config_settings: ConfigSettings = None,
        metadata_directory: str | None = None,
    ) -> str:
        return self._build("build_wheel", wheel_directory, config_settings, metadata_directory)

    def build_editable(
        self,
        wheel_directory: str,
        config_settings: ConfigSettings = None,
        metadata_directory: str | None = None,
    ) -> str:
        return self._build("build_editable", wheel_directory, config_settings, metadata_directory)

    def build_sdist(self, sdist_directory: str, config_settings: ConfigSettings = None) -> str:
        with _user_errors():
            ours, theirs = split_settings(config_settings)
            fields = self._fields(self._project(), ours)
            name: str = self.backend.build_sdist(sdist_directory, theirs)
            # an sdist carries pyproject.toml's [external]; PKG-INFO gets the
            # fields only when asked for (PyPI refuses them until PEP 725 is accepted)
            if fields and metadata_mode(ours) == "core":
                rewrite_sdist(os.path.join(sdist_directory, name), fields)
            return name


def _import_backend(backend: str, requirement: str, extra: str) -> ModuleType:
    try:
        return importlib.import_module(backend)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] != backend.partition(".")[0]:
            raise
        raise ModuleNotFoundError(
            f"extdeps' {backend} wrapper needs {requirement}: "
            f'list "extdeps[{extra}]" in [build-system] requires',
            name=exc.name,
        ) from None
