"""Build step: the shipped data in the form a run loads fastest.

A wheel gets ``extdeps/_compiled/`` made from ``mappings/``; an editable install
writes it into the source tree (see ``extdeps/data/compiled.py`` for when a run
trusts it). The JSON in ``mappings/`` stays the one source of truth.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompiledDataHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        sys.path.insert(0, self.root)
        try:
            from extdeps.data.compile import compile_data  # noqa: PLC0415 - from this tree

            source = os.path.join(self.root, "mappings")
            if version == "editable":
                target = os.path.join(self.root, "extdeps", "_compiled")
                compile_data(source, target, source_checkout=True)
                return
            target = tempfile.mkdtemp(prefix="extdeps-compiled-")
            for name in compile_data(source, target, source_checkout=False):
                build_data["force_include"][os.path.join(target, name)] = (
                    f"extdeps/_compiled/{name}"
                )
        finally:
            sys.path.remove(self.root)
