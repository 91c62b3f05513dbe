"""PEP 517 build backends that add PEP 725 support to an existing backend.

A wheel of extdeps installs this directory as ``extdeps.backends``; in a source
checkout ``extdeps/__init__.py`` adds the checkout's root to ``extdeps.__path__``
so that the same names import. A project uses one like this::

    [build-system]
    requires = ["extdeps[meson]"]
    build-backend = "extdeps.backends.mesonpy"

* ``extdeps.backends.mesonpy`` wraps ``mesonpy``; requires ``extdeps[meson]``;
* ``extdeps.backends.setuptools`` wraps ``setuptools.build_meta``; requires
  ``extdeps[setuptools]``.

The wrapping itself lives in :mod:`extdeps.build.wrapper`.
"""

from __future__ import annotations

__all__: list[str] = []
