"""Reader for UNIPEN pendigits-orig files, streamed line by line.

The layout, per sample::

    .SEGMENT DIGIT 0 ? "8"
    .COMMENT 8 12 224          <label> <writer> <n>
    .PEN_DOWN
     267  333                  x y (tablet units), one point per line
    .PEN_UP
    .DT 100                    further PEN_DOWN/PEN_UP blocks: more strokes

Strokes are concatenated in writing order. Header keywords (``.INCLUDE``,
``.LEXICON``, ``.HIERARCHY``, ``.DT`` ...) carry nothing the study uses and
are skipped; anything that breaks the structure is a DataError naming the
file and line. Lines are read with a bounded length, so a file that is not
line-oriented text cannot exhaust memory, and a message quotes at most the
start of a bad line.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import numpy as np

from components.compression import TRUNCATION_ERRORS, open_text_stream
from components.errors import DataError
from components.studies.digits.traces import Trace, parse_label

# The official files of a pendigits-orig folder and the split each one is.
OFFICIAL_FILES = {"pendigits-train": 0, "pendigits-test": 1}
# UNIPEN lines are keywords or 'x y' pairs, well under 100 characters.
MAX_LINE_CHARS = 4096
# Lines in a row that add no point and start no sample: the official files have a
# header of about 30. Input made of nothing else (blank or comment filler) is
# refused after this many, rather than read for minutes.
MAX_FILLER_LINES = 1_000_000
_QUOTED_CHARS = 60


class _Segment:
    """The sample being read: where it started, its label, writer and points."""

    def __init__(self, where: str, label: int):
        self.where, self.label = where, label
        self.writer: str | None = None
        self.points: list[tuple[float, float]] = []


def read_unipen(path: str, split: int | None = None) -> Iterator[Trace]:
    """Every digit of one UNIPEN file; writer ids are prefixed by the file name,
    since pendigits numbers writers from 1 again in each file."""
    name = os.path.basename(path)
    try:
        with open_text_stream(path) as raw:
            lines = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
            yield from _segments(iter(lambda: lines.readline(MAX_LINE_CHARS + 1), ""), path, name, split)
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not ASCII text ({exc.reason}); expected a UNIPEN file") from None
    except TRUNCATION_ERRORS as exc:
        raise DataError(path, f"unreadable or truncated ({exc})") from None


def _segments(lines, path: str, name: str, split: int | None) -> Iterator[Trace]:
    segment: _Segment | None = None
    pen_down_at: int | None = None  # line of the open PEN_DOWN, if any
    last_record = 0  # the last line that added a point or started a sample
    for number, line in enumerate(lines, 1):
        if number - last_record > MAX_FILLER_LINES:
            raise DataError(
                f"{path}:{number}",
                f"{MAX_FILLER_LINES} lines in a row without a pen point or a .SEGMENT; "
                "expected UNIPEN samples, not filler",
            )
        where = f"{path}:{number}"
        if len(line) > MAX_LINE_CHARS:
            raise DataError(
                where,
                f"line longer than {MAX_LINE_CHARS} characters; expected a UNIPEN keyword or 'x y' pen coordinates",
            )
        fields = line.split()
        if not fields:
            continue
        keyword = fields[0]
        if pen_down_at is not None:
            if keyword == ".PEN_UP":
                pen_down_at = None
            elif keyword.startswith("."):
                raise DataError(f"{path}:{pen_down_at}", f"PEN_DOWN has no PEN_UP before {keyword} on line {number}")
            else:
                assert segment is not None, "a PEN_DOWN is only accepted inside a .SEGMENT"
                segment.points.append(_point(fields, where))
                last_record = number
        elif keyword == ".SEGMENT":
            if segment is not None:
                yield _finish(segment, name, split)
            segment = _Segment(where, _segment_label(fields, where))
            last_record = number
        elif keyword == ".COMMENT" and segment is not None:
            segment.writer = _writer(fields, segment.label, where)
        elif keyword == ".PEN_DOWN":
            if segment is None:
                raise DataError(where, "PEN_DOWN before any .SEGMENT")
            pen_down_at = number
        elif keyword == ".PEN_UP":
            raise DataError(where, "PEN_UP without a PEN_DOWN")
        elif not keyword.startswith("."):
            raise DataError(where, f"pen coordinates {_quoted(fields)} outside a PEN_DOWN ... PEN_UP block")
    if pen_down_at is not None:
        raise DataError(f"{path}:{pen_down_at}", "PEN_DOWN has no PEN_UP before the end of the file")
    if segment is not None:
        yield _finish(segment, name, split)


def _segment_label(fields: list[str], where: str) -> int:
    # .SEGMENT DIGIT <index> <quality> "<label>"
    if len(fields) < 3 or fields[1] != "DIGIT":
        raise DataError(where, f"expected '.SEGMENT DIGIT <index> ? \"<label>\"', got {_quoted(fields)}")
    return parse_label(fields[-1].strip('"'), where)


def _writer(fields: list[str], label: int, where: str) -> str:
    # .COMMENT <label> <writer> <n>
    if len(fields) < 3 or not fields[2].isdigit():
        raise DataError(where, f"expected '.COMMENT <label> <writer> <n>', got {_quoted(fields)}")
    if parse_label(fields[1], where) != label:
        raise DataError(where, f"comment label {fields[1]} disagrees with the segment's label {label}")
    return str(int(fields[2]))


def _point(fields: list[str], where: str) -> tuple[float, float]:
    try:
        x, y = float(fields[0]), float(fields[1])
    except (ValueError, IndexError):
        raise DataError(where, f"expected 'x y' pen coordinates, got {_quoted(fields)}") from None
    if not (np.isfinite(x) and np.isfinite(y)):
        raise DataError(where, f"pen coordinates must be finite, got {_quoted(fields)}")
    return x, y


def _quoted(fields: list[str]) -> str:
    """A line's fields for a message: quoted, and cut short if long."""
    text = " ".join(fields)
    return repr(text if len(text) <= _QUOTED_CHARS else text[:_QUOTED_CHARS] + "...")


def _finish(segment: _Segment, name: str, split: int | None) -> Trace:
    if segment.writer is None:
        raise DataError(segment.where, "segment has no '.COMMENT <label> <writer> <n>' line naming its writer")
    if not segment.points:
        raise DataError(segment.where, "segment has no pen-down points")
    return Trace(f"{name}/{segment.writer}", segment.label, np.array(segment.points, np.float32), split)
