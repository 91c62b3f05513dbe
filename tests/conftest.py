"""Shared fixtures and the rule that system tests never skip silently under CI."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
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


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test gets its own extdeps cache, never the user's."""
    monkeypatch.setenv("EXTDEPS_CACHE_DIR", str(tmp_path / "extdeps-cache"))


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


MINIDATA = REPO / "tests" / "data" / "minidata"


def clear_data_caches() -> None:
    """Forget every cached data file (they are cached per process)."""
    from extdeps.data import mapping as _mapping
    from extdeps.data import probes as _probes
    from extdeps.data import registry as _registry

    _registry._load_cached.cache_clear()
    _mapping._load_mapping_file.cache_clear()
    _mapping.known_ecosystems.cache_clear()
    _probes._load.cache_clear()


@pytest.fixture
def minidata(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Use the small fixture registry and mappings in tests/data/minidata."""
    monkeypatch.setenv("EXTDEPS_DATA_DIR", str(MINIDATA))
    monkeypatch.setenv("EXTDEPS_CACHE_DIR", str(tmp_path / "cache"))
    for var in (
        "EXTDEPS_ECOSYSTEM",
        "EXTDEPS_PROVIDERS",
        "EXTDEPS_MAPPING",
        "EXTDEPS_PATCH_MAPPING",
        "EXTDEPS_EXTEND_MAPPING",
        "EXTDEPS_PACKAGE_MANAGER",
        "EXTDEPS_ROOT",
        "CONDA_PREFIX",
        "PIXI_PROJECT_ROOT",
        "PIXI_ENVIRONMENT_NAME",
        "IN_NIX_SHELL",
    ):
        monkeypatch.delenv(var, raising=False)
    clear_data_caches()
    yield MINIDATA
    clear_data_caches()
