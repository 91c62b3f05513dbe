"""One check for a whole install: what the installer would install, and what each
distribution needs from the system.

The installer (pip) says which distributions it would install for the target
interpreter and where from. For each one:

- a wheel: its ``Requires-External-Dep`` metadata (run time), read from the
  installer's report, and for a wheel on the local disk also the
  ``.dist-info/EXTERNAL`` file the build wrappers write;
- an sdist or a local project directory, which will be built: its
  ``[external]`` table (build, host and run time), read from the sdist fetched
  through the installer; when it declares none, extdeps' table for that project
  and version (``mappings/project-tables.json``, or ``--project-tables DIR``),
  always said so;
- otherwise nothing is known, and the report says that it was not checked.

The requirements of every distribution (with the extras the installer selected)
become one table, checked once; each result names the distributions that want
it, and one install command covers everything missing.
"""

from __future__ import annotations

import os
import tempfile

from extdeps.data.project_tables import ProjectTable, ProjectTables, normalize_name
from extdeps.model.errors import ExtdepsError
from extdeps.model.external import External
from extdeps.model.record import Record
from extdeps.system.installers import Planned, pip_download, pip_report
from extdeps.system.machine import System

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from extdeps.checking import CheckReport
    from extdeps.choices import Choices

__all__ = [
    "Found",
    "Preflight",
    "gather",
    "lock_requirements",
    "preflight",
    "tables_from_directory",
]

_CATEGORIES = {"build": "build-requires", "host": "host-requires", "run": "dependencies"}
_OPTIONAL = {
    "build": "optional-build-requires",
    "host": "optional-host-requires",
    "run": "optional-dependencies",
}


class Found(Record):
    """What is known of one planned distribution's external dependencies."""

    __slots__ = ("planned", "external", "how", "declared", "table")
    planned: Planned
    external: External
    how: str
    declared: bool
    table: ProjectTable | None

    def __init__(
        self,
        *,
        planned: Planned,
        external: External,
        how: str,
        declared: bool,
        table: ProjectTable | None = None,
    ) -> None:
        self._set(planned=planned, external=external, how=how, declared=declared, table=table)

    @property
    def built(self) -> bool:
        return self.planned.kind in ("sdist", "directory")

    @property
    def checked(self) -> bool:
        """Whether anything is known: a table of its own or of extdeps', or a wheel
        (whose metadata lists its run-time needs, possibly none)."""
        return self.declared or self.table is not None or not self.built


class Preflight(Record):
    """The planned distributions, what each needs, and the one check of them all."""

    __slots__ = ("found", "report", "origins")
    found: tuple[Found, ...]
    report: CheckReport
    origins: dict[str, tuple[str, ...]]

    def __init__(
        self, *, found: Sequence[Found], report: CheckReport, origins: dict[str, tuple[str, ...]]
    ) -> None:
        self._set(found=tuple(found), report=report, origins=dict(origins))

    def wanted_by(self, origin: str) -> tuple[str, ...]:
        """The distributions (``name version``) behind a result's origin key path."""
        return self.origins.get(origin, ())


def tables_from_directory(directory: str) -> ProjectTables:
    """``<project>.toml`` files in ``directory``, each an ``[external]`` table that
    applies to every version of that project (``--project-tables DIR``)."""
    from extdeps.sources import parse_pyproject, read_file_bytes  # noqa: PLC0415

    if not os.path.isdir(directory):
        raise ExtdepsError("not a directory (expected <project>.toml files)", source=directory)
    out: dict[str, list[ProjectTable]] = {}
    for entry in sorted(os.listdir(directory)):
        if not entry.endswith(".toml"):
            continue
        path = os.path.join(directory, entry)
        data = parse_pyproject(read_file_bytes(path, what="a project table"), path)
        name = normalize_name(entry.removesuffix(".toml"))
        external = External.from_pyproject(data, source=path)
        out[name] = [ProjectTable(project=name, versions="", external=external, origin=path)]
    return ProjectTables(out)


def lock_requirements(path: str) -> list[str]:
    """The pinned set of a ``pylock.toml`` (PEP 751) as pip arguments: each package
    as ``name==version`` with its marker, or its local directory or archive, and
    ``--no-deps`` (the lock is the whole set). pip then chooses, as an install
    would, between each package's wheels and its sdist."""
    from extdeps.sources import parse_pyproject, read_file_bytes  # noqa: PLC0415

    data = parse_pyproject(read_file_bytes(path, what="a lock file"), path)
    version = data.get("lock-version")
    if not isinstance(version, str) or version.split(".")[0] != "1":
        raise ExtdepsError(
            "expected lock-version 1.x (a PEP 751 pylock.toml)", source=path, key="lock-version"
        )
    packages = data.get("packages")
    if not isinstance(packages, list):
        raise ExtdepsError("expected an array of tables", source=path, key="packages")
    out: list[str] = []
    base = os.path.dirname(os.path.abspath(path))
    for i, package in enumerate(packages):
        key = f"packages[{i}]"
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            raise ExtdepsError("expected a table with a name", source=path, key=key)
        marker = package.get("marker")
        suffix = f" ; {marker}" if isinstance(marker, str) and marker.strip() else ""
        local = package.get("directory") or package.get("archive")
        if isinstance(local, dict) and isinstance(local.get("path"), str):
            out.append(os.path.join(base, local["path"]) + suffix)
            continue
        if isinstance(local, dict) and isinstance(local.get("url"), str):
            out.append(f"{package['name']} @ {local['url']}{suffix}")
            continue
        if not isinstance(package.get("version"), str):
            raise ExtdepsError(
                "expected a version (or a directory or archive)", source=path, key=f"{key}.version"
            )
        out.append(f"{package['name']}=={package['version']}{suffix}")
    return [*out, "--no-deps"]


def _wheel_external(planned: Planned) -> tuple[External, str]:
    """A wheel's run-time needs: its metadata fields, or its EXTERNAL file when the
    wheel is on the local disk."""
    from extdeps.model.metadata import external_from_metadata  # noqa: PLC0415

    path = planned.local_path
    if path is not None and os.path.isfile(path):
        from extdeps.sources import project_from_wheel  # noqa: PLC0415

        return project_from_wheel(path).external, "the wheel's metadata"
    requires = planned.metadata.get("requires_external_dep") or []
    provides = planned.metadata.get("provides_external_extra") or []
    external = external_from_metadata(
        [str(r) for r in requires], [str(p) for p in provides], source=planned.url
    )
    return external, "the wheel's Requires-External-Dep"


def _sdist_external(
    planned: Planned, system: System, python: str, pip_args: Sequence[str]
) -> External:
    """An sdist's own ``[external]`` table: read from the file on the local disk, or
    fetched through pip; cached under the sdist's sha256 (its content)."""
    from extdeps.sources import load_cached, load_project  # noqa: PLC0415

    path = planned.local_path
    if path is not None and os.path.exists(path):
        return load_cached(path).external
    key = planned.sha256
    if key is not None:
        entry = system.cache.get("sdist-tables", key)
        if type(entry) is dict:
            try:
                return External.from_table(entry, source=planned.url, normalized=True)
            except ExtdepsError:
                pass  # a damaged entry is a miss
    with tempfile.TemporaryDirectory(prefix="extdeps-sdist-") as directory:
        fetched = pip_download(system, python, planned, directory, pip_args)
        external = load_project(fetched).external
    if key is not None:
        system.cache.put("sdist-tables", key, external.to_dict(), keep=256)
    return external


def gather(
    planned: Sequence[Planned],
    *,
    system: System,
    python: str,
    pip_args: Sequence[str],
    tables: ProjectTables | None,
) -> list[Found]:
    """What is known of each planned distribution (see the module docstring)."""
    from extdeps.sources import load_project  # noqa: PLC0415

    out: list[Found] = []
    for item in planned:
        if item.kind == "wheel":
            external, how = _wheel_external(item)
            out.append(Found(planned=item, external=external, how=how, declared=True))
            continue
        if item.kind == "directory":
            path = item.local_path or item.url
            external = load_project(path).external
            how = "its pyproject.toml"
        else:
            external = _sdist_external(item, system, python, pip_args)
            how = "the sdist's [external] table"
        if not external.is_empty:
            out.append(Found(planned=item, external=external, how=how, declared=True))
            continue
        table = tables.lookup(item.name, item.version) if tables is not None else None
        if table is not None:
            how = f"{table.describe()}; the project declares none"
            out.append(
                Found(planned=item, external=table.external, how=how, declared=False, table=table)
            )
        else:
            how = "the project declares no external dependencies and extdeps has no table for it"
            out.append(Found(planned=item, external=external, how=how, declared=False))
    return out


def combine(found: Sequence[Found]) -> tuple[External, dict[str, tuple[str, ...]]]:
    """One table of every requirement of every distribution (extras selected as the
    installer selected them; wheels count only at run time), duplicates merged,
    and for each entry's key path the distributions that want it."""
    lists: dict[str, list[str]] = {key: [] for key in _CATEGORIES.values()}
    wanters: dict[tuple[str, str], list[str]] = {}
    for item in found:
        categories = ("build", "host", "run") if item.built else ("run",)
        extras = {normalize_name(e) for e in item.planned.extras}
        for category in categories:
            requirements = list(item.external.required(category))  # type: ignore[arg-type]
            for extra, reqs in item.external.optional(category).items():  # type: ignore[arg-type]
                if extra in extras:
                    requirements.extend(reqs)
            key = _CATEGORIES[category]
            for req in requirements:
                text = str(req)
                who = wanters.setdefault((key, text), [])
                if not who:
                    lists[key].append(text)
                if item.planned.label() not in who:
                    who.append(item.planned.label())
    table: dict[str, Any] = {key: reqs for key, reqs in lists.items() if reqs}
    external = External.from_table(table, source="the planned install")
    origins = {
        f"external.{key}[{i}]": tuple(wanters[(key, text)])
        for key, reqs in lists.items()
        for i, text in enumerate(reqs)
    }
    return external, origins


def preflight(
    pip_args: Sequence[str],
    *,
    choices: Choices,
    system: System | None = None,
    tables: ProjectTables | None = None,
    thorough: bool = False,
    is_root: bool = False,
    strict_versions: bool = False,
) -> Preflight:
    """Plan ``pip install PIP_ARGS`` for the chosen interpreter and check, in one go,
    what every planned distribution needs from this system."""
    from extdeps.checking import check  # noqa: PLC0415

    system = system or System()
    interpreter = choices.interpreter
    python = interpreter.path if interpreter is not None else "python3"
    planned = pip_report(system, python, pip_args)
    found = gather(planned, system=system, python=python, pip_args=pip_args, tables=tables)
    external, origins = combine(found)
    report = check(
        external,
        choices=choices,
        system=system,
        thorough=thorough,
        is_root=is_root,
        strict_versions=strict_versions,
    )
    return Preflight(found=found, report=report, origins=origins)
