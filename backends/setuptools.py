"""``build-backend = "extdeps.backends.setuptools"``: setuptools, with PEP 725 support.

Every hook of ``setuptools.build_meta`` is delegated. Before a wheel is built, the
project's ``build-requires`` and ``host-requires`` are checked on this machine;
the prepared and built ``METADATA`` and the sdist's ``PKG-INFO`` get
``Requires-External-Dep`` and ``Provides-External-Extra``. See
:mod:`extdeps.build.wrapper` for the config settings.
"""

from __future__ import annotations

from extdeps.build.wrapper import Wrapper

__all__ = [
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
]

_backend = Wrapper("setuptools.build_meta", requirement="setuptools>=77", extra="setuptools")

get_requires_for_build_wheel = _backend.get_requires_for_build_wheel
get_requires_for_build_sdist = _backend.get_requires_for_build_sdist
build_wheel = _backend.build_wheel
build_sdist = _backend.build_sdist

# Optional hooks: only those setuptools has, so that frontends fall back as usual.
if _backend.provides("prepare_metadata_for_build_wheel"):
    prepare_metadata_for_build_wheel = _backend.prepare_metadata_for_build_wheel
    __all__ += ["prepare_metadata_for_build_wheel"]
if _backend.provides("build_editable"):
    get_requires_for_build_editable = _backend.get_requires_for_build_editable
    build_editable = _backend.build_editable
    __all__ += ["build_editable", "get_requires_for_build_editable"]
if _backend.provides("prepare_metadata_for_build_editable"):
    prepare_metadata_for_build_editable = _backend.prepare_metadata_for_build_editable
    __all__ += ["prepare_metadata_for_build_editable"]
