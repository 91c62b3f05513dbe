"""The recipe formats: one ``render_<format>(RecipeData) -> str`` function each."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from extdeps.recipes.model import RecipeData, RecipeDep

__all__ = [
    "render_alpine",
    "render_arch",
    "render_conda_forge",
    "render_conda_forge_meta",
    "render_debian",
    "render_fedora",
    "render_homebrew",
    "render_nix",
    "render_spack",
]

_PLATFORM = {
    "linux": "linux",
    "darwin": "osx",
    "win32": "win",
    "windows": "win",
    "cygwin": "win",
}
_CLAUSE = re.compile(
    r"""^\s*(sys_platform|platform_system|os_name)\s*(==|!=)\s*["']([^"']+)["']\s*$"""
)
_TODO = "TODO(extdeps)"


def _platform(marker: Any) -> tuple[str, bool] | None:
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
    platform = _PLATFORM.get(value)
    return (platform, op == "!=") if platform else None


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _py_name(req: Any) -> str:
    return _norm(str(req.name))


def _py_spec(req: Any, sep: str = " ") -> str:
    spec = str(req.specifier)
    return f"{_py_name(req)}{sep}{spec}" if spec else _py_name(req)


def _todo_unmapped(dep: RecipeDep, comment: str = "#") -> str:
    return f"{comment} {_TODO}: {dep.url} ({dep.category}) has no package here: {dep.reason}"


def _todo_marker(dep: RecipeDep, comment: str = "#") -> str:
    return f"{comment} {_TODO}: {dep.url} applies only when {dep.requirement.marker}"


def _extra_note(dep: RecipeDep, comment: str = "#") -> str | None:
    if dep.extra:
        return f"{comment} optional: extra '{dep.extra}'"
    return None


# -- conda-forge ----------------------------------------------------------------


def _conda_lines(recipe: RecipeData, category: str, *, v1: bool) -> list[tuple[str, str | None]]:
    """(item, selector) pairs for a conda requirements section; items starting with
    '#' are comments."""
    out: list[tuple[str, str | None]] = []
    for dep in recipe.in_category(category):  # type: ignore[arg-type]
        selector = None
        platform = _platform(dep.requirement.marker)
        if dep.requirement.marker is not None:
            if platform is None:
                out.append((_todo_marker(dep), None))
            else:
                selector = ("not " if platform[1] else "") + platform[0]
        if dep.extra:
            out.append((f"# optional: extra '{dep.extra}' ({dep.url})", None))
        if dep.compiler and category == "build":
            jinja = "${{ compiler('%s') }}" if v1 else "{{ compiler('%s') }}"
            out.append((jinja % dep.compiler, selector))
            continue
        if dep.url.id == "dep:virtual/driver/cuda":
            # conda's own virtual package for the driver has the same version meaning
            bound = ",".join(f"{op}{v}" for op, v in dep.url.clauses)
            out.append((f"__cuda {bound}".strip(), selector))
            continue
        if not dep.packages:
            out.append((_todo_unmapped(dep), None))
            continue
        version = "" if dep.url.is_virtual else (dep.url.version or "")
        if version and version[0] not in "<>=":
            version = "==" + version
        for package in dep.packages:
            item = f"{package} {version}".strip() if "=" not in package else package
            out.append((item, selector))
    return out


def _python_host(recipe: RecipeData) -> list[str]:
    out = ["python", "pip"]
    for req in recipe.build_system:
        out.append(_py_spec(req))
    return list(dict.fromkeys(out))


def _python_run(recipe: RecipeData) -> list[str]:
    python = "python"
    if recipe.requires_python and not recipe.compiled:
        python = f"python {recipe.requires_python}"
    return [python, *(_py_spec(r) for r in recipe.python_deps if r.marker is None)]


def _conda_sections(
    recipe: RecipeData, *, v1: bool
) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The build, host and run requirement items of both conda recipe formats."""
    build = _conda_lines(recipe, "build", v1=v1)
    if recipe.compiled:
        build.append(("${{ stdlib('c') }}" if v1 else "{{ stdlib('c') }}", None))
    host = [(p, None) for p in _python_host(recipe)] + _conda_lines(recipe, "host", v1=v1)
    run = [(p, None) for p in _python_run(recipe)] + _conda_lines(recipe, "run", v1=v1)
    return [("build", build), ("host", host), ("run", run)]


def render_conda_forge(recipe: RecipeData) -> str:
    """conda-forge's v1 recipe format (``recipe.yaml``)."""
    q = json.dumps
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        "context:",
        f"  name: {q(recipe.name)}",
        f"  version: {q(recipe.version)}",
        "",
        "package:",
        "  name: ${{ name|lower }}",
        "  version: ${{ version }}",
        "",
        "source:",
        "  url: https://pypi.org/packages/source/${{ name[0] }}/${{ name }}/"
        "${{ name | replace('-', '_') }}-${{ version }}.tar.gz",
        f"  sha256: {_TODO}  # fill in the sdist's sha256",
        "",
        "build:",
        "  number: 0",
        "  script: ${{ PYTHON }} -m pip install . -vv --no-deps --no-build-isolation",
    ]
    if not recipe.compiled:
        lines.append("  noarch: python")
    lines += ["", "requirements:"]
    for name, items in _conda_sections(recipe, v1=True):
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
    lines += [
        "",
        "tests:",
        "  - python:",
        "      imports:",
        f"        - {recipe.import_name}",
        "",
        "about:",
        f"  summary: {q(recipe.summary)}",
    ]
    if recipe.homepage:
        lines.append(f"  homepage: {q(recipe.homepage)}")
    lines.append(f"  license: {q(recipe.license or _TODO)}")
    return "\n".join(lines) + "\n"


def render_conda_forge_meta(recipe: RecipeData) -> str:
    """conda-build's ``meta.yaml`` with Jinja and ``# [selector]`` comments."""
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        f'{{% set name = "{recipe.name}" %}}',
        f'{{% set version = "{recipe.version}" %}}',
        "",
        "package:",
        "  name: {{ name|lower }}",
        "  version: {{ version }}",
        "",
        "source:",
        "  url: https://pypi.org/packages/source/{{ name[0] }}/{{ name }}/"
        "{{ name | replace('-', '_') }}-{{ version }}.tar.gz",
        f"  sha256: {_TODO}  # fill in the sdist's sha256",
        "",
        "build:",
        "  number: 0",
        "  script: {{ PYTHON }} -m pip install . -vv --no-deps --no-build-isolation",
    ]
    if not recipe.compiled:
        lines.append("  noarch: python")
    lines += ["", "requirements:"]
    for name, items in _conda_sections(recipe, v1=False):
        if not items:
            continue
        lines.append(f"  {name}:")
        for item, selector in dict.fromkeys(items):
            if item.startswith("#"):
                lines.append(f"    {item}")
            else:
                lines.append(f"    - {item}" + (f"  # [{selector}]" if selector else ""))
    lines += [
        "",
        "test:",
        "  imports:",
        f"    - {recipe.import_name}",
        "",
        "about:",
        f"  summary: {json.dumps(recipe.summary)}",
    ]
    if recipe.homepage:
        lines.append(f"  home: {recipe.homepage}")
    lines.append(f"  license: {recipe.license or _TODO}")
    return "\n".join(lines) + "\n"


# -- Debian -----------------------------------------------------------------------


def _deb_python(req: Any) -> str:
    return "python3-" + _py_name(req)


def _plain_lines(
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
                todos.append(_todo_unmapped(dep, comment))
                continue
            if dep.requirement.marker is not None:
                todos.append(_todo_marker(dep, comment))
            note = _extra_note(dep, comment)
            if note:
                todos.append(f"{note}: {dep.url}")
            entries.extend(joiner(dep))
    return list(dict.fromkeys(entries)), todos


def render_debian(recipe: RecipeData) -> str:
    """A ``debian/control`` with a source and a binary stanza."""

    def alternatives(dep: RecipeDep) -> list[str]:
        if dep.url.is_virtual and len(dep.alternatives) > 1:
            # any provider will do, the default first; each alternative is named by its
            # principal package (a relation alternative is a single package)
            return [" | ".join(dict.fromkeys(a[0] for a in dep.alternatives))]
        return list(dep.packages)

    build, todos = _plain_lines(recipe, ("build", "host"), joiner=alternatives)
    run, run_todos = _plain_lines(recipe, ("run",), joiner=alternatives)
    python_build = ["python3-all-dev" if recipe.compiled else "python3-all"]
    python_build += [_deb_python(r) for r in recipe.build_system]
    source = "python-" + _norm(recipe.name)
    depends = ["${python3:Depends}", "${misc:Depends}"]
    if recipe.compiled:
        depends.insert(1, "${shlibs:Depends}")
    depends += run + [_deb_python(r) for r in recipe.python_deps if r.marker is None]
    lines = [f"# {line[2:]}" for line in todos + run_todos]
    lines += [
        f"Source: {source}",
        "Section: python",
        "Priority: optional",
        f"Maintainer: {_TODO} <maintainer@example.org>",
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
        f"Package: python3-{_norm(recipe.name)}",
        f"Architecture: {'any' if recipe.compiled else 'all'}",
        "Depends:",
    ]
    lines += [f" {item}," for item in dict.fromkeys(depends)]
    lines[-1] = lines[-1].rstrip(",")
    lines += [
        f"Description: {recipe.summary or _TODO}",
        f" {_TODO}: a longer description.",
    ]
    return "\n".join(lines) + "\n"


# -- Fedora -----------------------------------------------------------------------


def render_fedora(recipe: RecipeData) -> str:
    """An RPM ``.spec`` using the ``%pyproject_*`` macros."""
    build, todos = _plain_lines(recipe, ("build", "host"), joiner=lambda d: list(d.packages))
    run, run_todos = _plain_lines(recipe, ("run",), joiner=lambda d: list(d.packages))
    name = _norm(recipe.name)
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        *todos,
        *run_todos,
        f"Name:           python-{name}",
        f"Version:        {recipe.version}",
        "Release:        1%{?dist}",
        f"Summary:        {recipe.summary or _TODO}",
        f"License:        {recipe.license or _TODO}",
        f"URL:            {recipe.homepage or 'https://pypi.org/project/' + recipe.name}",
        f"Source:         %{{pypi_source {recipe.name}}}",
    ]
    if not recipe.compiled:
        lines.append("BuildArch:      noarch")
    lines.append("BuildRequires:  python3-devel")
    lines += [f"BuildRequires:  {p}" for p in build]
    lines += [
        "",
        "%global _description %{expand:",
        f"{recipe.summary or _TODO}}}",
        "",
        "%description %_description",
        "",
        f"%package -n python3-{name}",
        "Summary:        %{summary}",
    ]
    lines += [f"Requires:       {p}" for p in run]
    lines += [
        "",
        f"%description -n python3-{name} %_description",
        "",
        "%prep",
        f"%autosetup -p1 -n {recipe.import_name}-%{{version}}",
        "",
        "%generate_buildrequires",
        "%pyproject_buildrequires",
        "",
        "%build",
        "%pyproject_wheel",
        "",
        "%install",
        "%pyproject_install",
        f"%pyproject_save_files {recipe.import_name}",
        "",
        "%check",
        "%pyproject_check_import",
        "",
        f"%files -n python3-{name} -f %{{pyproject_files}}",
        "",
        "%changelog",
        f"* Sun Nov 22 2026 {_TODO} <maintainer@example.org> - {recipe.version}-1",
        "- Initial package generated by extdeps",
    ]
    return "\n".join(lines) + "\n"


# -- Arch and Alpine ----------------------------------------------------------------


def _shell_array(name: str, items: Iterable[str]) -> str:
    quoted = " ".join(f"'{i}'" for i in dict.fromkeys(items))
    return f"{name}=({quoted})"


def _distro_deps(
    recipe: RecipeData, python: str, prefix: str, tools: Sequence[str]
) -> tuple[list[str], list[str], list[str]]:
    """(depends, makedepends, TODO comments) for distributions without a -dev split
    in the recipe format: Python packages named ``prefix + name``."""
    make, todos = _plain_lines(recipe, ("build", "host"), joiner=lambda d: list(d.packages))
    run, run_todos = _plain_lines(recipe, ("run",), joiner=lambda d: list(d.packages))
    depends = [python, *run]
    depends += [prefix + _py_name(r) for r in recipe.python_deps if r.marker is None]
    makedepends = [*tools, *make, *(prefix + _py_name(r) for r in recipe.build_system)]
    return depends, makedepends, todos + run_todos


def render_arch(recipe: RecipeData) -> str:
    """An Arch Linux ``PKGBUILD``."""
    depends, makedepends, todos = _distro_deps(
        recipe, "python", "python-", ("python-build", "python-installer", "python-wheel")
    )
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        *todos,
        f"pkgname=python-{_norm(recipe.name)}",
        f"_name={recipe.import_name}",
        f"pkgver={recipe.version}",
        "pkgrel=1",
        f"pkgdesc={json.dumps(recipe.summary)}",
        f"arch=('{'x86_64' if recipe.compiled else 'any'}')",
        f"url='{recipe.homepage or 'https://pypi.org/project/' + recipe.name}'",
        f"license=('{recipe.license or 'custom'}')",
        _shell_array("depends", depends),
        _shell_array("makedepends", makedepends),
        'source=("https://files.pythonhosted.org/packages/source/${_name::1}/$_name/'
        '$_name-$pkgver.tar.gz")',
        "sha256sums=('SKIP')",
        "",
        "build() {",
        '  cd "$_name-$pkgver"',
        "  python -m build --wheel --no-isolation",
        "}",
        "",
        "package() {",
        '  cd "$_name-$pkgver"',
        '  python -m installer --destdir="$pkgdir" dist/*.whl',
        "}",
    ]
    return "\n".join(lines) + "\n"


def render_alpine(recipe: RecipeData) -> str:
    """An Alpine ``APKBUILD``."""
    depends, makedepends, todos = _distro_deps(
        recipe, "python3", "py3-", ("py3-gpep517", "py3-installer", "py3-wheel")
    )
    if recipe.compiled:
        makedepends.append("python3-dev")
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        f"# Maintainer: {_TODO} <maintainer@example.org>",
        *todos,
        f"pkgname=py3-{_norm(recipe.name)}",
        f"_pyname={recipe.import_name}",
        f"pkgver={recipe.version}",
        "pkgrel=0",
        f"pkgdesc={json.dumps(recipe.summary)}",
        f'url="{recipe.homepage or "https://pypi.org/project/" + recipe.name}"',
        f'arch="{"all" if recipe.compiled else "noarch"}"',
        f'license="{recipe.license or "custom"}"',
        f'depends="{" ".join(dict.fromkeys(depends))}"',
        f'makedepends="{" ".join(dict.fromkeys(makedepends))}"',
        'source="https://files.pythonhosted.org/packages/source/${_pyname%"${_pyname#?}"}/'
        '$_pyname/$_pyname-$pkgver.tar.gz"',
        'builddir="$srcdir/$_pyname-$pkgver"',
        "",
        "build() {",
        "  gpep517 build-wheel --wheel-dir .dist --output-fd 3 3>&1 >&2",
        "}",
        "",
        "package() {",
        '  python3 -m installer -d "$pkgdir" .dist/*.whl',
        "}",
        "",
        'sha512sums=""',
    ]
    return "\n".join(lines) + "\n"


# -- Nix --------------------------------------------------------------------------


def render_nix(recipe: RecipeData) -> str:
    """A nixpkgs ``buildPythonPackage`` expression."""
    native: list[str] = []
    inputs: list[str] = []
    runtime: list[str] = []
    todos: list[str] = []
    for dep in recipe.deps:
        if dep.compiler in ("c", "cxx"):
            continue  # stdenv provides the C and C++ compilers
        if not dep.packages:
            todos.append(_todo_unmapped(dep))
            continue
        if dep.requirement.marker is not None:
            todos.append(_todo_marker(dep))
        target = {"build": native, "host": inputs, "run": runtime}[dep.category]
        target.extend(dep.packages)
    python_build = [_nix_py(r) for r in recipe.build_system]
    python_run = [_nix_py(r) for r in recipe.python_deps if r.marker is None]
    names = sorted(
        {"lib", "buildPythonPackage", "fetchPypi"}
        | {n.split(".")[0] for n in native + inputs + runtime + python_build + python_run}
    )
    lines = ["# Generated by extdeps from pyproject.toml; review before use.", *todos]
    lines.append("{")
    lines += [f"  {n}," for n in names]
    lines += ["}:", "", "buildPythonPackage rec {", f'  pname = "{recipe.name}";']
    lines += [
        f'  version = "{recipe.version}";',
        "  pyproject = true;",
        "",
        "  src = fetchPypi {",
        "    inherit pname version;",
        "    hash = lib.fakeHash;",
        "  };",
        "",
        f"  build-system = [ {' '.join(python_build)} ];",
    ]
    if native:
        lines.append(f"  nativeBuildInputs = [ {' '.join(dict.fromkeys(native))} ];")
    if inputs:
        lines.append(f"  buildInputs = [ {' '.join(dict.fromkeys(inputs))} ];")
    lines.append(f"  dependencies = [ {' '.join(dict.fromkeys(python_run + runtime))} ];")
    lines += [
        "",
        f'  pythonImportsCheck = [ "{recipe.import_name}" ];',
        "",
        "  meta = {",
        f"    description = {json.dumps(recipe.summary)};",
    ]
    if recipe.homepage:
        lines.append(f'    homepage = "{recipe.homepage}";')
    lines += ["  };", "}"]
    return "\n".join(lines) + "\n"


def _nix_py(req: Any) -> str:
    return _py_name(req).replace(".", "-")


# -- Homebrew ---------------------------------------------------------------------


def render_homebrew(recipe: RecipeData) -> str:
    """A Homebrew formula (Ruby)."""
    cls = "".join(part.capitalize() for part in re.split(r"[-_.]+", recipe.name))
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        f"class {cls} < Formula",
        "  include Language::Python::Virtualenv",
        "",
        f"  desc {json.dumps(recipe.summary)}",
        f'  homepage "{recipe.homepage or "https://pypi.org/project/" + recipe.name}"',
        f'  url "https://files.pythonhosted.org/packages/source/{recipe.name[0]}/'
        f'{recipe.name}/{recipe.import_name}-{recipe.version}.tar.gz"',
        f'  sha256 "{_TODO}"',
        f'  license "{recipe.license or _TODO}"',
        "",
    ]
    seen: set[str] = set()
    for dep in recipe.deps:
        if dep.compiler in ("c", "cxx", "objective-c", "objective-cxx"):
            continue  # Xcode's command line tools provide these compilers
        if not dep.packages:
            lines.append("  " + _todo_unmapped(dep))
            continue
        if dep.requirement.marker is not None:
            platform = _platform(dep.requirement.marker)
            if platform is None:
                lines.append("  " + _todo_marker(dep))
        for package in dep.packages:
            if package in seen:
                continue
            seen.add(package)
            suffix = " => :build" if dep.category == "build" else ""
            lines.append(f'  depends_on "{package}"{suffix}')
    lines.append('  depends_on "python@3.13"')
    for req in recipe.python_deps:
        lines.append(f"  # {_TODO}: add a resource block for {_py_spec(req)}")
    lines += [
        "",
        "  def install",
        "    virtualenv_install_with_resources",
        "  end",
        "",
        "  test do",
        f'    system libexec/"bin/python", "-c", "import {recipe.import_name}"',
        "  end",
        "end",
    ]
    return "\n".join(lines) + "\n"


# -- Spack ------------------------------------------------------------------------

# what a package.py depends on: Spack's virtual packages (and pkgconfig, the
# virtual that pkg-config and pkgconf provide), not one concrete provider
_SPACK_VIRTUALS = {
    "dep:generic/pkg-config": "pkgconfig",
    "dep:virtual/interface/blas": "blas",
    "dep:virtual/interface/lapack": "lapack",
    "dep:virtual/interface/mpi": "mpi",
    "dep:virtual/interface/scalapack": "scalapack",
}


def _spack_when(dep: RecipeDep) -> tuple[str, str | None]:
    parts = []
    todo = None
    if dep.requirement.marker is not None:
        platform = _platform(dep.requirement.marker)
        if platform is None or platform[1]:
            todo = _todo_marker(dep, "    #")
        else:
            parts.append(
                {"linux": "platform=linux", "osx": "platform=darwin", "win": "platform=windows"}[
                    platform[0]
                ]
            )
    if dep.extra:
        parts.append(f"+{re.sub('[^a-z0-9_]', '_', dep.extra)}")
    return " ".join(parts), todo


def _spack_version(dep: RecipeDep) -> tuple[str, str | None]:
    """A DepURL's lower bound as a Spack range (``@1.2:``); anything else is left to
    the packager, since Spack's ``@:1.4`` also admits 1.4.x and ``<`` has no form."""
    clauses = dep.url.clauses
    if not clauses:
        return "", None
    if len(clauses) == 1 and clauses[0][0] == ">=":
        return f"@{clauses[0][1]}:", None
    return "", f"    # {_TODO}: translate the version constraint {dep.url.version!r} for Spack"


def render_spack(recipe: RecipeData) -> str:
    """A Spack ``package.py``."""
    cls = "Py" + "".join(part.capitalize() for part in re.split(r"[-_.]+", recipe.name))
    types = {"build": '"build"', "host": '("build", "link")', "run": '("build", "run")'}
    lines = [
        "# Generated by extdeps from pyproject.toml; review before use.",
        "from spack.package import *",
        "",
        "",
        f"class {cls}(PythonPackage):",
        f'    """{recipe.summary or _TODO}"""',
        "",
        f'    homepage = "{recipe.homepage or "https://pypi.org/project/" + recipe.name}"',
        f'    pypi = "{recipe.name}/{recipe.import_name}-{recipe.version}.tar.gz"',
        "",
    ]
    if recipe.license:
        lines.append(f'    license("{recipe.license}")')
    lines += [f'    version("{recipe.version}", sha256="{_TODO}")', ""]
    extras = sorted({d.extra for d in recipe.deps if d.extra})
    for extra in extras:
        name = re.sub("[^a-z0-9_]", "_", extra)
        lines.append(f'    variant("{name}", default=False, description="extra {extra}")')
    if extras:
        lines.append("")
    for req in recipe.build_system:
        lines.append(f'    depends_on("py-{_py_name(req)}", type="build")')
    for dep in recipe.deps:
        when, todo = _spack_when(dep)
        if todo:
            lines.append(todo)
        when_arg = f', when="{when}"' if when else ""
        if dep.compiler:
            lines.append(f'    depends_on("{dep.compiler}", type="build"{when_arg})')
            continue
        virtual = _SPACK_VIRTUALS.get(dep.url.id)
        if virtual:
            lines.append(f'    depends_on("{virtual}", type={types[dep.category]}{when_arg})')
            continue
        if dep.url.is_virtual and dep.url.namespace == "driver":
            lines.append(f"    # {_TODO}: {dep.url} is a driver; Spack does not install drivers")
            continue
        if not dep.packages:
            lines.append("    " + _todo_unmapped(dep))
            lines.append(f'    # depends_on("<spack name>", type={types[dep.category]}{when_arg})')
            continue
        version, todo = _spack_version(dep)
        if todo:
            lines.append(todo)
        for package in dep.packages:
            line = f'    depends_on("{package}{version}", type={types[dep.category]}{when_arg})'
            if line not in lines:  # several ids can share one Spack package (CUDA)
                lines.append(line)
    for req in recipe.python_deps:
        spec = str(req.specifier)
        version = f"@{spec.lstrip('>=')}:" if spec.startswith(">=") and "," not in spec else ""
        if spec and not version:
            lines.append(f"    # {_TODO}: translate the version constraint {spec!r}")
        lines.append(f'    depends_on("py-{_py_name(req)}{version}", type=("build", "run"))')
    return "\n".join(lines) + "\n"
