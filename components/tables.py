"""Columnar tables saved as ``.npz`` without pickle.

Every artifact that carries data between steps is a *table*: a dict of
equal-length numpy columns. Variable-length cells (review text, token ids,
pen trajectories) are :class:`Ragged` columns, stored as a flat ``values``
array plus ``row_splits`` offsets, so nothing ever needs ``allow_pickle``.

A table too large for memory is stored as :class:`Shards`: a folder of
``.npz`` tables of consecutive rows and a manifest listing them
(``components.shard_writer`` writes it). The functions here accept either,
so a step reads a label column or counts rows without caring which it has;
only the study's ``dataset`` hook streams the shards' other columns.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from components.errors import OutputError
from components.files import atomic_write
from components.npz_layout import column_bytes

TAKE_ROWS = 8192  # rows gathered at once by Ragged.take
_RAGGED_VALUES = ".ragged_values"
_RAGGED_SPLITS = ".ragged_row_splits"
MANIFEST = "shards.json"


@dataclass(frozen=True)
class Ragged:
    """Rows of different lengths: row ``i`` is ``values[row_splits[i]:row_splits[i+1]]``."""

    values: np.ndarray
    row_splits: np.ndarray

    def __post_init__(self):
        if self.row_splits.ndim != 1 or len(self.row_splits) == 0 or self.row_splits[0] != 0:
            raise ValueError("row_splits must be 1-D and start at 0")
        if self.row_splits[-1] != len(self.values):
            raise ValueError(f"row_splits ends at {self.row_splits[-1]} but there are {len(self.values)} values")

    def __len__(self) -> int:
        return len(self.row_splits) - 1

    def __getitem__(self, i: int) -> np.ndarray:
        return self.values[self.row_splits[i] : self.row_splits[i + 1]]

    def lengths(self) -> np.ndarray:
        return np.diff(self.row_splits)

    def take(self, indices: np.ndarray) -> Ragged:
        """The rows at ``indices``, in that order, without a Python loop over values.

        The gather needs an int64 source position per value, 8 bytes for each byte of
        text: ``TAKE_ROWS`` rows at a time, so that taking 100,000 reviews (45 MB of
        text) does not hold a gigabyte of positions at once."""
        indices = np.asarray(indices, dtype=np.int64)
        starts = self.row_splits[:-1][indices]
        lengths = self.lengths()[indices]
        splits = np.zeros(len(indices) + 1, dtype=np.int64)
        np.cumsum(lengths, out=splits[1:])
        values = np.empty((splits[-1], *self.values.shape[1:]), self.values.dtype)
        for first in range(0, len(indices), TAKE_ROWS):
            rows = slice(first, first + TAKE_ROWS)
            low, high = splits[first], splits[min(first + TAKE_ROWS, len(indices))]
            # Each output value's source position: its row's source start, plus its place in the row.
            positions = np.arange(low, high, dtype=np.int64)
            positions += np.repeat(starts[rows] - splits[:-1][rows], lengths[rows])
            values[low:high] = self.values[positions]
        return Ragged(values, splits)

    @classmethod
    def from_rows(cls, rows: Iterable[np.ndarray], dtype) -> Ragged:
        rows = [np.asarray(r, dtype=dtype) for r in rows]
        splits = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=splits[1:])
        values = np.concatenate(rows) if rows else np.zeros((0,), dtype=dtype)
        return cls(values.astype(dtype, copy=False), splits)

    @classmethod
    def from_strings(cls, texts: Iterable[str]) -> Ragged:
        """UTF-8 bytes of each string, as a uint8 ragged column."""
        return cls.from_rows((np.frombuffer(t.encode("utf-8"), np.uint8) for t in texts), np.uint8)

    def to_strings(self) -> list[str]:
        data = self.values.tobytes()
        s = self.row_splits
        return [data[s[i] : s[i + 1]].decode("utf-8") for i in range(len(self))]


Column = np.ndarray | Ragged
Table = dict[str, Column]


@dataclass(frozen=True)
class Shards:
    """A table stored as a folder of row shards (``files``, with ``rows`` rows
    each, in order), read one shard at a time so that no step needs it whole."""

    files: tuple[str, ...]
    rows: tuple[int, ...]

    def __len__(self) -> int:
        return sum(self.rows)

    def __iter__(self) -> Iterator[Table]:
        return (load(path) for path in self.files)

    def offsets(self) -> np.ndarray:
        """Each shard's first row number in the whole table, and the row count last."""
        return np.concatenate([[0], np.cumsum(self.rows, dtype=np.int64)])

    def column(self, name: str) -> np.ndarray:
        """Plain column ``name`` over every shard, reading no other column."""
        parts = []
        for path in self.files:
            with np.load(path, allow_pickle=False) as npz:
                if name not in npz.files:
                    raise KeyError(name)
                parts.append(npz[name])
        return np.concatenate(parts)

    def has_column(self, name: str) -> bool:
        with np.load(self.files[0], allow_pickle=False) as npz:
            return name in npz.files


AnyTable = Table | Shards
"""What a step may hand a study's ``dataset`` hook: a table in memory, or its shards on disk."""


def is_sharded(path: str) -> bool:
    """Whether ``path`` holds a sharded table (a folder with a manifest) rather than one ``.npz``."""
    return os.path.isdir(path)


def open_shards(path: str) -> Shards:
    """The shards of the folder at ``path``, as its manifest lists them."""
    with open(os.path.join(path, MANIFEST), encoding="utf-8") as f:
        manifest = json.load(f)
    return Shards(
        tuple(os.path.join(path, entry["file"]) for entry in manifest["shards"]),
        tuple(int(entry["rows"]) for entry in manifest["shards"]),
    )


def load_columns(path: str, names: Iterable[str]) -> dict[str, np.ndarray]:
    """Those of the plain columns ``names`` that the table at ``path`` (file or shards) has,
    reading no other column: the label and split columns of a table too large to load."""
    stored = open_shards(path) if is_sharded(path) else Shards((path,), (0,))
    return {name: stored.column(name) for name in names if stored.has_column(name)}


def open_table(path: str) -> AnyTable:
    """The table at ``path``: loaded whole when it is one file, left on disk as :class:`Shards` when a folder."""
    return open_shards(path) if is_sharded(path) else load(path)


def num_rows(table: Mapping[str, Column] | Shards) -> int:
    """The common length of the table's columns; an error if they disagree."""
    if isinstance(table, Shards):
        return len(table)
    lengths = {name: len(col) for name, col in table.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"columns have different lengths: {lengths}")
    return next(iter(lengths.values()), 0)


def take(table: Mapping[str, Column], indices: np.ndarray) -> Table:
    return {name: col.take(indices) if isinstance(col, Ragged) else col[indices] for name, col in table.items()}


def concat(tables: Sequence[Mapping[str, Column]]) -> Table:
    """Rows of several tables with the same columns, one after another."""
    out: Table = {}
    for name, first in tables[0].items():
        cols = [t[name] for t in tables]
        if isinstance(first, Ragged):
            out[name] = _concat_ragged(cast(list[Ragged], cols))
        else:
            out[name] = np.concatenate(cast(list[np.ndarray], cols))
    return out


def _concat_ragged(cols: list[Ragged]) -> Ragged:
    offsets = np.cumsum([0, *(len(c.values) for c in cols[:-1])], dtype=np.int64)
    splits = [np.zeros(1, np.int64), *(c.row_splits[1:] + o for c, o in zip(cols, offsets, strict=True))]
    return Ragged(np.concatenate([c.values for c in cols]), np.concatenate(splits).astype(np.int64))


def ragged_members(name: str) -> tuple[str, str]:
    """The names :func:`save` gives ragged column ``name``'s values and row splits."""
    return name + _RAGGED_VALUES, name + _RAGGED_SPLITS


def save(path: str, table: Mapping[str, Column]) -> None:
    """Write atomically: a reader never sees a half-written table, and a failed
    write (a full disk, a folder we may not write to) leaves nothing behind and
    says which table it could not write."""
    num_rows(table)
    arrays: dict[str, Any] = {}  # Any: numpy's stubs confuse **arrays with savez's allow_pickle
    for name, col in table.items():
        if isinstance(col, Ragged):
            values, splits = ragged_members(name)
            arrays[values], arrays[splits] = col.values, col.row_splits
        else:
            if col.dtype == object:
                raise TypeError(f"column {name!r} has dtype object; it would need pickle")
            arrays[name] = col
    try:
        atomic_write(path, lambda f: np.savez(f, **arrays))
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OutputError(exc.errno, f"cannot write {path}: {exc.strerror}") from None


def concat_stored(tables: list[AnyTable]) -> AnyTable:
    """:func:`concat` for tables that may be sharded: shards are joined by listing them, never loaded."""
    if all(isinstance(t, Shards) for t in tables):
        shards = cast(list[Shards], tables)
        return Shards(sum((s.files for s in shards), ()), sum((s.rows for s in shards), ()))
    if any(isinstance(t, Shards) for t in tables):
        raise TypeError("cannot join a sharded table with one in memory")
    return concat(cast(list[Table], tables))


def load(path: str) -> Table:
    """The whole table at ``path`` (a sharded one concatenated): for tables known to fit in memory.

    A one-file table's numeric columns are mapped from the file, read-only, rather
    than copied into new memory: a step reads the table its predecessor just wrote, so
    its pages are in the page cache already, and filling fresh pages cost more than
    the rest of loading (mirai's 351 MB raw table: 2.9 s against 0.1 s, on this
    project's VM). Other columns (strings) are read."""
    if is_sharded(path):
        return concat(list(open_shards(path)))
    table: Table = {}
    arrays: dict[str, np.ndarray] = {}
    with np.load(path, allow_pickle=False) as npz:
        for key in npz.files:
            mapped = _mapped(path, key)
            arrays[key] = npz[key] if mapped is None else mapped
    for key, values in arrays.items():
        if key.endswith(_RAGGED_VALUES):
            name = key[: -len(_RAGGED_VALUES)]
            table[name] = Ragged(values, arrays[name + _RAGGED_SPLITS])
        elif not key.endswith(_RAGGED_SPLITS):
            table[key] = values
    return table


def _mapped(path: str, name: str) -> np.ndarray | None:
    """Array ``name`` of the npz at ``path`` mapped from the file, or None where it cannot be:
    not a stored array of numbers, an empty one (no bytes to map), or a file system that
    cannot map files (some FUSE mounts)."""
    try:
        stored = column_bytes(path, name)
        if stored.length == 0:
            return None
        return np.asarray(np.memmap(path, stored.dtype, "r", stored.offset, (stored.rows, *stored.shape)))
    except (ValueError, OSError):
        return None


def array(table: Mapping[str, Column] | Shards, name: str) -> np.ndarray:
    """Column ``name``, which must be a plain array: a reader of a known column
    states its kind once here, and a wrong kind fails naming the column."""
    if isinstance(table, Shards):
        return table.column(name)
    column = table[name]
    if isinstance(column, Ragged):
        raise TypeError(f"column {name!r} is ragged; expected a plain array")
    return column


def column(table: Mapping[str, Column] | Shards, name: str) -> Column:
    """Column ``name`` of either kind, plain or ragged; of a sharded table, joined over its shards."""
    if isinstance(table, Shards):
        return concat([{name: shard[name]} for shard in table])[name]
    return table[name]


def optional_array(table: Mapping[str, Column] | Shards, name: str) -> np.ndarray | None:
    """Column ``name`` as in :func:`array`, or None where the table has no such column."""
    present = table.has_column(name) if isinstance(table, Shards) else name in table
    return array(table, name) if present else None


def value_counts(column: np.ndarray) -> dict[str, int]:
    """How many rows hold each integer value (class labels, say), keyed by the value as
    text, since JSON and KFP metadata keys are strings."""
    values, counts = np.unique(np.asarray(column).astype(np.int64), return_counts=True)
    return {str(v): int(c) for v, c in zip(values, counts, strict=True)}


def ragged(table: Mapping[str, Column], name: str) -> Ragged:
    """Column ``name``, which must be ragged (one variable-length row per record)."""
    column = table[name]
    if not isinstance(column, Ragged):
        raise TypeError(f"column {name!r} is a plain array; expected a ragged column")
    return column
