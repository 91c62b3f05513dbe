"""Shared fixtures and the rule that system tests never skip silently under CI."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REQUIRE_SYSTEM = os.environ.get("EXTDEPS_REQUIRE_SYSTEM") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip a system test when ``condition`` is false, or fail under CI.

    CI sets ``EXTDEPS_REQUIRE_SYSTEM=1`` after installing every system package
    the suite uses, so a missing tool there is a broken CI, not a skip.
    """
    if condition:
        return
    if REQUIRE_SYSTEM:
        pytest.fail(f"system requirement missing under EXTDEPS_REQUIRE_SYSTEM=1: {reason}")
    pytest.skip(reason)


@pytest.fixture
def write_project(tmp_path: Path) -> Callable[[str], Path]:
    """Write a pyproject.toml with the given text into a fresh directory; return the directory."""
    counter = iter(range(1_000_000))

    def write(text: str) -> Path:
        directory = tmp_path / f"project{next(counter)}"
        directory.mkdir()
        (directory / "pyproject.toml").write_text(text, encoding="utf-8")
        return directory

    return write
