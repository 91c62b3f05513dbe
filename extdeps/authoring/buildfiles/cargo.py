"""``Cargo.toml``: a Rust compiler, and ``*-sys`` crates as libraries."""

from __future__ import annotations

import re

from extdeps.authoring.buildfiles import Use

__all__ = ["parse_cargo"]


def parse_cargo(text: str, file: str = "Cargo.toml") -> list[Use]:
    """A Rust compiler, and the C libraries that ``*-sys`` crates link."""
    uses = [Use(kind="language", names=["rust"], file=file, line=1)]
    for number, raw in enumerate(text.splitlines(), 1):
        match = re.match(r"\s*([A-Za-z0-9_-]+)-sys\s*=", raw)
        if match:
            name = match.group(1).lower()
            via = f"{name}-sys crate (it may build its own copy)"
            uses.append(Use(kind="library", names=[name], file=file, line=number, via=via))
    return uses
