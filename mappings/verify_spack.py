#!/usr/bin/env python3
"""Check that every package named in the Spack mapping exists in a Spack package repository.

Usage::

    python3 mappings/verify_spack.py SPACK_PACKAGES_CHECKOUT [mappings/spack.mapping.json]

``SPACK_PACKAGES_CHECKOUT`` is a clone of https://github.com/spack/spack-packages
(or any directory holding ``repos/spack_repo/builtin/packages``). A Spack package
``foo-bar`` lives in the directory ``foo_bar`` (a leading ``_`` before a digit:
``_7zip``); a spec may add variants or a version (``llvm+flang``), which are cut
off before the name is looked up. Exit status: 0 when every name is found, 1 when
some are missing, 2 on usage errors.
"""

from __future__ import annotations

import json
import os
import sys


def package_names(checkout: str) -> set[str]:
    root = os.path.join(checkout, "repos", "spack_repo", "builtin", "packages")
    names = set()
    for entry in os.listdir(root):
        if not os.path.isfile(os.path.join(root, entry, "package.py")):
            continue
        name = entry[1:] if entry.startswith("_") and entry[1:2].isdigit() else entry
        names.add(name.replace("_", "-"))
    return names


def spec_names(specs: object) -> list[str]:
    if isinstance(specs, str):
        return [specs]
    if isinstance(specs, list):
        return [n for item in specs for n in spec_names(item)]
    if isinstance(specs, dict):
        return [n for value in specs.values() for n in spec_names(value)]
    return []


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    mapping = argv[1] if len(argv) == 2 else os.path.join(here, "spack.mapping.json")
    known = package_names(argv[0])
    with open(mapping, encoding="utf-8") as handle:
        document = json.load(handle)
    missing = []
    checked = 0
    for entry in document["mappings"]:
        for spec in spec_names(entry.get("specs", [])):
            name = spec
            for stop in "+@ ~^":
                name = name.split(stop, 1)[0]
            checked += 1
            if name not in known:
                missing.append(f"{entry['id']}: {spec}")
    print(f"{checked} names checked against {len(known)} Spack packages; {len(missing)} missing")
    for line in missing:
        print(f"  missing: {line}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
