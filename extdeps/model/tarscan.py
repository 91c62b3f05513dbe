"""A quick walk over a well-formed tar archive (plain or gzip), without tarfile.

Finding an sdist's ``pyproject.toml`` means looking at every member's header
(an archive with two of them at its top is refused), and ``tarfile`` costs an
interpreter start to import (with ``shutil``, ``gzip``, ``bz2``, ``lzma``) and
parses each header in Python objects. :func:`scan` reads the headers straight
from the decompressed stream, skips every member's data without keeping it, and
keeps only the members a caller asks for.

It answers only for archives it fully understands: ustar, GNU long names and
pax ``path``/``size`` records, octal numbers, valid checksums, a gzip stream of
one member or no compression, ended by a zero block. For anything else it
returns ``None`` and the caller asks ``tarfile``, which reads more formats and
words the errors. Members are seen as ``tarfile`` sees them (names, prefixes,
types), and :class:`Limits` stop a decompression bomb at the same points.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, BinaryIO

__all__ = ["Limits", "Member", "TooBig", "scan"]

_BLOCK = 512
_CHUNK = 1 << 16
_REGULAR = (b"0", b"\0", b"7")  # tarfile's REGULAR_TYPES less GNU sparse files
_GNU_TYPES = (b"L", b"K", b"S")
_POSIX_MAGIC = b"ustar\x0000"
_GNU_MAGIC = b"ustar  \0"
_ENCODING = sys.getfilesystemencoding()  # tarfile's default for names


class Member:
    """A member header as ``tarfile.TarInfo`` would give it."""

    __slots__ = ("name", "regular", "data")

    def __init__(self, name: str, regular: bool) -> None:
        self.name = name
        self.regular = regular
        self.data: bytes | None = None  # the first bytes of its content, when kept


class Limits:
    """What a walk may cost: members, bytes expanded, and the expansion ratio
    (bytes expanded per compressed byte read) once past ``ratio_after``."""

    def __init__(self, members: int, expanded: int, ratio: int, ratio_after: int) -> None:
        self.members = members
        self.expanded = expanded
        self.ratio = ratio
        self.ratio_after = ratio_after


class TooBig(Exception):
    """The archive passed one of the :class:`Limits`: ``what`` says which."""

    def __init__(self, what: str, expanded: int) -> None:
        super().__init__(what)
        self.what = what
        self.expanded = expanded


class _Unsupported(Exception):
    pass


class _Stream:
    """The archive's bytes, decompressed when it is gzip, read forward only.

    At most a mebibyte is inflated at a time, so a bomb is stopped by the
    limits before it fills memory."""

    def __init__(self, raw: BinaryIO) -> None:
        import zlib  # noqa: PLC0415 - a C module

        self.raw = raw
        self.buffer = b""
        self.pos = 0  # of the next unread byte in buffer
        self.offset = 0  # bytes of the tar stream consumed so far
        self.pending = raw.read(_CHUNK)
        self.compressed = len(self.pending)  # bytes read from the file
        gzip = self.pending[:2] == b"\x1f\x8b"
        self.inflate: Any = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
        self.error = zlib.error

    def _feed(self) -> bytes:
        if self.pending:
            data, self.pending = self.pending, b""
            return data
        data = self.raw.read(_CHUNK)
        self.compressed += len(data)
        return data

    def _more(self) -> bool:
        """More bytes into the buffer; False at the end of the stream."""
        if self.inflate is None:
            data = self._feed()
            if not data:
                return False
        else:
            if self.inflate.eof:
                return False  # any other gzip member is tarfile's job
            source = self.inflate.unconsumed_tail or self._feed()
            if not source:
                raise _Unsupported  # a truncated stream: tarfile words it
            try:
                data = self.inflate.decompress(source, 1 << 20)
            except self.error:
                raise _Unsupported from None
        self.buffer = self.buffer[self.pos :] + data
        self.pos = 0
        return True

    def read(self, size: int) -> bytes:
        while len(self.buffer) - self.pos < size:
            if not self._more():
                raise _Unsupported  # the archive ends inside a block
        data = self.buffer[self.pos : self.pos + size]
        self.pos += size
        self.offset += size
        return data

    def skip(self, size: int, check: Callable[[], None]) -> None:
        while size > len(self.buffer) - self.pos:
            available = len(self.buffer) - self.pos
            size -= available
            self.offset += available
            self.buffer, self.pos = b"", 0
            check()
            if not self._more():
                raise _Unsupported
        self.pos += size
        self.offset += size


def _number(field: bytes) -> int:
    """A header number as tarfile's ``nti`` reads it (base-256 ones are left to tarfile)."""
    if field[:1] in (b"\x80", b"\xff"):
        raise _Unsupported
    end = field.find(b"\0")
    return int(field[: len(field) if end < 0 else end].strip() or b"0", 8)


def _text(field: bytes) -> str:
    end = field.find(b"\0")
    return field[: len(field) if end < 0 else end].decode(_ENCODING, "surrogateescape")


def _checksum_ok(block: bytes) -> bool:
    stored = _number(block[148:156])
    unsigned = sum(block[:148]) + 256 + sum(block[156:])  # the field counts as spaces
    if stored == unsigned:
        return True
    return stored == unsigned - sum(256 for c in block[:148] + block[156:] if c > 127)


def _pax(data: bytes) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        if data[pos:].strip(b"\0") == b"":
            break
        space = data.find(b" ", pos)
        if space < 0:
            raise _Unsupported
        length = int(data[pos:space]) if data[pos:space].isdigit() else 0
        record = data[space + 1 : pos + length]
        if length <= 0 or not record.endswith(b"\n") or b"=" not in record:
            raise _Unsupported
        key, _, value = record[:-1].partition(b"=")
        records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return records


def scan(
    raw: BinaryIO, wanted: Callable[[str], bool], keep: int, limits: Limits
) -> list[Member] | None:
    """Every member of the archive in ``raw``; the members for which ``wanted(name)``
    is true carry the first ``keep + 1`` bytes of their content (regular files
    only). ``None`` when the archive is not one :func:`scan` reads (see the module
    docstring); :class:`TooBig` past the limits."""
    try:
        return _scan(raw, wanted, keep, limits)
    except (_Unsupported, ValueError, UnicodeError):
        return None


def _scan(raw: BinaryIO, wanted: Callable[[str], bool], keep: int, limits: Limits) -> list[Member]:
    stream = _Stream(raw)
    members: list[Member] = []

    def check() -> None:
        expanded = stream.offset
        if expanded > limits.expanded or (
            expanded > limits.ratio_after and expanded > limits.ratio * max(stream.compressed, 1)
        ):
            raise TooBig("expanded", expanded)

    long_name: str | None = None
    pax: dict[str, str] = {}
    while True:
        block = stream.read(_BLOCK)
        if block == bytes(_BLOCK):
            return members  # the end, as tarfile sees it: the first zero block
        if not _checksum_ok(block):
            raise _Unsupported
        kind = block[156:157]
        size = _number(block[124:136])
        magic = block[257:265]
        if magic not in (_POSIX_MAGIC, _GNU_MAGIC) and block[257:262] == b"ustar":
            raise _Unsupported
        padded = -(-size // _BLOCK) * _BLOCK
        if kind in (b"L", b"K", b"x", b"g"):
            data = stream.read(padded)[:size]
            if kind == b"L":
                long_name = _text(data)
            elif kind == b"x":
                pax.update(_pax(data))
            elif kind == b"g" and set(_pax(data)) - {"comment"}:
                raise _Unsupported  # global records that change members: tarfile's job
            continue
        if kind == b"S" or any(k.startswith("GNU.sparse") for k in pax):
            raise _Unsupported
        if "hdrcharset" in pax:
            raise _Unsupported
        # as tarfile's TarInfo.frombuf, then its GNU long name and pax handling
        name = _text(block[0:100])
        prefix = _text(block[345:500])
        if kind == b"\0" and name.endswith("/"):
            kind = b"5"  # an old-style directory
        if kind == b"5":
            name = name.rstrip("/")
        if prefix and magic == _GNU_MAGIC:
            raise _Unsupported  # GNU keeps times there
        if prefix and kind not in _GNU_TYPES:
            name = prefix + "/" + name
        if long_name is not None:
            name = long_name
        if "path" in pax:
            name = pax["path"]
        if "size" in pax:
            size = int(pax["size"])
            padded = -(-size // _BLOCK) * _BLOCK
        long_name, pax = None, {}
        regular = kind in _REGULAR
        member = Member(name, regular)
        members.append(member)
        if len(members) > limits.members:
            raise TooBig("members", stream.offset)
        if regular and wanted(name):
            head = stream.read(min(padded, -(-(keep + 1) // _BLOCK) * _BLOCK))
            member.data = head[: min(size, keep + 1)]
            stream.skip(padded - len(head), check)
        elif regular or kind not in (b"1", b"2", b"3", b"4", b"5", b"6"):
            stream.skip(padded, check)
        check()
