"""What every digits reader yields, and how records become the raw table.

A :class:`Trace` is one handwritten digit: its writer, its label and the pen
positions of all its strokes, concatenated in writing order. The raw table
keeps exactly that (``xy`` as a ragged column of ``(x, y)`` rows), plus
``group`` (a writer number, unique across the source's files) and ``split``.

Sources with no official test split get one here, by writer: a fixed third of
the writers, drawn with a fixed seed, is held out for testing. A reader has
no pipeline parameters, so this choice is a constant of the study
(documented in docs/studies/digits.md); it keeps every writer's samples on
one side, which the generic label-stratified split would not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from components.errors import DataError
from components.splits import TEST, TRAIN
from components.tables import Ragged, Table

LABELS = tuple(str(d) for d in range(10))
TEST_WRITER_FRACTION = 1 / 3
TEST_WRITER_SEED = 0


class Trace(NamedTuple):
    writer: str  # unique within the whole source, e.g. "pendigits-test/12"
    label: int
    xy: np.ndarray  # (points, 2) float32, every stroke in writing order
    split: int | None = None  # the source's own split, when it has one


def parse_label(text: str, where: str) -> int:
    if text not in LABELS:
        raise DataError(where, f"unknown label {text!r}; expected a digit 0-9")
    return int(text)


def to_table(traces: Iterable[Trace], source: str) -> Table:
    """The raw table; writer-held-out ``split`` when the traces carry none."""
    traces = list(traces)
    if not traces:
        raise DataError(source, "no digit samples found")
    writers = sorted({t.writer for t in traces})
    number = {w: i for i, w in enumerate(writers)}
    group = np.array([number[t.writer] for t in traces], np.int32)
    if all(t.split is not None for t in traces):
        split = np.array([t.split for t in traces], np.uint8)
    else:
        split = hold_out_writers(group, len(writers), source)
    return {
        "xy": Ragged.from_rows((t.xy for t in traces), np.float32),
        "label": np.array([t.label for t in traces], np.uint8),
        "group": group,
        "split": split,
    }


def hold_out_writers(group: np.ndarray, writers: int, source: str) -> np.ndarray:
    """``split`` with a seeded third of the writers (at least one) as the test set."""
    if writers < 2:
        raise DataError(source, "only one writer: at least two are needed to hold writers out for testing")
    held = max(1, round(writers * TEST_WRITER_FRACTION))
    test_writers = np.random.default_rng(TEST_WRITER_SEED).choice(writers, size=held, replace=False)
    return np.where(np.isin(group, test_writers), TEST, TRAIN).astype(np.uint8)
