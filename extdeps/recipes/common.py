"""What the recipe formats share: names, markers as platforms, TODO lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from extdeps.recipes.model import WRAPPED, RecipeData, RecipeDep

__all__ = [
    "TODO",
    "applies_on",
    "driver_note",
    "extra_note",
    "jinja_meta",
    "jinja_v1",
    "norm",
    "patch_text",
    "plain_lines",
    "platforms_of",
    "py_name",
    "py_spec",
    "pyproject_edits",
    "rpm_text",
    "ruby_string",
    "sh_quote",
    "todo_marker",
    "todo_unmapped",
    "unwrap_patch",
    "unwrap_replacements",
]

# the platforms recipes distinguish, with the marker variables each one sets
PLATFORM_ENVIRONMENTS = {
    "linux": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"},
    "osx": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"},
    "win": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"},
}
_PLATFORM_WORDS = {"and", "or", "not", "in", "sys_platform", "platform_system", "os_name"}
TODO = "TODO(extdeps)"


def platforms_of(marker: Any) -> frozenset[str] | None:
    """The platforms (``linux``, ``osx``, ``win``) where a marker holds: all of them
    for no marker, None for a marker that tests anything but the platform."""
    if marker is None:
        return frozenset(PLATFORM_ENVIRONMENTS)
    unquoted = re.sub(r"""(["'])[^"']*\1""", "", str(marker))
    if set(re.findall(r"[A-Za-z_]+", unquoted)) - _PLATFORM_WORDS:
        return None
    return frozenset(
        name for name, environment in PLATFORM_ENVIRONMENTS.items() if marker.evaluate(environment)
    )


def applies_on(dep: RecipeDep, platform: str) -> bool | None:
    """Whether a dependency applies on one platform; None when its marker tests
    something else as well (python_version, platform_machine)."""
    platforms = platforms_of(dep.requirement.marker)
    return None if platforms is None else platform in platforms


# -- quoting text for each format's language ----------------------------------------


def sh_quote(text: str) -> str:
    """A single-quoted shell word (PKGBUILD, APKBUILD): nothing in it expands."""
    return "'" + text.replace("'", "'\\''") + "'"


def ruby_string(text: str) -> str:
    """A single-quoted Ruby string: no ``#{}`` interpolation."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def rpm_text(text: str) -> str:
    """Text in a spec file: ``%`` doubled, so that no macro expands, and no line
    that starts with ``%`` (after expansion it would open a section)."""
    lines = text.replace("%", "%%").split("\n")
    return "\n".join(f" {line}" if line.lstrip().startswith("%") else line for line in lines)


def jinja_v1(text: str) -> str:
    """Text in a v1 recipe, which is templated: every brace written as a template
    of itself, so that no ``${{ }}``, ``{% %}`` or ``{# #}`` in it is one."""
    return re.sub(r"[{}]", lambda m: "${{ '" + m.group(0) + "' }}", text)


def jinja_meta(text: str) -> str:
    """Text in a meta.yaml, which Jinja renders whole: every brace literal."""
    return re.sub(r"[{}]", lambda m: "{{ '" + m.group(0) + "' }}", text)


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def py_name(req: Any) -> str:
    return norm(str(req.name))


def py_spec(req: Any, sep: str = " ") -> str:
    spec = str(req.specifier)
    return f"{py_name(req)}{sep}{spec}" if spec else py_name(req)


def todo_unmapped(dep: RecipeDep, comment: str = "#") -> str:
    return f"{comment} {TODO}: {dep.url} ({dep.category}) has no package here: {dep.reason}"


def driver_note(dep: RecipeDep, comment: str = "#") -> str | None:
    """A note for a ``dep:virtual/driver/*`` requirement, which no package meets: a
    driver belongs to the machine (conda alone has a virtual package for it)."""
    if not (dep.url.is_virtual and dep.url.namespace == "driver"):
        return None
    when = f" when {dep.requirement.marker}" if dep.requirement.marker is not None else ""
    return (
        f"{comment} needs at run time{when}: {dep.url} (a driver of the machine, "
        "not a package dependency)"
    )


def todo_marker(dep: RecipeDep, comment: str = "#") -> str:
    return f"{comment} {TODO}: {dep.url} applies only when {dep.requirement.marker}"


def usable(
    deps: Iterable[RecipeDep],
    applies: Callable[[RecipeDep], bool | None],
    comments: list[str],
    comment: str = "#",
) -> Iterator[RecipeDep]:
    """The dependencies a format can name a package for, in order. The rest become
    comments: drivers a note, unmapped ones a TODO; a dependency whose marker the
    format cannot express (``applies`` gives None) is kept with a TODO beside it,
    one that never applies (False) is dropped."""
    for dep in deps:
        note = driver_note(dep, comment)
        if note:
            comments.append(note)
            continue
        applies_here = applies(dep)
        if applies_here is False:
            continue
        if not dep.packages:
            comments.append(todo_unmapped(dep, comment))
            continue
        if applies_here is None:
            comments.append(todo_marker(dep, comment))
        yield dep


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


# -- the build backend an extdeps wrapper wraps ------------------------------------------


def _wrapped_requirement(recipe: RecipeData) -> str | None:
    if recipe.wrapped_backend in WRAPPED:
        return WRAPPED[recipe.wrapped_backend][1]
    return None


def _unwrap_text(recipe: RecipeData, text: str) -> str:
    """pyproject.toml as a distribution build needs it: the wrapped backend named
    instead of the extdeps wrapper (a distribution has no extdeps to build with)."""
    if not recipe.wrapped_backend or not recipe.backend:
        return text
    new = re.sub(
        r"""(build-backend\s*=\s*["'])""" + re.escape(recipe.wrapped_backend) + r"""(["'])""",
        lambda m: f"{m.group(1)}{recipe.backend}{m.group(2)}",
        text,
    )
    wrapped_requirement = _wrapped_requirement(recipe)
    if wrapped_requirement:
        # the requirement "extdeps[meson]" (maybe with a version or a marker), and
        # nothing else that starts with the word: an email, a URL
        new = re.sub(
            r"""(["'])extdeps(\[[A-Za-z0-9_,\s-]*\])?(\s*[<>=!~;][^"']*)?(["'])""",
            lambda m: f"{m.group(1)}{wrapped_requirement}{m.group(4)}",
            new,
        )
    return new


_LICENSE_STRING = re.compile(r"""^(license\s*=\s*)(["'])([^"'\n]+)\2[ \t]*$""", re.MULTILINE)
_LICENSE_FILES = re.compile(r"^license-files\s*=\s*\[[^\]]*\][ \t]*(#[^\n]*)?\n", re.MULTILINE)


def _legacy_license(text: str) -> str:
    """The PEP 639 keys written the old way, for build tools that predate them: a
    license expression as ``{text = ...}``, ``license-files`` dropped."""
    text = _LICENSE_STRING.sub(
        lambda m: f"{m.group(1)}{{ text = {m.group(2)}{m.group(3)}{m.group(2)} }}", text
    )
    return _LICENSE_FILES.sub("", text)


def pyproject_edits(recipe: RecipeData, *, legacy_license: bool = False) -> str | None:
    """pyproject.toml as the distribution's build needs it, or None when it needs
    no edit: the wrapped backend instead of the extdeps wrapper, and (for build
    tools that predate PEP 639) the license written the old way."""
    text = _unwrap_text(recipe, recipe.pyproject_text)
    if legacy_license:
        text = _legacy_license(text)
    return text if text != recipe.pyproject_text else None


def patch_text(recipe: RecipeData, new: str, title: str, reasons: list[str]) -> str:
    """A patch of pyproject.toml with a DEP-3 header (read by quilt, ``patch``,
    conda's and rpm's patch steps alike)."""
    import difflib  # noqa: PLC0415
    import textwrap  # noqa: PLC0415

    diff = difflib.unified_diff(
        recipe.pyproject_text.splitlines(keepends=True),
        new.splitlines(keepends=True),
        "a/pyproject.toml",
        "b/pyproject.toml",
    )
    body = []
    for reason in reasons:
        body += [" " + line for line in textwrap.wrap(reason, 76)]
    header = f"Description: {title}\n" + "\n".join(body) + "\nForwarded: not-needed\n---\n"
    return header + "".join(diff)


def unwrap_patch(recipe: RecipeData) -> tuple[str, str] | None:
    """(file name, patch) that makes pyproject.toml name the wrapped backend, or
    None when the project does not build with an extdeps wrapper."""
    new = pyproject_edits(recipe)
    if new is None:
        return None
    module = (recipe.backend or "").split(".")[0].split(":")[0]
    reason = (
        f"The project builds with {recipe.wrapped_backend}, which wraps {recipe.backend}"
        " to check external dependencies and record them in the wheel. A distribution"
        " declares those itself, and has no extdeps to build with."
    )
    return f"build-with-{module}.patch", patch_text(
        recipe, new, f"build with {recipe.backend} itself", [reason]
    )


def unwrap_replacements(recipe: RecipeData) -> list[tuple[str, str]]:
    """The same edit as :func:`unwrap_patch`, as exact (old, new) strings of
    pyproject.toml, for formats that edit files in place (Nix's
    ``substituteInPlace``, Homebrew's ``inreplace``, Spack's ``filter_file``)."""
    if not recipe.wrapped_backend or not recipe.backend:
        return []
    text = recipe.pyproject_text
    out: list[tuple[str, str]] = []
    backend = re.search(r"""(["'])""" + re.escape(recipe.wrapped_backend) + r"""\1""", text)
    if backend:
        quote = backend.group(1)
        out.append((backend.group(0), f"{quote}{recipe.backend}{quote}"))
    requirement = _wrapped_requirement(recipe)
    if requirement:
        for match in re.finditer(
            r"""(["'])extdeps(\[[A-Za-z0-9_,\s-]*\])?(\s*[<>=!~;][^"']*)?\1""", text
        ):
            quote = match.group(1)
            pair = (match.group(0), f"{quote}{requirement}{quote}")
            if pair not in out:
                out.append(pair)
    return out


# -- Python packages by ecosystem ----------------------------------------------------


def python_package(recipe: RecipeData, requirement: Any, ecosystem: str) -> str | None:
    """The ecosystem's package for a Python requirement, from verified data."""
    return recipe.python_package(requirement, ecosystem)


def todo_python(requirement: Any, ecosystem: str, comment: str = "#") -> str:
    return (
        f"{comment} {TODO}: no verified {ecosystem} package for the Python requirement "
        f"{requirement}; add it by hand"
    )
