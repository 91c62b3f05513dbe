"""`extdeps map` for the SciPy-shaped example in every shipped ecosystem, pinned.

Regenerate after a deliberate data change with
``EXTDEPS_REGEN_GOLDEN=1 python -m pytest tests/test_map_golden.py`` and review the diff.
"""

from __future__ import annotations

import os

import pytest

from extdeps.cli.main import main
from tests.conftest import REPO

ECOSYSTEMS = sorted(
    p.name.removesuffix(".mapping.json") for p in (REPO / "mappings").glob("*.mapping.json")
)
GOLDEN = REPO / "tests" / "data" / "map"


@pytest.mark.parametrize("ecosystem", ECOSYSTEMS)
def test_scipy_like(ecosystem: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["map", str(REPO / "examples" / "scipy-like"), "--ecosystem", ecosystem, "--allow-unmapped"]
    )
    assert code == 0
    out = capsys.readouterr().out.split("\n", 1)[1]  # drop the line naming the source path
    golden = GOLDEN / f"scipy-like.{ecosystem}.golden"
    if os.environ.get("EXTDEPS_REGEN_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out)
    assert out == golden.read_text()
    # every dependency of the example is mapped in every shipped ecosystem
    assert "(unknown)" not in out
