"""The one rule every text reader applies to a byte-order mark, and UTF-8 decoding with a position.

Text is UTF-8. A UTF-8 byte-order mark at the start of a file (Windows tools
write one) says nothing about the data and is dropped; a UTF-16 one means the
file is not UTF-8 at all, which is said plainly rather than reported as
undecodable bytes.
"""

from __future__ import annotations

import codecs

from components.errors import DataError

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def strip_bom(data: bytes, where: str) -> bytes:
    """``data`` (the start of a file) without a UTF-8 byte-order mark; a UTF-16 one is an error."""
    if data.startswith(_UTF16_BOMS):
        raise DataError(where, "UTF-16 text (it starts with a UTF-16 byte-order mark); expected UTF-8")
    return data.removeprefix(codecs.BOM_UTF8)


def decode_utf8(data: bytes, where: str) -> str:
    """A whole file's text; bytes that are not UTF-8 are an error giving their position."""
    try:
        return strip_bom(data, where).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(where, f"not UTF-8 text (byte {exc.start})") from None
