"""The package's layers import one way only.

Each part of ``extdeps`` sits in a layer; a module may import its own part and
the parts of lower layers, never a higher layer or another part of its own
layer. Every import counts: at module level, inside functions (the lazy ones)
and under ``TYPE_CHECKING``.

==========  ====================================================================
layer       parts
==========  ====================================================================
0           ``model``: the standard, pure
1           ``data``: shipped data, caches
2           ``resolution``: table + data -> package names
3           ``system``: everything that looks at or changes the machine
4           ``sources`` (projects, sdists, wheels), ``choices`` (ecosystem,
            mapping, providers)
5           ``checking``: resolution + evidence -> verdicts
6           ``authoring``, ``recipes``, ``preflight`` (a whole install)
7           ``build``: what the PEP 517 wrappers call
8           ``cli``
top         ``extdeps/__init__.py`` (the lazy public API), ``__main__``
==========  ====================================================================
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "extdeps"
LAYERS: tuple[tuple[str, ...], ...] = (
    ("model",),
    ("data",),
    ("resolution",),
    ("system",),
    ("sources", "choices"),
    ("checking",),
    ("authoring", "recipes", "preflight"),
    ("build",),
    ("cli",),
)
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}
TOP = len(LAYERS)


def _part(module: str) -> str | None:
    """The part of ``extdeps.<part>...``; ``""`` for the package itself."""
    if module == "extdeps":
        return ""
    if not module.startswith("extdeps."):
        return None
    return module.split(".")[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(module: str) -> bool:
    return (REPO.joinpath(*module.split(".")) / "__init__.py").is_file()


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            if _is_package(target):  # `from extdeps import cli` names a module too
                out.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
    return out


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _violations(path: Path) -> list[str]:
    own = _part(_module_name(path))
    if own in ("", "__main__"):
        return []  # the top: the lazy public API and `python -m extdeps`
    assert own in RANK, f"{path}: extdeps.{own} is in no layer; add it to LAYERS"
    problems = []
    for line, target in _imports(path):
        part = _part(target)
        if part in (None, own, "", "__version__"):
            continue  # not ours, the same part, or the package with its version (loads nothing)
        if RANK.get(part, TOP) >= RANK[own]:
            where = f"{path.relative_to(REPO)}:{line}"
            problems.append(f"{where}: extdeps.{own} (layer {RANK[own]}) imports {target}")
    return problems


def test_every_part_has_a_layer() -> None:
    parts = {_part(_module_name(p)) for p in _sources()} - {"", "__main__"}
    assert parts == set(RANK)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_down(path: Path) -> None:
    assert _violations(path) == []


def test_model_imports_only_itself() -> None:
    for path in (PACKAGE / "model").rglob("*.py"):
        for _, target in _imports(path):
            part = _part(target)
            assert part in (None, "model"), f"{path.name} imports {target}"


def test_cli_is_imported_only_from_the_top() -> None:
    importers = {
        str(path.relative_to(REPO))
        for path in [*_sources(), *(REPO / "backends").glob("*.py")]
        if _part(_module_name(path)) != "cli" and any(_part(t) == "cli" for _, t in _imports(path))
    }
    assert importers == {"extdeps/__main__.py"}


def test_backends_import_only_the_build_layer() -> None:
    for path in (REPO / "backends").glob("*.py"):
        for _, target in _imports(path):
            part = _part(target)
            assert part in (None, "build"), f"{path.name} imports {target}"


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The test itself: an upward import is reported."""
    fake = PACKAGE / "model" / "_layer_probe_tmp.py"
    fake.write_text("from extdeps.system.machine import System\n", encoding="utf-8")
    try:
        assert _violations(fake) == [
            "extdeps/model/_layer_probe_tmp.py:1: extdeps.model (layer 0) imports "
            "extdeps.system.machine"
        ]
    finally:
        fake.unlink()


def _runtime_imports(path: Path) -> set[str]:
    """Modules of extdeps a file imports when it runs (``TYPE_CHECKING`` blocks skipped)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    out: set[str] = set()
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("extdeps."))
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - max(node.level - 1, 0)]
            target = (
                ".".join([*base, node.module] if node.module else base)
                if node.level
                else node.module or ""
            )
            if not target.startswith("extdeps."):
                continue
            out.add(target)
            if _is_package(target):
                out.update(
                    f"{target}.{a.name}"
                    for a in node.names
                    if (REPO.joinpath(*target.split("."), f"{a.name}.py")).is_file()
                )
    return out


def test_no_import_cycle() -> None:
    graph = {_module_name(p): _runtime_imports(p) for p in _sources()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, stack: list[str]) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target in graph and target not in state:
                visit(target, stack)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert cycles == []
