# mypy: ignore-errors
# (a fixture for extdeps scan: read with ast, never imported or run)
"""A setuptools project with two C/C++ extensions, shaped like many older packages."""

import os

from setuptools import Extension, setup

USE_SSL = os.environ.get("USE_SSL", "1") == "1"

extensions = [
    Extension(
        "fastimg._core",
        sources=["src/core.c", "src/decode.c"],
        libraries=["z", "png", "m"],
    ),
    Extension(
        "fastimg._crypto",
        sources=["src/crypto.cpp"],
        language="c++",
        libraries=["ssl", "crypto"],
    ),
]

setup(
    name="fastimg",
    version="0.4.0",
    ext_modules=extensions,
    libraries=[("helper", {"sources": ["src/helper.c"]})],
)
