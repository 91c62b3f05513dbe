"""CRC-32 through zlib, from a compiled submodule."""

from setuppy_zlib._crc import crc32, zlib_version

__all__ = ["crc32", "zlib_version"]
