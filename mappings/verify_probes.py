"""Check the names in probes.json against Debian's file lists (the Contents index).

Every pkg-config module, header, shared library and executable named in
``mappings/probes.json`` should exist in some Debian package; pieces that are not
(newer sonames of other distributions, update-alternatives links, tools Debian
does not package) must be explained by the entry's ``note``.

Needs ``apt-file`` (``apt-get install apt-file && apt-file update``) or the
Contents files in /var/lib/apt/lists. Run: ``python mappings/verify_probes.py``.
Exits 1 when an entry has an unexplained name that Debian does not ship.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys


def _index() -> tuple[set[str], set[str], set[str], set[str]]:
    pcs: set[str] = set()
    headers: set[str] = set()
    libs: set[str] = set()
    bins: set[str] = set()
    files = glob.glob("/var/lib/apt/lists/*_main_Contents-*.lz4")
    if not files:
        sys.exit("no Contents index: apt-get install apt-file && apt-file update")
    for name in files:
        done = subprocess.run(
            ["/usr/lib/apt/apt-helper", "cat-file", name],
            capture_output=True,
            text=True,
            errors="replace",
            check=True,
        )
        for line in done.stdout.splitlines():
            path = line.rsplit(None, 1)[0].strip() if " " in line else line
            base = path.rsplit("/", 1)[-1]
            if path.endswith(".pc") and "/pkgconfig/" in path:
                pcs.add(base[:-3])
            if path.startswith("usr/include/"):
                rel = path[len("usr/include/") :]
                headers.add(rel)
                headers.add(rel.split("/", 1)[1] if rel.startswith("x86_64-linux-gnu/") else rel)
            if ".so" in base:
                libs.add(base)
            if path.startswith(("usr/bin/", "bin/", "usr/sbin/", "sbin/")):
                bins.add(base)
    return pcs, headers, libs, bins


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "probes.json"), encoding="utf-8") as handle:
        probes = json.load(handle)["probes"]
    pcs, headers, libs, bins = _index()
    sets = {"pkg-config": pcs, "headers": headers, "libraries": libs, "executables": bins}
    unexplained = 0
    for ident, spec in probes.items():
        absent = [
            f"{k}:{v}" for k, known in sets.items() for v in spec.get(k, []) if v not in known
        ]
        if absent:
            status = "explained" if spec.get("note") else "UNEXPLAINED"
            unexplained += status == "UNEXPLAINED"
            print(f"{status}: {ident}: not in Debian: {', '.join(absent)}")
    print(f"{len(probes)} entries checked; {unexplained} unexplained")
    return 1 if unexplained else 0


if __name__ == "__main__":
    raise SystemExit(main())
