"""Packaging recipes for other ecosystems.

:mod:`extdeps.recipes.model` builds one :class:`~extdeps.recipes.model.RecipeData`
from a project; each format family has a module that renders it (``conda``,
``debian``, ``rpm``, ``arch_alpine``, ``nix``, ``homebrew``, ``spack``; pixi's and
conda's environment files in ``environments``). This
module holds the table of formats and loads a renderer only when it is used.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from extdeps.recipes.model import RecipeData

__all__ = ["FORMATS", "render_recipe"]

# format -> (mapping ecosystem, default output file name, module, function)
FORMATS: dict[str, tuple[str | None, str, str, str]] = {
    "conda-forge": ("conda-forge", "recipe.yaml", "conda", "render_conda_forge"),
    "conda-forge-meta": ("conda-forge", "meta.yaml", "conda", "render_conda_forge_meta"),
    "debian": ("debian", "debian/", "debian", "render_debian"),
    "fedora": ("fedora", "{name}.spec", "rpm", "render_fedora"),
    "arch": ("arch", "PKGBUILD", "arch_alpine", "render_arch"),
    "alpine": ("alpine", "APKBUILD", "arch_alpine", "render_alpine"),
    "nix": ("nix", "default.nix", "nix", "render_nix"),
    "homebrew": ("homebrew", "{name}.rb", "homebrew", "render_homebrew"),
    "spack": ("spack", "package.py", "spack", "render_spack"),
    "pixi": ("conda-forge", "pixi.toml", "environments", "render_pixi"),
    "conda-env": ("conda-forge", "environment.yml", "environments", "render_conda_env"),
}


def render_recipe(fmt: str, recipe: RecipeData) -> dict[str, str]:
    """The files of a recipe in format ``fmt`` (a key of :data:`FORMATS`): relative
    path -> text. A one-file format gets its default file name."""
    import importlib  # noqa: PLC0415 - only for this command

    _, filename, module, function = FORMATS[fmt]
    renderer = getattr(importlib.import_module(f"extdeps.recipes.{module}"), function)
    rendered: str | dict[str, str] = renderer(recipe)
    if isinstance(rendered, str):
        return {filename.format(name=recipe.normalized): rendered}
    return rendered
