"""Package managers that can express a lower bound get it; the rest install by name."""

from __future__ import annotations

import pytest

from extdeps.data.mapping import load_mapping
from extdeps.data.registry import load_registry
from extdeps.model.external import External
from extdeps.resolution import plan_install, resolve, select


def _plan(ecosystem: str, requirement: str) -> tuple[list[list[str]], list[str]]:
    mapping = load_mapping(ecosystem)
    selected = select(External.from_table({"host-requires": [requirement]}))
    resolved = resolve(selected, registry=load_registry(), mapping=mapping)
    plan = plan_install(resolved, mapping.package_manager(), is_root=True)
    return [list(c) for c in plan.commands], list(plan.notes)


@pytest.mark.parametrize(
    ("ecosystem", "token"),
    [
        ("arch", "zlib>=1.2.11"),
        ("alpine", "zlib-dev>=1.2.11"),
        ("fedora", "zlib-ng-compat-devel >= 1.2.11"),
    ],
)
def test_lower_bound_is_passed(ecosystem: str, token: str) -> None:
    commands, notes = _plan(ecosystem, "dep:generic/zlib@>=1.2.11")
    assert commands[-1][-1] == token
    assert notes == []


@pytest.mark.parametrize("ecosystem", ["arch", "alpine", "fedora", "debian+12"])
def test_upper_bound_installs_by_name_with_a_note(ecosystem: str) -> None:
    commands, notes = _plan(ecosystem, "dep:generic/zlib@>=1.2.11,<2")
    assert "<" not in " ".join(commands[-1])
    assert len(notes) == 1
    assert "cannot express '>=1.2.11,<2'" in notes[0]
