"""The Kitsune Mirai source: a feature file and a label file, row for row.

The source is a folder holding ``Mirai_dataset.csv[.gz]`` and
``Mirai_labels.csv[.gz]`` (names matched without regard to case), or a tar
archive (itself optionally compressed) holding that pair, which is the form
to use for a remote source since ingest downloads one object. Archives are
streamed, never extracted. Lines may end in ``\\n``, ``\\r\\n`` or ``\\r``; a
byte-order mark and empty lines at the end are ignored
(``compression.text_stream``). Both files are parsed by
:func:`numeric_csv.read_numeric_csv`; whether each has a header row and a
leading row-index column is detected and logged (a raw table has no place
for it). The raw table has ``features`` (float32, one column per feature, the
row index removed) and ``label`` (0 benign, 1 attack).
"""

from __future__ import annotations

import logging
import os
from typing import BinaryIO, cast

import numpy as np

from components.archives import READ_ERRORS, tar_members
from components.compression import decompressed, open_text_stream, text_stream
from components.errors import DataError
from components.studies.mirai.numeric_csv import NumericCsv, read_numeric_csv
from components.tables import Table

log = logging.getLogger(__name__)
DATASET, LABELS = "Mirai_dataset.csv", "Mirai_labels.csv"
PAIR = f"{DATASET}[.gz] and {LABELS}[.gz]"


def read(path: str) -> Table:
    """The raw table from a folder or a tar archive holding the pair."""
    parsed = _read_folder(path) if os.path.isdir(path) else _read_tar(path)
    (data_where, data), (labels_where, labels) = parsed[DATASET], parsed[LABELS]
    label = _labels(labels, labels_where)
    if len(label) != len(data.values):
        raise DataError(
            labels_where,
            f"{len(label)} labels, but {data_where} has {len(data.values)} rows; expected one label per row",
        )
    _describe(data_where, data)
    _describe(labels_where, labels)
    return {"features": data.values, "label": label}


def _member_kind(name: str) -> str | None:
    """Which of the pair a file name is (DATASET or LABELS), if either."""
    base = os.path.basename(name).lower()
    for kind in (DATASET, LABELS):
        if base in (kind.lower(), kind.lower() + ".gz"):
            return kind
    return None


def _is_pair_member(name: str) -> bool:
    return _member_kind(name) is not None


def _read_folder(folder: str) -> dict[str, tuple[str, NumericCsv]]:
    found: dict[str, list[str]] = {DATASET: [], LABELS: []}
    for name in sorted(os.listdir(folder)):
        kind = _member_kind(name)
        if kind and os.path.isfile(os.path.join(folder, name)):
            found[kind].append(os.path.join(folder, name))
    parsed = {}
    for kind, paths in found.items():
        if len(paths) != 1:
            problem = "no" if not paths else f"{len(paths)} files named"
            raise DataError(folder, f"{problem} {kind}[.gz] (expected the Kitsune pair {PAIR})")
        with open_text_stream(paths[0]) as stream:
            parsed[kind] = (paths[0], _parse(stream, paths[0]))
    return parsed


def _read_tar(path: str) -> dict[str, tuple[str, NumericCsv]]:
    parsed: dict[str, tuple[str, NumericCsv]] = {}
    expected = f"a folder or a tar of {PAIR}"
    with tar_members(path, _is_pair_member, expected=expected, corrupt="truncated or corrupt archive") as members:
        for where, name, stream, _size in members:
            kind = cast(str, _member_kind(name))  # accepted members are one of the pair
            if kind in parsed:
                raise DataError(where, f"a second {kind}[.gz] in the archive (first: {parsed[kind][0]})")
            parsed[kind] = (where, _parse_member(stream, where))
    missing = [kind for kind in (DATASET, LABELS) if kind not in parsed]
    if missing:
        raise DataError(path, f"no {' or '.join(missing)}[.gz] in the archive (expected the Kitsune pair {PAIR})")
    return parsed


def _parse_member(member: BinaryIO, where: str) -> NumericCsv:
    """A member, decompressed when it is gzip (bounded like any compressed stream)."""
    return _parse(text_stream(decompressed(member, where), where), where)


def _parse(stream: BinaryIO, where: str) -> NumericCsv:
    try:
        return read_numeric_csv(stream, where)
    except READ_ERRORS as exc:
        raise DataError(where, f"truncated or corrupt compressed file ({exc})") from None


def _labels(labels: NumericCsv, where: str) -> np.ndarray:
    """The 0/1 label column as uint8; any other value is an error naming its line."""
    if labels.values.shape[1] != 1:
        raise DataError(
            where,
            f"{labels.values.shape[1]} columns besides any row index; expected one 0/1 label "
            "per line, optionally after a row index",
        )
    column = labels.values[:, 0]
    bad = np.flatnonzero((column != 0) & (column != 1))
    if bad.size:
        row = int(bad[0])
        raise DataError(
            f"{where}:{labels.first_data_line + row}", f"label {column[row]:g}; expected 0 (benign) or 1 (attack)"
        )
    return column.astype(np.uint8)


def _describe(where: str, parsed: NumericCsv) -> None:
    header = f"yes ({len(parsed.header)} names)" if parsed.header else "no"
    index = f"yes (counting from {parsed.index_start}, removed)" if parsed.index_start is not None else "no"
    log.info(
        "%s: %d rows x %d columns; header row: %s; row-index column: %s", where, *parsed.values.shape, header, index
    )
