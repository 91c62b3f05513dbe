"""What the recipe formats share: names, markers as platforms, TODO lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from extdeps.recipes.model import RecipeData, RecipeDep

__all__ = [
    "TODO",
    "extra_note",
    "norm",
    "plain_lines",
    "platform_of",
    "py_name",
    "py_spec",
    "todo_marker",
    "todo_unmapped",
]

PLATFORMS = {
    "linux": "linux",
    "darwin": "osx",
    "win32": "win",
    "windows": "win",
    "cygwin": "win",
}
_CLAUSE = re.compile(
    r"""^\s*(sys_platform|platform_system|os_name)\s*(==|!=)\s*["']([^"']+)["']\s*$"""
)
TODO = "TODO(extdeps)"


def platform_of(marker: Any) -> tuple[str, bool] | None:
    """A marker of the form ``sys_platform == 'linux'`` as (platform, negated)."""
    if marker is None:
        return None
    match = _CLAUSE.match(str(marker))
    if not match:
        return None
    variable, op, value = match.groups()
    value = value.lower()
    if variable == "os_name":
        value = {"posix": "", "nt": "win32"}.get(value, value)
        if not value:
            return None
    platform = PLATFORMS.get(value)
    return (platform, op == "!=") if platform else None


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def py_name(req: Any) -> str:
    return norm(str(req.name))


def py_spec(req: Any, sep: str = " ") -> str:
    spec = str(req.specifier)
    return f"{py_name(req)}{sep}{spec}" if spec else py_name(req)


def todo_unmapped(dep: RecipeDep, comment: str = "#") -> str:
    return f"{comment} {TODO}: {dep.url} ({dep.category}) has no package here: {dep.reason}"


def todo_marker(dep: RecipeDep, comment: str = "#") -> str:
    return f"{comment} {TODO}: {dep.url} applies only when {dep.requirement.marker}"


def extra_note(dep: RecipeDep, comment: str = "#") -> str | None:
    if dep.extra:
        return f"{comment} optional: extra '{dep.extra}'"
    return None


def plain_lines(
    recipe: RecipeData,
    categories: Iterable[str],
    *,
    joiner: Callable[[RecipeDep], list[str]],
    comment: str = "#",
) -> tuple[list[str], list[str]]:
    """(package entries, TODO comments) for some categories, markers made TODOs."""
    entries: list[str] = []
    todos: list[str] = []
    for category in categories:
        for dep in recipe.in_category(category):  # type: ignore[arg-type]
            if not dep.packages:
                todos.append(todo_unmapped(dep, comment))
                continue
            if dep.requirement.marker is not None:
                todos.append(todo_marker(dep, comment))
            note = extra_note(dep, comment)
            if note:
                todos.append(f"{note}: {dep.url}")
            entries.extend(joiner(dep))
    return list(dict.fromkeys(entries)), todos
