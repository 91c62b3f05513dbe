"""Debian packaging."""

from __future__ import annotations

from typing import Any

from extdeps.recipes.common import (
    TODO,
    norm,
    plain_lines,
    py_name,
)
from extdeps.recipes.model import RecipeData, RecipeDep

__all__ = ["render_debian"]


def _deb_python(req: Any) -> str:
    return "python3-" + py_name(req)


def render_debian(recipe: RecipeData) -> str:
    """A ``debian/control`` with a source and a binary stanza."""

    def alternatives(dep: RecipeDep) -> list[str]:
        if dep.url.is_virtual and len(dep.alternatives) > 1:
            # any provider will do, the default first; each alternative is named by its
            # principal package (a relation alternative is a single package)
            return [" | ".join(dict.fromkeys(a[0] for a in dep.alternatives))]
        return list(dep.packages)

    build, todos = plain_lines(recipe, ("build", "host"), joiner=alternatives)
    run, run_todos = plain_lines(recipe, ("run",), joiner=alternatives)
    python_build = ["python3-all-dev" if recipe.compiled else "python3-all"]
    python_build += [_deb_python(r) for r in recipe.build_system]
    source = "python-" + norm(recipe.name)
    depends = ["${python3:Depends}", "${misc:Depends}"]
    if recipe.compiled:
        depends.insert(1, "${shlibs:Depends}")
    depends += run + [_deb_python(r) for r in recipe.python_deps if r.marker is None]
    lines = [f"# {line[2:]}" for line in todos + run_todos]
    lines += [
        f"Source: {source}",
        "Section: python",
        "Priority: optional",
        f"Maintainer: {TODO} <maintainer@example.org>",
        "Build-Depends: debhelper-compat (= 13),",
        " dh-sequence-python3,",
        " pybuild-plugin-pyproject,",
    ]
    lines += [f" {item}," for item in dict.fromkeys(python_build + build)]
    lines[-1] = lines[-1].rstrip(",")
    lines += [
        "Standards-Version: 4.7.0",
        "Rules-Requires-Root: no",
    ]
    if recipe.homepage:
        lines.append(f"Homepage: {recipe.homepage}")
    lines += [
        "",
        f"Package: python3-{norm(recipe.name)}",
        f"Architecture: {'any' if recipe.compiled else 'all'}",
        "Depends:",
    ]
    lines += [f" {item}," for item in dict.fromkeys(depends)]
    lines[-1] = lines[-1].rstrip(",")
    lines += [
        f"Description: {recipe.summary or TODO}",
        f" {TODO}: a longer description.",
    ]
    return "\n".join(lines) + "\n"
