"""Rewrite an ``[external]`` table written in older draft syntax to the current standard.

What changes (nothing else does; comments, quoting and layout are kept)::

    pkg:<type>/...              ->  dep:<type>/...
    virtual:<namespace>/<name>  ->  dep:virtual/<namespace>/<name>
    .../compiler/cpp (c++)      ->  .../compiler/cxx
    pkg:...?vers=vers:t/>=1|<2  ->  dep:...@>=1,<2
    build-host-requires         ->  host-requires
    optional-build-host-requires -> optional-host-requires
    run-requires                ->  dependencies
    build_requires (any _ key)  ->  build-requires
    include_group               ->  include-group

Only the top-level ``external`` table is touched. The document is edited with
:mod:`tomlkit` (an optional dependency), which keeps everything it does not
change byte for byte. :func:`migrate_text` is pure; :func:`write_atomic` is the
only function that writes.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from extdeps.model.errors import ExtdepsError, InputError
from extdeps.model.record import Record

if TYPE_CHECKING:
    from tomlkit.container import Container
    from tomlkit.items import Array, Key

__all__ = ["Change", "Migration", "MigrationError", "migrate_requirement", "migrate_text"]

_LIST_KEYS = ("build-requires", "host-requires", "dependencies")
_TABLE_KEYS = ("optional-build-requires", "optional-host-requires", "optional-dependencies")
_KEY_RENAMES = {
    "build-host-requires": "host-requires",
    "optional-build-host-requires": "optional-host-requires",
    "run-requires": "dependencies",
}
_KNOWN_KEYS = (*_LIST_KEYS, *_TABLE_KEYS, "dependency-groups", *_KEY_RENAMES)
_CXX_NAMES = {"cpp", "c++", "c%2b%2b", "cplusplus"}
_HEAD_RE = re.compile(
    r"(?P<lead>\s*)(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):(?P<rest>\S*)(?P<trail>\s*)\Z"
)
_VIRTUAL_CXX_RE = re.compile(r"(?i)(dep:/*virtual/compiler/)([^/@?#]+)")
_VERS_RE = re.compile(r"(?i)(?:^|&)vers=([^&#]*)")
_VERS_CLAUSE_RE = re.compile(r"(>=|<=|>|<|=|!=)?(.+)\Z")
_EXTERNAL_HEADER_RE = r"(\s*(?:external|\"external\"|'external')\s*\.\s*)"


class MigrationError(ExtdepsError):
    """The table cannot be migrated automatically (a conflict to resolve by hand)."""


class Change(Record):
    """One edit: where, what it was, what it becomes."""

    __slots__ = ("key", "old", "new")
    key: str
    old: str
    new: str

    def __init__(self, *, key: str, old: str, new: str) -> None:
        self._set(key=key, old=old, new=new)

    def __str__(self) -> str:
        return f"{self.key}: {self.old!r} -> {self.new!r}"


class Migration(Record):
    """The result of :func:`migrate_text`: the new text and the edits that made it."""

    __slots__ = ("source", "old_text", "new_text", "changes", "problems")
    source: str
    old_text: str
    new_text: str
    changes: tuple[Change, ...]
    problems: tuple[ExtdepsError, ...]

    def __init__(
        self,
        *,
        source: str,
        old_text: str,
        new_text: str,
        changes: tuple[Change, ...],
        problems: tuple[ExtdepsError, ...] = (),
    ) -> None:
        self._set(
            source=source,
            old_text=old_text,
            new_text=new_text,
            changes=changes,
            problems=problems,
        )

    @property
    def needed(self) -> bool:
        return self.new_text != self.old_text

    def diff(self) -> str:
        """A unified diff from the old text to the new one (empty when nothing changed)."""
        import difflib  # noqa: PLC0415 - only when a diff is shown

        return "".join(
            difflib.unified_diff(
                self.old_text.splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                fromfile=self.source,
                tofile=self.source,
            )
        )


# -- one requirement string ---------------------------------------------------


def _vers_to_version(vers: str) -> str | None:
    """A PURL ``vers`` range as a DepURL version (``>=1,<2``), or None when it has none."""
    import urllib.parse  # noqa: PLC0415 - rare input

    text = urllib.parse.unquote(vers)
    scheme, _, rest = text.partition(":")
    if scheme.lower() != "vers" or "/" not in rest:
        return None
    constraints = [c.strip() for c in rest.split("/", 1)[1].split("|") if c.strip()]
    clauses = []
    for constraint in constraints:
        match = _VERS_CLAUSE_RE.match(constraint)
        assert match is not None  # the pattern matches any non-empty string
        op, version = match.group(1) or "=", match.group(2).strip()
        if op == "!=" or version == "*":
            return None
        clauses.append(("==" if op == "=" else op, version))
    pins = [c for c in clauses if c[0] == "=="]
    if (pins and len(clauses) > 1) or len(pins) > 1:
        return None  # a list of pins means "any of these": no DepURL equivalent
    lower = [c for c in clauses if c[0] in (">", ">=")]
    upper = [c for c in clauses if c[0] in ("<", "<=")]
    if len(lower) > 1 or len(upper) > 1 or not clauses:
        return None  # several intervals: no DepURL equivalent
    return ",".join(f"{op}{version}" for op, version in clauses)


def _migrate_head(head: str) -> str:
    match = _HEAD_RE.match(head)
    if match is None:
        return head
    lead, scheme, rest, trail = (match.group(g) for g in ("lead", "scheme", "rest", "trail"))
    low = scheme.lower()
    if low == "pkg":
        rest = rest.lstrip("/")
        found = _VERS_RE.search(rest.partition("?")[2].partition("#")[0])
        if found is not None and "@" not in rest.partition("?")[0]:
            version = _vers_to_version(found.group(1))
            if version is not None:
                path, _, tail = rest.partition("?")
                query, hash_, subpath = tail.partition("#")
                kept = "&".join(
                    q for q in query.split("&") if q and not q.lower().startswith("vers=")
                )
                rest = f"{path}@{version}" + (f"?{kept}" if kept else "") + hash_ + subpath
        text = f"dep:{rest}"
    elif low == "virtual":
        text = f"dep:virtual/{rest.lstrip('/')}"
    elif low == "dep":
        text = f"{scheme}:{rest}"
    else:
        return head

    def cxx(m: re.Match[str]) -> str:
        name = m.group(2)
        return m.group(1) + ("cxx" if name.lower() in _CXX_NAMES else name)

    return lead + _VIRTUAL_CXX_RE.sub(cxx, text) + trail


def migrate_requirement(text: str) -> str:
    """One external dependency specifier in current syntax; the marker is kept as written."""
    head, sep, marker = text.partition(";")
    return _migrate_head(head) + sep + marker


# -- the document ---------------------------------------------------------------


def _canonical_key(key: str) -> str | None:
    """The current name of a known ``[external]`` key, or None for an unknown key."""
    dashed = key.replace("_", "-")
    if dashed not in _KNOWN_KEYS:
        return None
    return _KEY_RENAMES.get(dashed, dashed)


def _external_containers(doc: Any) -> Iterator[Container]:
    """Every container that holds part of the top-level ``external`` table."""
    from tomlkit.items import InlineTable, Table  # noqa: PLC0415 - optional dependency

    for key, item in doc.body:
        if key is not None and key.key == "external" and isinstance(item, Table | InlineTable):
            yield item.value


def _rename_key(key: Key, new: str) -> None:
    """Give a parsed key a new name, keeping its quoting and the spacing around it."""
    old = key.key
    original = key.as_string()
    key.key = new
    if old in original:
        key._original = original.replace(old, new, 1)  # tomlkit has no rename API
    else:  # an escaped quoted key: write the new name plainly
        key._original = new


def _rename_headers(item: Any, old_text: str, new: str) -> None:
    """Rewrite ``[external.<old>...]`` headers of a renamed table and of its sub-tables."""
    from tomlkit.items import Table  # noqa: PLC0415 - optional dependency

    if not isinstance(item, Table):
        return
    pattern = re.compile(_EXTERNAL_HEADER_RE + re.escape(old_text))
    if item.display_name is not None:
        item.display_name = pattern.sub(lambda m: m.group(1) + new, item.display_name, count=1)
    for _, child in item.value.body:
        _rename_headers(child, old_text, new)


class _Migrator:
    def __init__(self, source: str) -> None:
        self.source = source
        self.changes: list[Change] = []
        self.errors: list[ExtdepsError] = []

    def run(self, doc: Any) -> None:
        containers = list(_external_containers(doc))
        present: dict[str, str] = {}  # current name -> the key it was written as
        for container in containers:
            for key, _ in container.body:
                if key is None:
                    continue
                new = _canonical_key(key.key)
                if new is None:
                    continue
                earlier = present.get(new)
                if earlier is not None and earlier != key.key:
                    self.errors.append(
                        MigrationError(
                            f"both '{earlier}' and '{key.key}' become '{new}'",
                            source=self.source,
                            key=f"external.{key.key}",
                            hint=f"merge them into one '{new}' by hand, then run migrate again",
                        )
                    )
                present.setdefault(new, key.key)
        if self.errors:
            return
        for container in containers:
            for key, item in container.body:
                if key is None:
                    continue
                new = _canonical_key(key.key)
                if new is None:
                    continue
                if new != key.key:
                    old_text = key.as_string().strip()
                    self.changes.append(Change(key=f"external.{key.key}", old=key.key, new=new))
                    _rename_key(key, new)
                    _rename_headers(item, old_text, new)
                path = f"external.{new}"
                if new in _LIST_KEYS:
                    self.array(path, item)
                else:
                    self.table(path, item, groups=new == "dependency-groups")

    def table(self, path: str, item: Any, *, groups: bool) -> None:
        from tomlkit.items import InlineTable, Table  # noqa: PLC0415 - optional dependency

        if not isinstance(item, Table | InlineTable):
            return
        for key, value in item.value.body:
            if key is None:
                continue
            if isinstance(value, Table | InlineTable):  # dotted keys: a.b = [...]
                self.table(f"{path}.{key.key}", value, groups=groups)
            else:
                self.array(f"{path}.{key.key}", value, groups=groups)

    def array(self, path: str, item: Any, *, groups: bool = False) -> None:
        from tomlkit.items import Array, InlineTable, String  # noqa: PLC0415

        if not isinstance(item, Array):
            return
        for i, value in enumerate(list(item)):
            if isinstance(value, String):
                new = migrate_requirement(str(value))
                if new != str(value):
                    self.changes.append(Change(key=f"{path}[{i}]", old=str(value), new=new))
                    _replace_string(item, i, value, new)
            elif groups and isinstance(value, InlineTable):
                for key, _ in value.value.body:
                    if key is not None and key.key == "include_group":
                        self.changes.append(
                            Change(key=f"{path}[{i}]", old="include_group", new="include-group")
                        )
                        _rename_key(key, "include-group")


def _replace_string(array: Array, index: int, old: Any, new: str) -> None:
    """Put ``new`` at ``index`` in the quoting style of the string it replaces, the
    marker part written exactly as before (only the DepURL in front changes)."""
    from tomlkit.items import String, StringType  # noqa: PLC0415 - optional dependency

    kind = old.type
    quote = kind.value
    written = old.as_string()[len(quote) : -len(quote)]
    old_head = str(old).partition(";")[0]
    new_head = new.partition(";")[0]
    if not kind.is_multiline() and written.startswith(old_head):
        replacement = String(kind, new, new_head + written[len(old_head) :], old.trivia)
    else:
        replacement = String.from_raw(new, StringType.SLB)
    array[index] = replacement


def _import_tomlkit() -> Any:
    try:
        import tomlkit  # noqa: PLC0415 - needed by migrate only
    except ModuleNotFoundError:  # pragma: no cover - a core dependency; a broken install
        raise ExtdepsError(
            "migrate needs tomlkit, a dependency of extdeps, to edit TOML keeping comments",
            hint="reinstall extdeps: pip install --force-reinstall extdeps",
        ) from None
    return tomlkit


def migrate_text(text: str, *, source: str = "pyproject.toml") -> Migration:
    """Migrate the ``[external]`` table of a ``pyproject.toml`` text.

    Raises :class:`InputError` for invalid TOML and :class:`MigrationError` (in an
    :class:`~extdeps.InvalidDocument`) for conflicts that need a human. Problems
    that remain in the migrated table (what validation still rejects) are in
    :attr:`Migration.problems`.
    """
    from extdeps.model.errors import InvalidDocument  # noqa: PLC0415
    from extdeps.model.external import External  # noqa: PLC0415
    from extdeps.sources import parse_pyproject  # noqa: PLC0415

    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    parse_pyproject(body.encode("utf-8"), source)  # one clear error for invalid TOML
    tomlkit = _import_tomlkit()
    try:
        doc = tomlkit.parse(body)
    except Exception as exc:  # tomlkit's errors share no useful base class
        raise InputError(f"cannot edit this TOML: {exc}", source=source) from None
    migrator = _Migrator(source)
    migrator.run(doc)
    if migrator.errors:
        raise InvalidDocument(migrator.errors, source=source)
    new_text = bom + doc.as_string() if migrator.changes else text
    problems: tuple[ExtdepsError, ...] = ()
    try:
        External.from_pyproject(parse_pyproject(new_text.encode("utf-8"), source), source=source)
    except InvalidDocument as exc:
        problems = tuple(exc.errors)
    return Migration(
        source=source,
        old_text=text,
        new_text=new_text,
        changes=tuple(migrator.changes),
        problems=problems,
    )


def write_atomic(path: str, text: str) -> None:
    """Replace the contents of ``path`` (a symlink's target) with ``text``.

    The file keeps its owner, group, permission bits and hard links, and is never
    seen half-written:

    - a read-only file (no write permission for its owner) is refused;
    - a file with several hard links is rewritten in place (replacing it would
      split the links), after the new text was written and synced elsewhere;
    - otherwise a new file is written next to it and renamed over it. On Linux
      that file is anonymous (``O_TMPFILE``) until the rename, so even a
      ``kill -9`` leaves nothing behind; elsewhere a named temporary file is
      removed on every path that Python sees.
    """
    import stat  # noqa: PLC0415 - only when writing

    data = text.encode("utf-8")
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    _remove_leftovers(directory)
    try:
        st = os.stat(target)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=path) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError("not a regular file; nothing was written", source=path)
    if not st.st_mode & stat.S_IWUSR:
        raise InputError(
            "the file is read-only; nothing was written",
            source=path,
            hint="make it writable (chmod u+w) if it should be migrated",
        )
    if st.st_nlink > 1:
        _rewrite_in_place(target, data, path)
        return
    temp_fd, temp_name = _new_file(directory, path)
    try:
        with os.fdopen(temp_fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), stat.S_IMODE(st.st_mode))
            if hasattr(os, "fchown"):
                with contextlib.suppress(PermissionError):  # only root may give files away
                    os.fchown(handle.fileno(), st.st_uid, st.st_gid)
            if temp_name is None:  # anonymous: give it a name only now
                temp_name = _link_anonymous(handle.fileno(), directory)
        os.replace(temp_name, target)
        temp_name = None
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", source=path) from None
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)


def _remove_leftovers(directory: str) -> None:
    """Remove the temporary files of an earlier run killed between naming its new
    file and renaming it (``.pyproject.<12 hex digits>.tmp``, owned by this user)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    for name in names:
        middle = name[len(".pyproject.") : -len(".tmp")]
        if not (name.startswith(".pyproject.") and name.endswith(".tmp")):
            continue
        if len(middle) != 12 or middle.strip("0123456789abcdef"):
            continue
        path = os.path.join(directory, name)
        with contextlib.suppress(OSError):
            if uid is None or os.lstat(path).st_uid == uid:
                os.unlink(path)


def _new_file(directory: str, path: str) -> tuple[int, str | None]:
    """(file descriptor, name): an anonymous file where the system has them."""
    flag = getattr(os, "O_TMPFILE", 0)
    if flag:
        try:
            return os.open(directory, flag | os.O_WRONLY, 0o600), None
        except OSError:
            pass  # a file system without O_TMPFILE: a named file then
    import secrets  # noqa: PLC0415

    while True:
        name = os.path.join(directory, f".pyproject.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"cannot write in {directory}: {exc.strerror}", source=path) from None
        return fd, name


def _link_anonymous(fd: int, directory: str) -> str:
    """Give an ``O_TMPFILE`` file a (random, hidden) name in ``directory``."""
    import secrets  # noqa: PLC0415

    anchor = os.open(directory, os.O_RDONLY)
    try:
        while True:
            name = os.path.join(directory, f".pyproject.{secrets.token_hex(6)}.tmp")
            try:
                # a directory descriptor makes Python use linkat() with
                # AT_SYMLINK_FOLLOW, which links the file /proc/self/fd/N names
                os.link(f"/proc/self/fd/{fd}", name, src_dir_fd=anchor, follow_symlinks=True)
            except FileExistsError:
                continue
            return name
    finally:
        os.close(anchor)


def _rewrite_in_place(target: str, data: bytes, path: str) -> None:
    """Write ``data`` into the existing file (its inode, so its hard links stay)."""
    try:
        with open(target, "r+b") as handle:
            handle.write(data)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", source=path) from None
