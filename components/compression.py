"""Open a file as a stream, decompressing gzip, bzip2 or xz by its magic bytes.

Readers stream compressed sources instead of unpacking them to disk, and a
truncated file must be an error, not a silently shorter dataset: the
decompressors raise at the missing end-of-stream marker, which
:func:`drain` forces readers to reach.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from typing import BinaryIO, cast

_MAGIC = ((b"\x1f\x8b", gzip.open), (b"BZh", bz2.open), (b"\xfd7zXZ\x00", lzma.open))
TRUNCATION_ERRORS = (EOFError, OSError, lzma.LZMAError)


def open_stream(path: str) -> BinaryIO:
    with open(path, "rb") as f:
        head = f.read(6)
    for magic, opener in _MAGIC:
        if head.startswith(magic):
            return cast(BinaryIO, opener(path, "rb"))
    return open(path, "rb")


def drain(stream: BinaryIO, chunk: int = 1 << 20) -> None:
    """Read to the end, so that a truncated compressed stream raises."""
    while stream.read(chunk):
        pass
