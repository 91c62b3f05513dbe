"""Debian packaging: a whole ``debian/`` directory built with pybuild.

``control`` (Build-Depends from the mapping, minus what ``build-essential``
already brings; Python build tools named by Debian's own rule, from verified
data), ``rules`` (pybuild with the pyproject plugin, an import test),
``changelog``, ``copyright`` (DEP-5, with the project's license text),
``source/format`` (``3.0 (quilt)``), ``tests/control`` (autopkgtest),
``watch`` (PyPI through pypi.debian.net) and the patches a Debian build needs:
building with the backend an extdeps wrapper wraps, and, for releases whose
setuptools or pyproject-metadata predate PEP 639, the license written the old
way. ``dpkg-buildpackage -us -uc -b`` in the unpacked sdist builds the ``.deb``.
"""

from __future__ import annotations

import email.utils
import re
import textwrap
from typing import Any

from extdeps.recipes.common import (
    TODO,
    applies_on,
    patch_text,
    pyproject_edits,
    todo_python,
    usable,
)
from extdeps.recipes.model import Person, RecipeData, RecipeDep

__all__ = ["render_debian"]

# Debian Policy 4.2: build-essential is assumed, never listed (its Depends:
# libc6-dev, gcc, g++, make, dpkg-dev)
_BUILD_ESSENTIAL = frozenset({"build-essential", "libc6-dev", "libc-dev", "gcc", "g++", "make"})

# releases whose build tools read only the pre-PEP 639 license keys: setuptools
# before 77 and pyproject-metadata before 0.9 (meson-python) refuse a license
# expression string and ``license-files``; see mappings/verification/python-packages.md
LEGACY_LICENSE = {
    "debian+12": "setuptools 66.1.1, pyproject-metadata 0.6.1",
    "ubuntu": "setuptools 68.1.2",
    "ubuntu+24.04": "setuptools 68.1.2",
    "ubuntu+22.04": "setuptools 59.6.0",
}

# SPDX identifiers and their DEP-5 short names, where they differ
_DEP5 = {
    "MIT": "Expat",
    "BSD-2-Clause": "BSD-2-clause",
    "BSD-3-Clause": "BSD-3-clause",
    "GPL-2.0-only": "GPL-2",
    "GPL-2.0-or-later": "GPL-2+",
    "GPL-3.0-only": "GPL-3",
    "GPL-3.0-or-later": "GPL-3+",
    "LGPL-2.1-only": "LGPL-2.1",
    "LGPL-2.1-or-later": "LGPL-2.1+",
    "LGPL-3.0-only": "LGPL-3",
    "LGPL-3.0-or-later": "LGPL-3+",
    "AGPL-3.0-only": "AGPL-3",
    "AGPL-3.0-or-later": "AGPL-3+",
    "Python-2.0": "PSF-2",
}
# licenses whose text Debian ships in /usr/share/common-licenses
_COMMON_LICENSES = {
    "Apache-2.0": "Apache-2.0",
    "GPL-2": "GPL-2",
    "GPL-2+": "GPL-2",
    "GPL-3": "GPL-3",
    "GPL-3+": "GPL-3",
    "LGPL-2.1": "LGPL-2.1",
    "LGPL-2.1+": "LGPL-2.1",
    "LGPL-3": "LGPL-3",
    "LGPL-3+": "LGPL-3",
    "MPL-2.0": "MPL-2.0",
}


def debian_version(version: str) -> str:
    """A PEP 440 version as a Debian upstream version: pre-releases and
    development releases sort before the release (``1.0rc1`` -> ``1.0~rc1``)."""
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    try:
        parsed = Version(version)
    except InvalidVersion:
        return version
    out = ".".join(str(p) for p in parsed.release)
    if parsed.epoch:
        out = f"{parsed.epoch}:{out}"
    if parsed.pre:
        out += f"~{parsed.pre[0]}{parsed.pre[1]}"
    if parsed.post is not None:
        out += f".post{parsed.post}"
    if parsed.dev is not None:
        out += f"~dev{parsed.dev}"
    if parsed.local:
        out += f"+{parsed.local}"
    return out


def _dep5_license(expression: str) -> str:
    """An SPDX expression in DEP-5 syntax: short names, lowercase ``or``/``and``."""
    words = re.split(r"(\s+|[()])", expression)
    out = []
    for word in words:
        if word in ("OR", "AND"):
            out.append(word.lower())
        elif word == "WITH":
            out.append("with")
        else:
            out.append(_DEP5.get(word, word))
    return "".join(out)


def _field_text(text: str) -> list[str]:
    """Text as the continuation lines of a deb822 field (`` .`` for a blank line)."""
    lines = []
    for raw in text.strip("\n").splitlines():
        line = raw.rstrip().expandtabs()
        lines.append(f" {line}" if line.strip() else " .")
    return lines


def _first_paragraph(readme: str | None) -> str | None:
    """The first paragraph of prose in a readme (no heading, badge or code)."""
    if not readme:
        return None
    for block in re.split(r"\n\s*\n", readme):
        text = block.strip()
        if not text or text[0] in "#=-![<`|" or text.startswith(("..", "```", ":")):
            continue
        lines = [line.strip() for line in text.splitlines()]
        if lines and set(lines[-1]) <= set("=-~^*"):  # a reStructuredText title
            continue
        return "\n".join(lines)
    return None


def _binary(recipe: RecipeData) -> str:
    return f"python3-{recipe.normalized}"


def _source(recipe: RecipeData) -> str:
    return f"python-{recipe.normalized}"


def _person(person: Person | None) -> str:
    if person is None or not person.email:
        return f"{TODO} <maintainer@example.org>"
    return f"{person.name or person.email} <{person.email}>"


def _applies(dep: RecipeDep) -> bool | None:
    """Whether a dependency applies on Debian (Linux); None when its marker tests
    more than the platform."""
    return applies_on(dep, "linux")


def _relation(dep: RecipeDep) -> list[str]:
    """Relations for one dependency: alternatives joined with ``|`` for a virtual
    one (any provider, the default first), build-essential left out."""
    if dep.url.is_virtual and len(dep.alternatives) > 1:
        firsts = list(dict.fromkeys(a[0] for a in dep.alternatives))
        if firsts[0] in _BUILD_ESSENTIAL:
            return []
        return [" | ".join(firsts)]
    return [p for p in dep.packages if p not in _BUILD_ESSENTIAL]


def _collect(
    recipe: RecipeData, categories: tuple[str, ...], *, extras: bool
) -> tuple[list[str], list[str]]:
    """(relations, comments) for the dependencies of some categories, required
    ones or (``extras``) optional ones."""
    relations: list[str] = []
    comments: list[str] = []
    for category in categories:
        chosen = [d for d in recipe.in_category(category) if bool(d.extra) == extras]  # type: ignore[arg-type]
        for dep in usable(chosen, _applies, comments):
            relations += _relation(dep)
    return list(dict.fromkeys(relations)), comments


def _python_relations(
    recipe: RecipeData, requirements: Any, *, profile: str = ""
) -> tuple[list[str], list[str]]:
    relations: list[str] = []
    comments: list[str] = []
    ecosystem = recipe.ecosystem or "debian"
    for req in requirements:
        if req.marker is not None and not req.marker.evaluate(
            {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "extra": ""}
        ):
            continue
        package = recipe.python_package(req, ecosystem)
        if package:
            relations.append(package + profile)
        else:
            comments.append(todo_python(req, ecosystem))
    return list(dict.fromkeys(relations)), comments


def _field(name: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [f"{name}:", *[f" {item}," for item in items[:-1]], f" {items[-1]}"]


def _control(recipe: RecipeData) -> str:
    build, comments = _collect(recipe, ("build", "host"), extras=False)
    optional_build, optional_comments = _collect(recipe, ("build", "host"), extras=True)
    run, run_comments = _collect(recipe, ("run",), extras=False)
    suggests, suggest_comments = _collect(recipe, ("run",), extras=True)
    tools, tool_comments = _python_relations(recipe, recipe.build_system)
    # the build's import test imports the run-time Python dependencies too
    python_run, python_comments = _python_relations(
        recipe, recipe.python_deps, profile=" <!nocheck>"
    )
    python_extras: list[str] = []
    for requirements in recipe.python_extras.values():
        found, missing = _python_relations(recipe, requirements)
        python_extras += found
        suggest_comments += missing
    lines = ["# Generated by extdeps from pyproject.toml; review before use."]
    lines += comments + tool_comments + python_comments + run_comments + suggest_comments
    if optional_build:
        lines.append(
            "# optional features (extras) are built in: "
            + ", ".join(optional_build)
            + " (remove to build without them)"
        )
    lines += optional_comments
    lines += [
        f"Source: {_source(recipe)}",
        "Section: python",
        "Priority: optional",
        f"Maintainer: {_person(recipe.maintainer)}",
        "Rules-Requires-Root: no",
    ]
    python = "python3-all-dev" if recipe.compiled else "python3-all"
    lines += _field(
        "Build-Depends",
        [
            "debhelper-compat (= 13)",
            "dh-sequence-python3",
            "pybuild-plugin-pyproject",
            python,
            *tools,
            *build,
            *optional_build,
            *python_run,
        ],
    )
    lines.append("Standards-Version: 4.6.2")
    if recipe.homepage:
        lines.append(f"Homepage: {recipe.homepage}")
    lines += [
        "",
        f"Package: {_binary(recipe)}",
        f"Architecture: {'any' if recipe.compiled else 'all'}",
    ]
    depends = ["${python3:Depends}"]
    if recipe.compiled:
        depends.append("${shlibs:Depends}")
    depends += ["${misc:Depends}", *run]
    lines += _field("Depends", depends)
    lines += _field("Suggests", list(dict.fromkeys(suggests + python_extras)))
    lines.append(f"Description: {_short(recipe)}")
    long = _first_paragraph(recipe.description) or recipe.summary or TODO
    lines += _field_text(textwrap.fill(long, 78, break_long_words=False, break_on_hyphens=False))
    return "\n".join(lines) + "\n"


def _short(recipe: RecipeData) -> str:
    """The synopsis: no leading article, no final full stop (Developer's Reference 6.2.2)."""
    summary = (recipe.summary or TODO).strip().splitlines()[0].rstrip(".")
    words = summary.split(" ", 1)
    if len(words) == 2 and words[0] in ("A", "An", "The"):
        summary = words[1]
    return summary


def _rules(recipe: RecipeData) -> str:
    imports = "; ".join(f"import {name}" for name in recipe.import_names)
    lines = [
        "#!/usr/bin/make -f",
        "# Generated by extdeps from pyproject.toml; review before use.",
        "",
        "export DEB_BUILD_MAINT_OPTIONS = hardening=+all",
        f"export PYBUILD_NAME = {recipe.normalized}",
        "# the test at build time: the modules import (the project's own tests may",
        "# need more Build-Depends; then use PYBUILD_TEST_PYTEST = 1)",
        "export PYBUILD_TEST_CUSTOM = 1",
        f'export PYBUILD_TEST_ARGS = {{interpreter}} -c "{imports}"',
    ]
    if not recipe.import_names_known:
        lines.append(f"# {TODO}: the module names above come from the project's name")
    lines += ["", "%:", "\tdh $@ --buildsystem=pybuild"]
    return "\n".join(lines) + "\n"


def _changelog(recipe: RecipeData) -> str:
    date = email.utils.formatdate(recipe.timestamp).replace("-0000", "+0000")
    return (
        f"{_source(recipe)} ({debian_version(recipe.version)}-1) UNRELEASED; urgency=medium\n"
        "\n"
        "  * Initial release.\n"
        "\n"
        f" -- {_person(recipe.maintainer)}  {date}\n"
    )


def _copyright_holders(recipe: RecipeData) -> list[str]:
    """Copyright lines of the license files, else the authors."""
    holders: list[str] = []
    for text in recipe.license_texts.values():
        for line in text.splitlines():
            match = re.match(r"\s*Copyright\s*(?:\([cC]\)|©)?\s*(.+)", line)
            if match and not match.group(1).lower().startswith(("notice", "holder", "and ")):
                holders.append(match.group(1).strip())
    if not holders:
        holders = [str(a) for a in recipe.authors]
    return list(dict.fromkeys(holders))


def _copyright(recipe: RecipeData) -> str:
    lines = [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
        f"Upstream-Name: {recipe.name}",
    ]
    if recipe.authors:
        lines.append(f"Upstream-Contact: {recipe.authors[0]}")
    lines.append(f"Source: https://pypi.org/project/{recipe.normalized}/")
    holders = _copyright_holders(recipe) or [f"{TODO}: the copyright holders"]
    license_name = _dep5_license(recipe.license) if recipe.license else f"{TODO}"
    lines += ["", "Files: *", "Copyright:"]
    lines[-1] += f" {holders[0]}"
    lines += [f"           {h}" for h in holders[1:]]
    lines.append(f"License: {license_name}")
    year = email.utils.formatdate(recipe.timestamp)[12:16]
    packager = recipe.maintainer
    lines += [
        "",
        "Files: debian/*",
        f"Copyright: {year} {packager.name or packager.email if packager else TODO}",
        f"License: {license_name}",
    ]
    for name in _license_names(recipe.license):
        lines += ["", f"License: {name}"]
        common = _COMMON_LICENSES.get(name)
        if common:
            lines += [
                f" On Debian systems, the full text of the {name} license is in",
                f" /usr/share/common-licenses/{common}.",
            ]
        elif recipe.license_texts:
            text = "\n\n".join(recipe.license_texts.values())
            lines += _field_text(text)
        else:
            lines.append(f" {TODO}: the text of the license (the project lists no license-files)")
    return "\n".join(lines) + "\n"


def _license_names(expression: str | None) -> list[str]:
    if not expression:
        return []
    words = re.split(r"\s+|[()]", _dep5_license(expression))
    return list(dict.fromkeys(w for w in words if w and w not in ("or", "and", "with")))


def _tests_control(recipe: RecipeData) -> str:
    imports = "; ".join(f"import {name}" for name in recipe.import_names)
    return (
        'Test-Command: set -e; for py in $(py3versions -s); do echo "$py:"; '
        f'cd "$AUTOPKGTEST_TMP"; $py -c "{imports}"; done\n'
        "Depends: python3-all, @\n"
        "Restrictions: allow-stderr, superficial\n"
    )


def _watch(recipe: RecipeData) -> str:
    return (
        "version=4\n"
        "opts=uversionmangle=s/(rc|a|b|c|\\.dev)(\\d+)$/~$1$2/ \\\n"
        f"  https://pypi.debian.net/{recipe.normalized}/"
        f"{recipe.dist_name}-@ANY_VERSION@@ARCHIVE_EXT@\n"
    )


def render_debian(recipe: RecipeData) -> dict[str, str]:
    """The files of ``debian/``, by path."""
    files = {
        "debian/control": _control(recipe),
        "debian/rules": _rules(recipe),
        "debian/changelog": _changelog(recipe),
        "debian/copyright": _copyright(recipe),
        "debian/source/format": "3.0 (quilt)\n",
        "debian/tests/control": _tests_control(recipe),
        "debian/watch": _watch(recipe),
    }
    legacy = LEGACY_LICENSE.get(recipe.ecosystem or "")
    new = pyproject_edits(recipe, legacy_license=legacy is not None)
    if new is not None:
        reasons = []
        if recipe.wrapped_backend:
            reasons.append(
                f"The project builds with {recipe.wrapped_backend}, which wraps {recipe.backend}"
                " to check external dependencies and record them in the wheel; Debian declares"
                " those in debian/control and builds with the backend itself."
            )
        if legacy is not None and new != recipe.pyproject_text:
            reasons.append(
                f"This release's build tools ({legacy}) predate PEP 639: the license is given"
                " as a table and license-files dropped (debian/copyright carries the text)."
            )
        name = "debian-build.patch"
        files[f"debian/patches/{name}"] = patch_text(
            recipe, new, "Build with the release's own Python build tools", reasons
        )
        files["debian/patches/series"] = f"{name}\n"
    return files
