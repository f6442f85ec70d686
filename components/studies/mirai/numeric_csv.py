"""Stream a numeric CSV into a float32 matrix in bounded memory.

The Kitsune files are large (Mirai's is 1.4 GB of text) and plain: numbers
separated by commas, one row per line. The text is never held whole: it is
read in blocks of whole lines (``BLOCK_BYTES``, decompressed in a background
thread), pandas' C parser turns each block into float32 (``PARSERS`` blocks
at once: the parser releases the GIL, and it is the slowest stage), and the
rows are appended in order to a matrix that grows in place. Only when a
block fails does a slow line-by-line check run over it, to name the first
bad line and what is wrong with it, so bad input costs time only when it is
there.

What the format allows, and how it is detected:
- a **header row**: the first line is one when any of its cells is not a
  number (an all-numeric first line is data; ``nan`` or ``inf`` count as
  numbers here, so that a first row holding one is reported as a non-finite
  value rather than taken for a header);
- a **row-index column**: with a header, column 1 is one when its name is
  empty (as pandas and R write an unnamed index), "index" or "Unnamed: 0"; without a
  header, when it counts 0, 1, 2, ... or 1, 2, 3, ... over the whole first
  block. It must then count on from 0 or 1 to the last row (a gap means lost
  or reordered rows), and is removed from the values;
- blank lines at the end of the file. Anywhere else a blank line is an
  error, so that rows and lines stay in step for error messages.
A cell may be quoted (``"1"``), as R's ``write.csv`` quotes row names and the
header; every value must be finite in float32.
"""

from __future__ import annotations

import codecs
import collections
import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO, NoReturn

import numpy as np
import pandas as pd

from components.errors import DataError
from components.prefetch import prefetched

BLOCK_BYTES = 1 << 22  # 4 MiB: larger blocks only add memory (pandas buffers), not speed
PARSERS = 2  # threads parsing blocks: on two cores, 1.5x one thread's rate
# A "line" longer than this many blocks is handed on whole and reported as malformed.
_LONGEST_LINE_BLOCKS = 4
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE = (b"nan", b"inf", b"infinity")
_FLOAT32_MAX = float(np.finfo(np.float32).max)
_WHITESPACE = b" \t\r\n"
INDEX_NAMES = ("", "index", "unnamed: 0")


@dataclass(frozen=True)
class NumericCsv:
    """The parsed file: ``values`` (rows x columns, float32, without the row
    index), the header's cells if there was one, and where the row index
    started counting (0 or 1) if there was one."""

    values: np.ndarray
    header: tuple[str, ...] | None
    index_start: int | None

    @property
    def first_data_line(self) -> int:
        return 1 if self.header is None else 2


def read_numeric_csv(stream: BinaryIO, where: str, block_bytes: int = BLOCK_BYTES) -> NumericCsv:
    """Parse ``stream`` (already decompressed); ``where`` names it in errors."""
    with prefetched(line_blocks(stream, block_bytes)) as blocks, ThreadPoolExecutor(PARSERS) as parsers:
        first = next(blocks, b"").removeprefix(codecs.BOM_UTF8)  # for streams not opened as text
        if not first.strip():
            raise DataError(where, "empty file; expected lines of comma-separated numbers")
        header, width, first = _split_header(first, where)
        named_index = header is not None and width > 1 and header[0].lower() in INDEX_NAMES
        rows = _Rows(where, width, 1 if header is None else 2, named_index)
        for block, values in _parsed_in_order(parsers, itertools.chain((first,), blocks), width):
            rows.add(block, values)
    if rows.count == 0:
        raise DataError(where, "no data rows after the header")
    return NumericCsv(rows.finish(), header, rows.index_start)


def line_blocks(stream: BinaryIO, size: int) -> Iterator[bytes]:
    """Blocks of about ``size`` bytes that end at a line break. Blank lines
    are kept back until more text follows them, so blank lines at the end of
    the file are never yielded; a final line without a line break is."""
    tail = b""
    while chunk := stream.read(size):
        data = tail + chunk if tail else chunk
        end = _end_of_text(data, data.rfind(b"\n") + 1)
        cut = data.find(b"\n", end) + 1 if end else 0
        if cut == 0 and len(data) < _LONGEST_LINE_BLOCKS * size:
            tail = data
            continue
        cut = cut or len(data)
        yield data[:cut]
        tail = data[cut:]
    if tail.strip():
        yield tail


def _parsed_in_order(
    parsers: ThreadPoolExecutor, blocks: Iterable[bytes], width: int
) -> Iterator[tuple[bytes, np.ndarray | None]]:
    """Each block with its parsed rows (None if malformed), in the order read. One block more
    than there are parsers is submitted ahead, so that none waits while the oldest is taken."""
    pending: collections.deque[tuple[bytes, Future]] = collections.deque()
    for block in blocks:
        pending.append((block, parsers.submit(_parse, block, width)))
        if len(pending) > PARSERS:
            done, parsed = pending.popleft()
            yield done, parsed.result()
    while pending:
        done, parsed = pending.popleft()
        yield done, parsed.result()


def _end_of_text(data: bytes, stop: int) -> int:
    """The position after the last non-blank byte before ``stop``."""
    while stop > 0 and data[stop - 1] in _WHITESPACE:
        stop -= 1
    return stop


def _split_header(block: bytes, where: str) -> tuple[tuple[str, ...] | None, int, bytes]:
    """(header cells or None, number of columns, the block without the header)."""
    end = block.find(b"\n")
    line = (block if end < 0 else block[:end]).rstrip(b"\r")
    if not line.strip():
        raise DataError(f"{where}:1", "empty line; expected a header or comma-separated numbers")
    cells = line.split(b",")
    if all(_NUMBER.fullmatch(_unquoted(cell)) or _non_finite(_unquoted(cell)) for cell in cells):
        return None, len(cells), block
    header = tuple(cell.strip().strip(b'"').decode("utf-8", "replace") for cell in cells)
    return header, len(cells), b"" if end < 0 else block[end + 1 :]


class _Rows:
    """The rows parsed so far, in a float32 matrix grown in place."""

    def __init__(self, where: str, width: int, first_line: int, named_index: bool):
        self.where, self.width, self.line, self.named_index = where, width, first_line, named_index
        self.index_start: int | None = None
        self.count = 0
        self._matrix: np.ndarray | None = None

    def add(self, block: bytes, values: np.ndarray | None) -> None:
        """Append ``block``'s rows, parsed as ``values`` (None: malformed, diagnosed here)."""
        if not block:
            return
        lines = block.count(b"\n") + (not block.endswith(b"\n"))
        if values is None or len(values) != lines:
            _diagnose(block, self.where, self.line, self.width)
        if self.count == 0:
            self.index_start = self._detect_index(values[:, 0])
        if self.index_start is not None:
            self._check_index(values[:, 0], self.index_start)
            values = values[:, 1:]
        self._append(values)
        self.line += lines

    def _detect_index(self, column: np.ndarray) -> int | None:
        """Where the row index starts counting, or None if column 1 is not one."""
        if not self.named_index:
            return _counting_start(column) if self.width > 1 else None
        if column[0] not in (0.0, 1.0):
            raise DataError(
                f"{self.where}:{self.line}",
                f"row index {column[0]:g} in column 1, which the header names as a row index; expected 0 or 1",
            )
        return int(column[0])

    def _check_index(self, column: np.ndarray, start: int) -> None:
        first = start + self.count
        expected = np.arange(first, first + len(column), dtype=np.float64).astype(np.float32)
        wrong = np.flatnonzero(column != expected)
        if wrong.size:
            row = int(wrong[0])
            raise DataError(
                f"{self.where}:{self.line + row}",
                f"row index {column[row]:g} in column 1; expected {first + row} "
                f"(column 1 counts rows from {start}: rows are missing or out of order)",
            )

    def _append(self, values: np.ndarray) -> None:
        needed = self.count + len(values)
        if self._matrix is None:
            self._matrix = np.empty((needed, values.shape[1]), np.float32)
        elif needed > len(self._matrix):
            # realloc: large buffers are remapped rather than copied, so growing
            # never holds two copies. Safe because no view of the buffer exists.
            self._matrix.resize((max(needed, len(self._matrix) * 3 // 2), values.shape[1]), refcheck=False)
        self._matrix[self.count : needed] = values
        self.count = needed

    def finish(self) -> np.ndarray:
        """The rows read; only called after at least one row (the reader refuses a file with none)."""
        if self._matrix is None:
            raise ValueError("no rows were added")
        self._matrix.resize((self.count, self._matrix.shape[1]), refcheck=False)
        return self._matrix


def _parse(block: bytes, width: int) -> np.ndarray | None:
    """The block as float32 rows, or None if anything in it is malformed."""
    try:
        with np.errstate(over="ignore"):  # a value beyond float32 becomes inf, reported by _diagnose
            frame = pd.read_csv(
                io.BytesIO(block),
                header=None,
                names=range(width),
                index_col=False,
                dtype=np.float32,
                engine="c",
                low_memory=False,
                quoting=csv.QUOTE_MINIMAL,
                doublequote=False,
                na_filter=False,
                skip_blank_lines=False,
            )
    except ValueError:  # pandas' ParserError is a ValueError too
        return None
    values = frame.to_numpy()
    return values if np.isfinite(values).all() else None


def _counting_start(column: np.ndarray) -> int | None:
    """0 or 1 if ``column`` counts rows from there, else None."""
    start = column[0]
    if start not in (0.0, 1.0):
        return None
    count = np.arange(start, start + len(column), dtype=np.float64).astype(np.float32)
    return int(start) if np.array_equal(column, count) else None


def _diagnose(block: bytes, where: str, first_line: int, width: int) -> NoReturn:
    """Raise a DataError naming the first bad line of ``block`` and what is wrong."""
    lines = block.split(b"\n")
    if block.endswith(b"\n"):
        lines.pop()
    for number, raw in enumerate(lines, first_line):
        line = raw.rstrip(b"\r")
        if not line.strip():
            raise DataError(f"{where}:{number}", "empty line; expected comma-separated numbers")
        cells = line.split(b",")
        if len(cells) != width:
            raise DataError(f"{where}:{number}", f"{len(cells)} cells; expected {width}, as on line 1")
        for column, cell in enumerate(cells, 1):
            problem = _cell_problem(_unquoted(cell))
            if problem:
                raise DataError(f"{where}:{number}", f"column {column}: {problem}")
    raise DataError(
        f"{where}:{first_line}-{first_line + len(lines) - 1}",
        "these lines could not be parsed as comma-separated numbers",
    )


def _unquoted(cell: bytes) -> bytes:
    """A cell without surrounding blanks and one pair of double quotes."""
    cell = cell.strip()
    return cell[1:-1].strip() if len(cell) >= 2 and cell[:1] == cell[-1:] == b'"' else cell


def _non_finite(cell: bytes) -> bool:
    """Whether ``cell`` spells NaN or an infinity."""
    return cell.lower().lstrip(b"+-") in _NON_FINITE


def _cell_problem(cell: bytes) -> str | None:
    shown = repr(cell[:40].decode("utf-8", "replace"))
    if not cell:
        return "empty cell; expected a number"
    if not _NUMBER.fullmatch(cell):
        if _non_finite(cell):
            return f"{shown} is not a finite number"
        return f"{shown} is not a number"
    if abs(float(cell)) > _FLOAT32_MAX:
        return f"{shown} is outside the float32 range"
    return None
