"""Arch Linux ``PKGBUILD`` and Alpine ``APKBUILD``: shell-variable recipes.

Both fetch PyPI's sdist under its PEP 625 name with its checksum (``sha256sums``,
``sha512sums``; the patch's too), build a wheel without isolation, test that the
modules import in a throw-away environment (``check()``) and install the wheel.
Arch has no ``-dev`` split and no automatic library dependencies: a library the
build links is in ``depends`` as well as ``makedepends``; Alpine finds shared
library dependencies itself. Python packages are named from verified data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from extdeps.recipes.common import (
    TODO,
    applies_on,
    driver_note,
    sh_quote,
    todo_marker,
    todo_python,
    todo_unmapped,
    unwrap_patch,
)
from extdeps.recipes.model import RecipeData, RecipeDep

__all__ = ["render_alpine", "render_arch"]

# what makepkg and abuild assume, never listed: Arch's base-devel group and
# Alpine's build-base (the Arch and Alpine packaging guidelines)
_ASSUMED = {
    "arch": frozenset(
        {
            *("autoconf", "automake", "binutils", "bison", "debugedit", "fakeroot", "file"),
            *("findutils", "flex", "gawk", "gcc", "gettext", "grep", "groff", "gzip"),
            *("libtool", "m4", "make", "pacman", "patch", "pkgconf", "sed", "sudo"),
            *("texinfo", "which"),
        }
    ),
    "alpine": frozenset(
        {"binutils", "file", "fortify-headers", "g++", "gcc", "libc-dev", "make", "patch"}
    ),
}


def _shell_array(name: str, items: Iterable[str]) -> str:
    quoted = " ".join(f"'{i}'" for i in dict.fromkeys(items))
    return f"{name}=({quoted})"


def _applies(dep: RecipeDep) -> bool | None:
    return applies_on(dep, "linux")


class _Deps:
    """The dependency lists of one recipe for one distribution."""

    def __init__(self, recipe: RecipeData, ecosystem: str, *, link_in_depends: bool) -> None:
        self.recipe = recipe
        self.ecosystem = ecosystem
        self.depends: list[str] = []
        self.makedepends: list[str] = []
        self.optdepends: list[tuple[str, str]] = []  # (package, why)
        self.comments: list[str] = []
        self.built_in: list[str] = []  # extras whose libraries are built in
        for dep in recipe.deps:
            note = driver_note(dep)
            if note:
                self.comments.append(note)
                continue
            applies = _applies(dep)
            if applies is False:
                continue
            if not dep.packages:
                self.comments.append(todo_unmapped(dep))
                continue
            if applies is None:
                self.comments.append(todo_marker(dep))
            packages = list(dep.packages)
            if dep.category == "run":
                if dep.extra:
                    self.optdepends += [(p, f"extra '{dep.extra}'") for p in packages]
                else:
                    self.depends += packages
                continue
            family = ecosystem.split("+", maxsplit=1)[0]
            self.makedepends += [p for p in packages if p not in _ASSUMED.get(family, ())]
            if dep.extra:
                self.built_in.append(dep.extra)
            if dep.linked and link_in_depends:
                self.depends += packages

    def python(self, requirements: Iterable[Any]) -> list[str]:
        out = []
        for req in requirements:
            if req.marker is not None and not req.marker.evaluate(
                {"sys_platform": "linux", "platform_system": "Linux", "extra": ""}
            ):
                continue
            package = self.recipe.python_package(req, self.ecosystem)
            if package:
                out.append(package)
            else:
                self.comments.append(todo_python(req, self.ecosystem))
        return out


def _sdist_url(recipe: RecipeData, version_variable: str) -> str:
    n = recipe.normalized
    return (
        f"https://files.pythonhosted.org/packages/source/{n[0]}/{n}/"
        f"{recipe.dist_name}-{version_variable}.tar.gz"
    )


def _imports(recipe: RecipeData) -> str:
    return "; ".join(f"import {name}" for name in recipe.import_names)


def _maintainer(recipe: RecipeData) -> str:
    person = recipe.maintainer
    if person is None or not person.email:
        return f"# Maintainer: {TODO} <maintainer@example.org>"
    return f"# Maintainer: {person.name or person.email} <{person.email}>"


def _backend_tools(recipe: RecipeData, deps: _Deps) -> list[str]:
    """The build backend and the rest of ``[build-system] requires``."""
    return deps.python(recipe.build_system)


def render_arch(recipe: RecipeData) -> dict[str, str]:
    """An Arch Linux ``PKGBUILD`` (and the patch it applies, if any)."""
    deps = _Deps(recipe, recipe.ecosystem or "arch", link_in_depends=True)
    python_run = deps.python(recipe.python_deps)
    tools = _backend_tools(recipe, deps)
    for extra, requirements in sorted(recipe.python_extras.items()):
        deps.optdepends += [(p, f"extra '{extra}'") for p in deps.python(requirements)]
    patch = unwrap_patch(recipe)
    pkgname = f"python-{recipe.normalized}"
    depends = ["python", *deps.depends, *python_run]
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        _maintainer(recipe),
        *deps.comments,
    ]
    if deps.built_in:
        lines.append(
            "# built with the libraries of the extras "
            + ", ".join(dict.fromkeys(deps.built_in))
            + " (remove them from makedepends and depends to build without)"
        )
    lines += [
        f"pkgname={pkgname}",
        f"_name={recipe.dist_name}",
        f"pkgver={recipe.version}",
        "pkgrel=1",
        f"pkgdesc={sh_quote(recipe.summary.strip())}",
        f"arch=('{'x86_64' if recipe.compiled else 'any'}')",
        f"url={sh_quote(recipe.homepage or 'https://pypi.org/project/' + recipe.normalized)}",
        f"license=({sh_quote(recipe.license or TODO)})",
        _shell_array("depends", depends),
        _shell_array(
            "makedepends",
            [
                p
                for p in ["python-build", "python-installer", *tools, *deps.makedepends]
                if p not in depends
            ],
        ),
    ]
    if deps.optdepends:
        lines.append("optdepends=(")
        lines += [
            f"  {sh_quote(f'{package}: {why}')}" for package, why in dict.fromkeys(deps.optdepends)
        ]
        lines.append(")")
    sources = [_sdist_url(recipe, "$pkgver")]
    sums = [recipe.sha256] if recipe.sha256 else []
    if patch is not None:
        sources.append(patch[0])
        sums.append(hashlib.sha256(patch[1].encode()).hexdigest())
    lines.append("source=(" + " ".join(f'"{s}"' for s in sources) + ")")
    if recipe.sha256:
        lines.append("sha256sums=(" + " ".join(f"'{s}'" for s in sums) + ")")
    else:
        lines += [
            f"# {TODO}: the sdist's sha256 (give the sdist to extdeps, or run updpkgsums)",
            "sha256sums=()",
        ]
    if patch is not None:
        lines += [
            "",
            "prepare() {",
            '  cd "$_name-$pkgver"',
            f'  patch -Np1 -i "../{patch[0]}"',
            "}",
        ]
    lines += [
        "",
        "build() {",
        '  cd "$_name-$pkgver"',
        "  python -m build --wheel --no-isolation",
        "}",
        "",
        "check() {",
        '  cd "$_name-$pkgver"',
        "  python -m venv --clear --system-site-packages test-env",
        "  test-env/bin/python -m installer dist/*.whl",
        f'  cd test-env && bin/python -c "{_imports(recipe)}"',
        "}",
        "",
        "package() {",
        '  cd "$_name-$pkgver"',
        '  python -m installer --destdir="$pkgdir" dist/*.whl',
    ]
    for name in recipe.license_files:
        lines.append(f'  install -Dm644 "{name}" -t "$pkgdir/usr/share/licenses/$pkgname/"')
    lines.append("}")
    files = {"PKGBUILD": "\n".join(lines) + "\n"}
    if patch is not None:
        files[patch[0]] = patch[1]
    return files


def render_alpine(recipe: RecipeData) -> dict[str, str]:
    """An Alpine ``APKBUILD`` (and the patch it applies, if any)."""
    deps = _Deps(recipe, recipe.ecosystem or "alpine", link_in_depends=False)
    python_run = deps.python(recipe.python_deps)
    tools = _backend_tools(recipe, deps)
    for extra, requirements in sorted(recipe.python_extras.items()):
        for package in deps.python(requirements):
            deps.comments.append(f"# optional, extra '{extra}': {package}")
    for package, why in deps.optdepends:
        deps.comments.append(f"# optional, {why}: {package}")
    patch = unwrap_patch(recipe)
    makedepends = ["py3-gpep517", "py3-installer", *tools, *deps.makedepends]
    if recipe.compiled:
        makedepends.append("python3-dev")
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        _maintainer(recipe),
        *deps.comments,
        f"pkgname=py3-{recipe.normalized}",
        f"_pyname={recipe.dist_name}",
        f"pkgver={recipe.version}",
        "pkgrel=0",
        f"pkgdesc={sh_quote(recipe.summary.strip())}",
        f"url={sh_quote(recipe.homepage or 'https://pypi.org/project/' + recipe.normalized)}",
        f'arch="{"all" if recipe.compiled else "noarch"}"',
        f"license={sh_quote(recipe.license or TODO)}",
        f'depends="{" ".join(dict.fromkeys(["python3", *deps.depends, *python_run]))}"',
        f'makedepends="{" ".join(dict.fromkeys(makedepends))}"',
        'subpackages="$pkgname-pyc"',
    ]
    sources = [_sdist_url(recipe, "$pkgver")]
    if patch is not None:
        sources.append(patch[0])
    lines.append('source="' + "\n\t".join(sources) + '"')
    lines += [
        'builddir="$srcdir/$_pyname-$pkgver"',
        "",
        "build() {",
        "\tgpep517 build-wheel --wheel-dir .dist --output-fd 3 3>&1 >&2",
        "}",
        "",
        "check() {",
        "\tpython3 -m venv --clear --without-pip --system-site-packages .testenv",
        "\t.testenv/bin/python3 -m installer .dist/*.whl",
        f'\tcd .testenv && bin/python3 -c "{_imports(recipe)}"',
        "}",
        "",
        "package() {",
        '\tpython3 -m installer -d "$pkgdir" .dist/*.whl',
        "}",
        "",
    ]
    if recipe.sha512:
        entries = [f"{recipe.sha512}  {recipe.sdist_filename}"]
        if patch is not None:
            entries.append(f"{hashlib.sha512(patch[1].encode()).hexdigest()}  {patch[0]}")
        lines.append('sha512sums="\n' + "\n".join(entries) + '\n"')
    else:
        lines += [
            f"# {TODO}: the sdist's sha512 (give the sdist to extdeps, or run abuild checksum)",
            'sha512sums=""',
        ]
    return {"APKBUILD": "\n".join(lines) + "\n", **({patch[0]: patch[1]} if patch else {})}
