"""Open a file as a stream, decompressing gzip, bzip2 or xz by its magic bytes, within bounds.

Readers stream compressed sources instead of unpacking them to disk, and a
truncated file must be an error, not a silently shorter dataset: the
decompressors raise at the missing end-of-stream marker, which
:func:`drain` forces readers to reach.

A small file must not expand without limit either (a "decompression bomb":
a few kilobytes of bzip2 can stand for gigabytes of zeros). Every
decompressed stream counts the bytes it has consumed and produced, and past
``BOMB_FLOOR_BYTES`` of output refuses to go on once the output is more than
``BOMB_RATIO`` times the input. Real data is far below that ratio (text
compresses 3-10x, images and floats barely), while gzip, bzip2 and xz bombs
reach 1,000x to 1,000,000x, so a bomb is refused after at most the floor
has been produced: a fraction of a second and no memory beyond the reader's.

The file is opened once and its magic bytes are peeked, so a pipe or FIFO
(``--source <(zcat ...)``) is read in one pass like a file.
"""

from __future__ import annotations

import bz2
import io
import lzma
import zlib
from collections.abc import Callable
from typing import BinaryIO, cast

from isal import igzip, isal_zlib

from components.errors import DataError
from components.text_encoding import strip_bom

_MAGIC: tuple[tuple[bytes, Callable[[BinaryIO], BinaryIO]], ...] = (
    # ISA-L's inflate reads the same gzip streams as zlib's (several members included), 3.5x faster
    # here: the decompression thread then keeps well ahead of a parser.
    (b"\x1f\x8b", lambda f: cast(BinaryIO, igzip.IGzipFile(fileobj=f, mode="rb"))),
    (b"BZh", lambda f: cast(BinaryIO, bz2.BZ2File(f, "rb"))),
    (b"\xfd7zXZ\x00", lambda f: cast(BinaryIO, lzma.LZMAFile(f, "rb"))),
)
# What a truncated or corrupt compressed stream raises while it is read.
TRUNCATION_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    OSError,
    lzma.LZMAError,
    zlib.error,
    cast(type[BaseException], isal_zlib.error),  # isal has no stubs
)
BOMB_RATIO = 200
BOMB_FLOOR_BYTES = 16 << 20
_BUFFER = 1 << 20


class _Counted(io.RawIOBase):
    """A raw stream that counts the bytes read through it."""

    def __init__(self, inner: BinaryIO):
        self.inner, self.count = inner, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = cast(io.BufferedIOBase, self.inner).readinto(buffer)  # every stream wrapped here has readinto
        self.count += n
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()


class _Bounded(_Counted):
    """A decompressed stream that stops at the bomb limit (see the module's docstring)."""

    def __init__(self, decompressed: BinaryIO, compressed: _Counted, where: str, ratio: int, floor: int):
        super().__init__(decompressed)
        self.compressed, self.where, self.ratio, self.floor = compressed, where, ratio, floor

    def readinto(self, buffer) -> int:
        n = super().readinto(buffer)
        if self.count > self.floor and self.count > self.ratio * max(self.compressed.count, 1):
            raise DataError(
                self.where,
                f"expands to more than {self.ratio} times its compressed size "
                f"({self.count} bytes from {self.compressed.count}); refused as a decompression bomb",
            )
        return n

    def close(self) -> None:
        self.compressed.close()
        super().close()


def decompressed(raw: BinaryIO, where: str, *, ratio: int = BOMB_RATIO, floor: int = BOMB_FLOOR_BYTES) -> BinaryIO:
    """``raw`` itself, or its decompressed content when its first bytes are a gzip, bzip2 or xz
    magic, bounded as the module's docstring says. ``raw`` should support ``peek`` (a
    ``BufferedReader``); it is wrapped in one otherwise."""
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(cast(io.RawIOBase, raw), _BUFFER)
    head = cast(io.BufferedReader, buffered).peek(6)[:6]
    for magic, opener in _MAGIC:
        if head.startswith(magic):
            counted = _Counted(buffered)
            return cast(
                BinaryIO,
                io.BufferedReader(_Bounded(opener(cast(BinaryIO, counted)), counted, where, ratio, floor), _BUFFER),
            )
    return buffered


def open_stream(path: str, where: str | None = None) -> BinaryIO:
    """The file at ``path``, decompressed if it is compressed (see :func:`decompressed`)."""
    return decompressed(cast(BinaryIO, open(path, "rb", buffering=_BUFFER)), where or path)


def drain(stream: BinaryIO, chunk: int = 1 << 20) -> None:
    """Read to the end, so that a truncated compressed stream raises."""
    while stream.read(chunk):
        pass


# ---- text -----------------------------------------------------------------------------


class _UnixNewlines(io.RawIOBase):
    """Bytes with ``\\r\\n`` and a lone ``\\r`` (classic Mac) turned into ``\\n``, a leading
    byte-order mark handled by :func:`strip_bom`, and empty lines at the end of the text
    dropped (any number of them, counted rather than held), so that every text reader
    sees the same lines."""

    def __init__(self, inner: BinaryIO, where: str):
        self.inner, self.where = inner, where
        self.cr = b""  # a trailing \r, held until we know whether \n follows
        self.newlines = 0  # newlines held back: text may follow them, or the end
        self.owed = 0  # held newlines to pass on before ``self.text``
        self.text = b""
        self.started = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.owed and not self.text:
            if not self._fill(len(buffer)):
                return 0
        if self.owed:
            n = min(self.owed, len(buffer))
            buffer[:n] = b"\n" * n
            self.owed -= n
            return n
        n = min(len(self.text), len(buffer))
        buffer[:n], self.text = self.text[:n], self.text[n:]
        return n

    def _fill(self, size: int) -> bool:
        """Read on until there is text to pass on; False at the end of the input."""
        chunk = self.inner.read(size)
        if not self.started:
            while len(chunk) < 3 and (more := self.inner.read(3)):
                chunk += more
            chunk, self.started = strip_bom(chunk, self.where), True
        if not chunk:
            if self.cr or self.newlines:
                self.text, self.cr, self.newlines = b"\n", b"", 0  # the last line keeps its line break
                return True
            return False
        data = self.cr + chunk
        self.cr = b"\r" if data.endswith(b"\r") else b""
        data = data[: len(data) - len(self.cr)]
        if b"\r" in data:  # a search is much cheaper than replace, which scans and copies every chunk
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        body = data.rstrip(b"\n")
        if body:
            self.owed, self.text, self.newlines = self.newlines, body, len(data) - len(body)
        else:
            self.newlines += len(data)
        return True

    def close(self) -> None:
        self.inner.close()
        super().close()


def open_text_stream(path: str) -> BinaryIO:
    """:func:`open_stream` for line-oriented text: lines end in ``\\n`` whatever the file used
    (``\\n``, ``\\r\\n`` or ``\\r``), and a UTF-8 byte-order mark is dropped."""
    return text_stream(open_stream(path), path)


def text_stream(stream: BinaryIO, where: str) -> BinaryIO:
    """``stream`` with the line endings and byte-order mark of :func:`open_text_stream`."""
    return cast(BinaryIO, io.BufferedReader(_UnixNewlines(stream, where), _BUFFER))
