#!/usr/bin/env python3
"""Check that every package named in a PEP 804 mapping exists in an APT package index.

Usage::

    python3 mappings/verify_apt.py mappings/debian+12.mapping.json
    python3 mappings/verify_apt.py --apt-dir "$APT_DIR/trixie" --update \
        mappings/debian+13.mapping.json

All names of a mapping (every ``specs`` string, in every category) are checked in
one batch against the output of a single ``apt-cache dumpavail`` run. A name is
accepted only when a real binary package of that name is in the index; a name
that exists only as a ``Provides`` of other packages (a virtual package such as
``libc-dev``) is reported separately and also counts as a failure. Packages that
are merely installed on this machine but absent from the configured archives do
not count: the dpkg status file is replaced by an empty one for the query.

Without ``--apt-dir`` the system's APT configuration and index are used (run
``apt-get update`` first). ``--apt-dir DIR`` uses a private configuration that
leaves the system untouched: ``DIR/sources.list`` lists the archives, and the
index and caches live in ``DIR/lists`` and ``DIR/cache``. ``--update`` downloads
that index first. Extra ``-o`` options are passed to apt unchanged.

Exit status: 0 when every name is found, 1 when some are missing, 2 on usage or
tool errors.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

TRANSITIONAL_MARKERS = ("transitional", "dummy package")


@dataclass
class Index:
    """Real package names, names only provided by others, and short descriptions."""

    packages: set[str] = field(default_factory=set)
    provided: set[str] = field(default_factory=set)
    descriptions: dict[str, str] = field(default_factory=dict)


def apt_options(apt_dir: str | None, extra: Sequence[str], status_file: str) -> list[str]:
    """``-o`` arguments selecting the index to read."""
    options: list[str] = []
    if apt_dir is not None:
        root = os.path.abspath(apt_dir)
        options += [
            f"Dir::Etc::SourceList={os.path.join(root, 'sources.list')}",
            "Dir::Etc::SourceParts=/dev/null",
            f"Dir::State::Lists={os.path.join(root, 'lists')}",
            f"Dir::Cache={os.path.join(root, 'cache')}",
        ]
    # Never write binary caches, and ignore what happens to be installed here.
    options += [
        "Dir::Cache::pkgcache=",
        "Dir::Cache::srcpkgcache=",
        f"Dir::State::status={status_file}",
    ]
    options += list(extra)
    return [arg for option in options for arg in ("-o", option)]


def run_update(apt_dir: str, extra: Sequence[str], status_file: str) -> None:
    """``apt-get update`` for a private directory, creating its layout first."""
    root = os.path.abspath(apt_dir)
    if not os.path.isfile(os.path.join(root, "sources.list")):
        raise SystemExit(f"verify_apt: {root}/sources.list does not exist")
    for sub in ("lists/partial", "cache/archives/partial"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    # Only the Packages indexes are read: skip translations and Contents files that
    # system-wide configuration (apt-file, for one) may otherwise request.
    light = [
        "Acquire::Languages=none",
        "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false",
        "Acquire::IndexTargets::deb::Contents-udeb::DefaultEnabled=false",
    ]
    command = ["apt-get", *apt_options(apt_dir, [*light, *extra], status_file), "update"]
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        raise SystemExit(f"verify_apt: apt-get update failed with status {result.returncode}")


def parse_dumpavail(text: str) -> Index:
    """Package names, provided names and descriptions from ``apt-cache dumpavail``."""
    index = Index()
    for stanza in text.split("\n\n"):
        name = None
        for line in stanza.splitlines():
            if line.startswith("Package:"):
                name = line.partition(":")[2].strip()
                index.packages.add(name)
            elif line.startswith("Provides:"):
                for item in line.partition(":")[2].split(","):
                    provided = item.strip().split(" ", 1)[0].split(":", 1)[0]
                    if provided:
                        index.provided.add(provided)
            elif line.startswith("Description:") and name is not None:
                index.descriptions[name] = line.partition(":")[2].strip()
    return index


def load_index(apt_dir: str | None, extra: Sequence[str], *, update: bool) -> Index:
    with tempfile.NamedTemporaryFile(prefix="verify-apt-status-") as status:
        if update:
            if apt_dir is None:
                raise SystemExit("verify_apt: --update needs --apt-dir")
            run_update(apt_dir, extra, status.name)
        command = ["apt-cache", *apt_options(apt_dir, extra, status.name), "dumpavail"]
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise SystemExit("verify_apt: apt-cache not found (is this a Debian system?)") from None
    if result.returncode != 0:
        raise SystemExit(f"verify_apt: apt-cache failed: {result.stderr.strip()}")
    index = parse_dumpavail(result.stdout)
    if not index.packages:
        raise SystemExit("verify_apt: the package index is empty (run apt-get update, or --update)")
    return index


def spec_names(specs: Any) -> Iterator[str]:
    """Every package name in a ``specs`` value (string, list or category table)."""
    if isinstance(specs, str):
        yield specs
    elif isinstance(specs, list):
        for item in specs:
            yield from spec_names(item)
    elif isinstance(specs, dict):
        for value in specs.values():
            yield from spec_names(value)


def mapping_names(document: Any) -> dict[str, list[str]]:
    """Package name -> the ids that use it."""
    users: dict[str, list[str]] = {}
    for entry in document.get("mappings", []):
        if not isinstance(entry, dict) or "specs" not in entry:
            continue
        for name in spec_names(entry["specs"]):
            # "name=version" and similar specifiers: only the name goes to the index.
            bare = name.split("=", 1)[0]
            ids = users.setdefault(bare, [])
            if entry.get("id") not in ids:
                ids.append(str(entry.get("id")))
    return users


def check(path: str, index: Index, *, warn_transitional: bool) -> int:
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    users = mapping_names(document)
    missing = sorted(n for n in users if n not in index.packages and n not in index.provided)
    virtual = sorted(n for n in users if n not in index.packages and n in index.provided)
    print(f"{path}: {len(users)} package names, {len(missing) + len(virtual)} not found")
    for name in missing:
        print(f"  MISSING  {name}  ({', '.join(users[name])})")
    for name in virtual:
        print(f"  VIRTUAL  {name}  ({', '.join(users[name])}): only provided by other packages")
    if warn_transitional:
        for name in sorted(users):
            description = index.descriptions.get(name, "").lower()
            if any(marker in description for marker in TRANSITIONAL_MARKERS):
                print(f"  note     {name}: {index.descriptions[name]}")
    return len(missing) + len(virtual)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mappings", nargs="+", help="mapping files to check")
    parser.add_argument(
        "--apt-dir",
        help="private APT directory with sources.list, lists/ and cache/ (default: the system's)",
    )
    parser.add_argument(
        "--update", action="store_true", help="run apt-get update for --apt-dir before checking"
    )
    parser.add_argument(
        "-o",
        "--apt-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra APT configuration option, passed on as -o KEY=VALUE (repeatable)",
    )
    parser.add_argument(
        "--warn-transitional",
        action="store_true",
        help="also list names whose description marks them as transitional or dummy packages",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    index = load_index(args.apt_dir, args.apt_option, update=args.update)
    print(f"index: {len(index.packages)} packages")
    failures = 0
    for path in args.mappings:
        try:
            failures += check(path, index, warn_transitional=args.warn_transitional)
        except (OSError, ValueError) as exc:
            print(f"verify_apt: {path}: {exc}", file=sys.stderr)
            return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
