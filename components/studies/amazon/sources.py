"""The fastText reader: one review per line, ``__label__1 <text>`` or ``__label__2 <text>``.

The file may be plain or compressed (gzip, bzip2 or xz, detected by content),
as the public ``train.ft.txt.bz2`` is. A folder holding the public pair,
``train.ft.txt[.bz2]`` and ``test.ft.txt[.bz2]``, is read as the official
split (``split`` 0 for the training file's reviews, 1 for the test file's);
a single file has no split, and the study holds out ``test_fraction``.
Line endings may be ``\\n``, ``\\r\\n`` or ``\\r``, a UTF-8 byte-order mark is
dropped and empty lines at the end are ignored (``compression.open_text_stream``).

The source is streamed: a background thread decompresses blocks of whole
lines (``components.prefetch``; decompression releases the GIL) while this
thread checks them, and the reviews come out in shards of ``SHARD_ROWS``
(:func:`read_shards`), so a full-size pair (4 million reviews, 1.8 GB of
text) is read in bounded memory at close to the decompressor's speed. A
line longer than ``MAX_LINE_BYTES`` is refused, so a file that is not
line-oriented text cannot exhaust memory, and reading to the end makes a
truncated compressed file raise, naming the last line read.

The raw table has ``text`` (the review's UTF-8 bytes, after the label),
``label`` (0 for ``__label__1``, 1-2 stars; 1 for ``__label__2``, 4-5 stars)
and, for the pair, ``split``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from components import tables
from components.compression import TRUNCATION_ERRORS, open_text_stream
from components.errors import DataError
from components.prefetch import prefetched
from components.tables import Ragged, Table

LABELS = {"__label__1": 0, "__label__2": 1}
# Reviews are about 1 kB at most (1,026 bytes in the 6,459-line sample); a 1 MB line is not a review.
MAX_LINE_BYTES = 1 << 20
SHARD_ROWS = 100_000
BLOCK_BYTES = 1 << 22
_EXPECTED = "expected '__label__1 <text>' or '__label__2 <text>'"
# The public pair's names, and the compressions open_stream detects.
_PAIR = {
    "train": re.compile(r"^train\.ft\.txt(\.(bz2|gz|xz))?$", re.I),
    "test": re.compile(r"^test\.ft\.txt(\.(bz2|gz|xz))?$", re.I),
}
_SPLIT = {"train": 0, "test": 1}
_FAST_HEADS = (b"__label__1 ", b"__label__2 ")


def read(path: str) -> Table:
    """The whole raw table (:func:`read_shards` concatenated), for sources that fit in memory."""
    return tables.concat(list(read_shards(path)))


def read_shards(path: str) -> Iterator[Table]:
    """The raw table in shards of at most ``SHARD_ROWS`` reviews: a file's, or the pair's
    (the training file's first) from a folder."""
    if not os.path.isdir(path):
        counts = np.zeros(2, np.int64)
        yield from _file_shards(path, None, counts)
        _check_both_labels(path, counts)
        return
    for split, file in _pair(path):
        counts = np.zeros(2, np.int64)
        yield from _file_shards(file, split, counts)
        _check_both_labels(file, counts)


def _pair(folder: str) -> list[tuple[int | None, str]]:
    """(split, path) of the folder's train and test files; a lone train or test file has no split."""
    found: dict[str, list[str]] = {"train": [], "test": []}
    for name in sorted(os.listdir(folder)):
        for kind, pattern in _PAIR.items():
            if pattern.match(name) and os.path.isfile(os.path.join(folder, name)):
                found[kind].append(os.path.join(folder, name))
    for kind, paths in found.items():
        if len(paths) > 1:
            raise DataError(
                folder, f"{len(paths)} {kind} files ({', '.join(map(os.path.basename, paths))}); expected one"
            )
    present = [(kind, paths[0]) for kind, paths in found.items() if paths]
    if not present:
        raise DataError(folder, "no train.ft.txt[.bz2] or test.ft.txt[.bz2] (the public pair) in the folder")
    if len(present) == 1:
        return [(None, present[0][1])]
    return [(_SPLIT[kind], file) for kind, file in present]


def _file_shards(path: str, split: int | None, counts: np.ndarray) -> Iterator[Table]:
    texts: list[bytes] = []
    labels = bytearray()
    line_no = 0
    with open_text_stream(path) as stream, prefetched(_line_blocks(stream)) as blocks:
        try:
            for block in blocks:
                line_no = _add_block(block, path, line_no, texts, labels)
                while len(texts) >= SHARD_ROWS:
                    yield _shard(texts[:SHARD_ROWS], labels[:SHARD_ROWS], split, counts)
                    texts, labels = texts[SHARD_ROWS:], labels[SHARD_ROWS:]
        except TRUNCATION_ERRORS as exc:
            raise DataError(path, f"truncated or corrupt stream after line {line_no} ({exc})") from None
    if texts:
        yield _shard(texts, labels, split, counts)


def _line_blocks(stream: BinaryIO) -> Iterator[bytes]:
    """Blocks of whole lines, each ending with a line break but the file's last; a
    line longer than ``MAX_LINE_BYTES`` comes on its own, unfinished, to be refused."""
    tail = b""
    while chunk := stream.read(BLOCK_BYTES):
        data = tail + chunk if tail else chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) > MAX_LINE_BYTES:
                yield data
                return
            tail = data
            continue
        yield data[:cut]
        tail = data[cut:]
    if tail:
        yield tail


def _add_block(block: bytes, path: str, line_no: int, texts: list[bytes], labels: bytearray) -> int:
    """Append the block's reviews; returns the number of the last line read. The common
    line (a label, one space, printable ASCII next, no carriage return) is taken as it is;
    anything else goes through :func:`_parse`, which also names what is wrong."""
    lines = block.split(b"\n")
    if block.endswith(b"\n"):
        lines.pop()
    try:
        block.decode("utf-8")
        checked = True
    except UnicodeDecodeError:
        checked = False  # _parse finds the line
    for line in lines:
        line_no += 1
        if (
            checked
            and line[:11] in _FAST_HEADS
            and b"!" <= line[11:12] <= b"~"
            and not line.endswith(b"\r")
            and len(line) <= MAX_LINE_BYTES
        ):
            labels.append(line[9] - 49)
            texts.append(line[11:])
        else:
            label, text = _parse(line, f"{path} line {line_no}")
            labels.append(label)
            texts.append(text)
    return line_no


def _shard(texts: list[bytes], labels: bytearray, split: int | None, counts: np.ndarray) -> Table:
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    splits = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(lengths, out=splits[1:])
    label = np.frombuffer(bytes(labels), np.uint8).copy()
    counts += np.bincount(label, minlength=2)
    table: Table = {"text": Ragged(np.frombuffer(b"".join(texts), np.uint8), splits), "label": label}
    if split is not None:
        table["split"] = np.full(len(texts), split, np.uint8)
    return table


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


def _check_both_labels(path: str, counts: np.ndarray) -> None:
    if not counts.sum():
        raise DataError(path, f"no reviews; {_EXPECTED} per line")
    for name, value in LABELS.items():
        if not counts[value]:
            raise DataError(path, f"no {name} reviews; both classes are needed to split and train")
