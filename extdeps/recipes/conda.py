"""conda-forge's ``recipe.yaml`` (v1) and conda-build's ``meta.yaml``.

Both follow conda-forge's rules (conda-smithy's linter): the sdist's URL and
sha256, the SPDX license with its ``license_file``, ``noarch: python`` for a
pure-Python project, ``extra.recipe-maintainers``, a test that imports the
modules and runs ``pip check``. What cannot be known (the maintainers' GitHub
handles, a sha256 without the sdist) is left out with a ``TODO(extdeps)``
comment, so that the linter reports it instead of accepting a wrong value.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from extdeps.recipes.common import (
    PLATFORM_ENVIRONMENTS,
    TODO,
    jinja_meta,
    jinja_v1,
    platforms_of,
    python_package,
    todo_marker,
    todo_python,
    todo_unmapped,
    unwrap_patch,
)
from extdeps.recipes.model import RecipeData

__all__ = ["render_conda_forge", "render_conda_forge_meta"]

_ECOSYSTEM = "conda-forge"


def _conda_lines(recipe: RecipeData, category: str, *, v1: bool) -> list[tuple[str, str | None]]:
    """(item, selector) pairs for a requirements section; items starting with '#'
    are comments. Extras never reach a section: conda has no optional
    dependencies, so they are listed in comments (see :func:`_extra_comments`)."""
    out: list[tuple[str, str | None]] = []
    for dep in recipe.in_category(category):  # type: ignore[arg-type]
        if dep.extra:
            continue
        selector = None
        platforms = platforms_of(dep.requirement.marker)
        if platforms is None:
            out.append((todo_marker(dep), None))
        elif not platforms:
            continue
        elif len(platforms) < len(PLATFORM_ENVIRONMENTS):
            selector = " or ".join(p for p in PLATFORM_ENVIRONMENTS if p in platforms)
        out.extend((item, selector) for item in _items(dep, category, v1=v1))
    return out


def _items(dep: object, category: str, *, v1: bool) -> list[str]:
    from extdeps.recipes.model import RecipeDep  # noqa: PLC0415

    assert isinstance(dep, RecipeDep)
    if dep.compiler and category == "build":
        jinja = "${{ compiler('%s') }}" if v1 else "{{ compiler('%s') }}"
        return [jinja % dep.compiler]
    if dep.virtual_package:
        # conda's own virtual package (__cuda, __glibc) has the same version meaning
        bound = ",".join(f"{op}{v}" for op, v in dep.url.clauses)
        return [f"{dep.virtual_package} {bound}".strip()]
    if not dep.packages:
        return [todo_unmapped(dep)]
    version = "" if dep.url.is_virtual else (dep.url.version or "")
    if version and version[0] not in "<>=":
        version = "==" + version
    return [f"{p} {version}".strip() if "=" not in p else p for p in dep.packages]


def _python(recipe: RecipeData, requirements: object, *, extra_comment: bool = False) -> list[str]:
    out = []
    for req in requirements:  # type: ignore[attr-defined]
        if req.marker is not None and not extra_comment:
            out.append(f"# {TODO}: {req} (a marker: conda needs a selector or nothing)")
            continue
        name = python_package(recipe, req, _ECOSYSTEM)
        spec = str(req.specifier)
        out.append(f"{name} {spec}".strip() if name else todo_python(req, _ECOSYSTEM))
    return out


def _noarch(recipe: RecipeData) -> bool:
    """``noarch: python``: nothing compiled and no dependency for some platforms only
    (a noarch package's selectors would be decided on the build machine)."""
    if recipe.compiled:
        return False
    every = frozenset(PLATFORM_ENVIRONMENTS)
    return all(
        platforms_of(dep.requirement.marker) in (every, None)
        for dep in recipe.deps
        if not dep.extra
    )


def _host_python(recipe: RecipeData, *, v1: bool) -> list[str]:
    python = "python"
    if _noarch(recipe):  # noarch: python, conda-forge's CFEP-25
        python = "python ${{ python_min }}.*" if v1 else "python {{ python_min }}"
    return [python, "pip", *_python(recipe, recipe.build_system)]


def _run_python(recipe: RecipeData, *, v1: bool) -> list[str]:
    python = "python"
    if _noarch(recipe):
        python = "python >=${{ python_min }}" if v1 else "python >={{ python_min }}"
    return [python, *_python(recipe, recipe.python_deps)]


def _extra_comments(recipe: RecipeData) -> list[str]:
    """Extras as comments after the run requirements: they stay optional."""
    lines: list[str] = []
    extras = sorted({d.extra for d in recipe.deps if d.extra} | set(recipe.python_extras))
    for extra in extras:
        items = [
            item
            for dep in recipe.deps
            if dep.extra == extra
            for item in _items(dep, dep.category, v1=True)
            if not item.startswith("#")
        ]
        items += _python(recipe, recipe.python_extras.get(extra, ()), extra_comment=True)
        if items:
            lines.append(f"# optional, extra '{extra}': {', '.join(items)}")
    return lines


def _sections(recipe: RecipeData, *, v1: bool) -> list[tuple[str, list[tuple[str, str | None]]]]:
    build = _conda_lines(recipe, "build", v1=v1)
    if recipe.compiled:
        build.append(("${{ stdlib('c') }}" if v1 else "{{ stdlib('c') }}", None))
    host = [(p, None) for p in _host_python(recipe, v1=v1)] + _conda_lines(recipe, "host", v1=v1)
    run = [(p, None) for p in _run_python(recipe, v1=v1)] + _conda_lines(recipe, "run", v1=v1)
    return [("build", build), ("host", host), ("run", run)]


def _python_min(recipe: RecipeData) -> str | None:
    """The lower bound of requires-python (for a noarch recipe's ``python_min``)."""
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415

    if not _noarch(recipe) or not recipe.requires_python:
        return None
    lower = [s.version for s in SpecifierSet(recipe.requires_python) if s.operator in (">=", ">")]
    return lower[0] if lower else None


def _block(text: str, indent: str) -> list[str]:
    """A YAML literal block scalar body."""
    return [f"{indent}{line}".rstrip() for line in text.strip("\n").splitlines()]


def _maintainer_comment(recipe: RecipeData) -> str:
    authors = ", ".join(str(a) for a in recipe.authors) or "the project's authors"
    authors = jinja_meta(jinja_v1(authors))
    return f"  # {TODO}: GitHub handles of the feedstock's maintainers ({authors}?)"


def _files(recipe: RecipeData, text: str, name: str) -> dict[str, str]:
    files = {name: text}
    patch = unwrap_patch(recipe)
    if patch is not None:
        files[patch[0]] = patch[1]
    return files


def render_conda_forge(recipe: RecipeData) -> dict[str, str]:
    """conda-forge's v1 recipe format (``recipe.yaml``)."""
    q = json.dumps
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        "context:",
        f"  name: {q(recipe.normalized)}",
        f"  version: {q(recipe.version)}",
    ]
    python_min = _python_min(recipe)
    if python_min:
        lines.append(f"  python_min: {q(python_min)}")
    lines += [
        "",
        "package:",
        "  name: ${{ name|lower }}",
        "  version: ${{ version }}",
        "",
        *_source(recipe, "$"),
        "",
        "build:",
        "  number: 0",
        "  script: ${{ PYTHON }} -m pip install . -vv --no-deps --no-build-isolation",
    ]
    if _noarch(recipe):
        lines.append("  noarch: python")
    lines += ["", "requirements:"]
    for name, items in _sections(recipe, v1=True):
        if not items:
            continue
        lines.append(f"  {name}:")
        for item, selector in dict.fromkeys(items):
            if item.startswith("#"):
                lines.append(f"    {item}")
            elif selector:
                lines.append(f"    - if: {selector}")
                lines.append(f"      then: {q(item)}")
            else:
                lines.append(f"    - {q(item)}")
    lines += [f"  {c}" for c in _extra_comments(recipe)]
    lines += ["", "tests:", "  - python:", "      imports:"]
    lines += [f"        - {name}" for name in recipe.import_names]
    if not recipe.import_names_known:
        lines.append(f"        # {TODO}: the module names above come from the project's name")
    lines.append("      pip_check: true")
    if _noarch(recipe):
        lines.append("      python_version: ${{ python_min }}.*")
    lines += _about(recipe, jinja_v1, "homepage")
    return _files(recipe, "\n".join(lines) + "\n", "recipe.yaml")


def _about(recipe: RecipeData, escape: Callable[[str], str], home: str) -> list[str]:
    """The ``about`` and ``extra`` sections, text escaped for the file's template
    language (``home`` is the homepage key: ``homepage`` in v1, ``home`` in meta)."""
    q = json.dumps
    lines = ["", "about:"]
    if recipe.homepage:
        lines.append(f"  {home}: {escape(q(recipe.homepage))}")
    lines.append(f"  summary: {escape(q(recipe.summary))}")
    if recipe.description:
        lines += ["  description: |", *_block(escape(recipe.description), "    ")]
    if recipe.license:
        lines.append(f"  license: {q(recipe.license)}")
    else:
        lines.append(f"  # {TODO}: license (an SPDX expression; [project] names none)")
    if recipe.license_files:
        lines.append("  license_file:")
        lines += [f"    - {escape(q(name))}" for name in recipe.license_files]
    else:
        lines.append(f"  # {TODO}: license_file (the project lists no license-files)")
    return [*lines, "", "extra:", "  recipe-maintainers: []", _maintainer_comment(recipe)]


def render_conda_forge_meta(recipe: RecipeData) -> dict[str, str]:
    """conda-build's ``meta.yaml`` with Jinja and ``# [selector]`` comments."""
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        f'{{% set name = "{recipe.normalized}" %}}',
        f'{{% set version = "{recipe.version}" %}}',
    ]
    python_min = _python_min(recipe)
    if python_min:
        lines.append(f'{{% set python_min = "{python_min}" %}}')
    lines += [
        "",
        "package:",
        "  name: {{ name|lower }}",
        "  version: {{ version }}",
        "",
        *_source(recipe, ""),
        "",
        "build:",
        "  number: 0",
        "  script: {{ PYTHON }} -m pip install . -vv --no-deps --no-build-isolation",
    ]
    if _noarch(recipe):
        lines.append("  noarch: python")
    lines += ["", "requirements:"]
    for name, items in _sections(recipe, v1=False):
        if not items:
            continue
        lines.append(f"  {name}:")
        for raw, selector in dict.fromkeys(items):
            item = raw.replace("${{", "{{")
            if item.startswith("#"):
                lines.append(f"    {item}")
            else:
                lines.append(f"    - {item}" + (f"  # [{selector}]" if selector else ""))
    lines += [f"  {c}" for c in _extra_comments(recipe)]
    lines += ["", "test:", "  imports:"]
    lines += [f"    - {name}" for name in recipe.import_names]
    if not recipe.import_names_known:
        lines.append(f"    # {TODO}: the module names above come from the project's name")
    lines += ["  commands:", "    - pip check", "  requires:", "    - pip"]
    if _noarch(recipe):
        lines.append("    - python {{ python_min }}")
    lines += _about(recipe, jinja_meta, "home")
    return _files(recipe, "\n".join(lines) + "\n", "meta.yaml")


def _source(recipe: RecipeData, dollar: str) -> list[str]:
    """The ``source:`` section: the sdist's URL on PyPI, its sha256 (or a TODO) and
    the patch, in rattler-build's (``dollar="$"``) or conda-build's Jinja."""
    j = dollar + "{{"
    lines = [
        "source:",
        f"  url: https://pypi.org/packages/source/{j} name[0] }}}}/{j} name }}}}/"
        f"{j} name | replace('-', '_') }}}}-{j} version }}}}.tar.gz",
    ]
    if recipe.sha256:
        lines.append(f"  sha256: {recipe.sha256}")
    else:
        lines.append(f"  # {TODO}: sha256 of {recipe.sdist_filename} (give the sdist to extdeps)")
    patch = unwrap_patch(recipe)
    if patch is not None:
        lines += ["  patches:", f"    - {patch[0]}"]
    return lines
