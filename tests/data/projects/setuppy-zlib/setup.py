from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("setuppy_zlib._crc", sources=["src/crc.c"], libraries=["z"]),
    ],
)
