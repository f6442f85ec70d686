"""The fastText reader: one review per line, ``__label__1 <text>`` or ``__label__2 <text>``.

The file may be plain or compressed (gzip, bzip2 or xz, detected by content),
as the public ``train.ft.txt.bz2`` is. Line endings may be ``\\n``, ``\\r\\n`` or
``\\r``, a UTF-8 byte-order mark is dropped and empty lines at the end are
ignored (``compression.open_text_stream``). It is streamed line by line with a
bounded line length, so a file that is not line-oriented text cannot exhaust
memory, and reading to the end makes a truncated compressed file raise.

The raw table has ``text`` (the review's UTF-8 bytes, after the label) and
``label`` (0 for ``__label__1``, 1-2 stars; 1 for ``__label__2``, 4-5 stars).
There is no ``split`` column: the source has no official split.
"""

from __future__ import annotations

import numpy as np

from components.compression import TRUNCATION_ERRORS, open_text_stream
from components.errors import DataError
from components.tables import Ragged, Table

LABELS = {"__label__1": 0, "__label__2": 1}
# Reviews are about 1 kB at most (1,026 bytes in the 6,459-line sample); a 1 MB line is not a review.
MAX_LINE_BYTES = 1 << 20
_EXPECTED = "expected '__label__1 <text>' or '__label__2 <text>'"


def read(path: str) -> Table:
    values, splits, labels = bytearray(), [0], bytearray()
    line_no = 0
    with open_text_stream(path) as stream:
        try:
            while line := stream.readline(MAX_LINE_BYTES + 1):
                line_no += 1
                label, text = _parse(line, f"{path} line {line_no}")
                labels.append(label)
                values += text
                splits.append(len(values))
        except TRUNCATION_ERRORS as exc:
            raise DataError(path, f"truncated or corrupt stream after line {line_no} ({exc})") from None
    _check_both_labels(path, labels)
    return {
        "text": Ragged(np.frombuffer(bytes(values), np.uint8), np.array(splits, np.int64)),
        "label": np.frombuffer(bytes(labels), np.uint8).copy(),
    }


def _parse(line: bytes, where: str) -> tuple[int, bytes]:
    """The label and the review's UTF-8 bytes, or a DataError saying what is wrong with the line."""
    if len(line) > MAX_LINE_BYTES:
        raise DataError(where, f"line longer than {MAX_LINE_BYTES} bytes; {_EXPECTED} per line")
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(where, f"not UTF-8 text (byte {exc.start})") from None
    parts = decoded.rstrip("\r\n").split(None, 1)
    if not parts:
        raise DataError(where, f"empty line; {_EXPECTED}")
    if parts[0] not in LABELS:
        if parts[0].startswith("__label__"):
            raise DataError(where, f"unknown label {parts[0]!r}; expected __label__1 or __label__2")
        raise DataError(where, f"no label at the start of the line; {_EXPECTED}")
    if len(parts) == 1:
        raise DataError(where, f"no review text after {parts[0]}")
    return LABELS[parts[0]], parts[1].encode("utf-8")


def _check_both_labels(path: str, labels: bytearray) -> None:
    if not labels:
        raise DataError(path, f"no reviews; {_EXPECTED} per line")
    for name, value in LABELS.items():
        if value not in labels:
            raise DataError(path, f"no {name} reviews; both classes are needed to split and train")
