"""Sharded tables: written whole or not at all, and read column by column
(their batches: tests/unit/test_dense_shards.py)."""

import os

import numpy as np
import pytest

from components import tables
from components.shard_writer import ShardWriter
from components.tables import Ragged


def _part(first: int, rows: int) -> tables.Table:
    ids = np.arange(first, first + rows)
    return {
        "id": ids,
        "label": (ids % 2).astype(np.uint8),
        "tokens": Ragged.from_rows([np.full(i % 3 + 1, i, np.int32) for i in ids], np.int32),
    }


def _write(path, sizes) -> tables.Shards:
    first = 0
    with ShardWriter(str(path)) as writer:
        for size in sizes:
            writer.add(_part(first, size))
            first += size
    return tables.open_shards(str(path))


def test_shards_read_back_as_one_table_and_column_by_column(tmp_path):
    shards = _write(tmp_path / "t", [5, 0, 7, 3])
    assert shards.rows == (5, 7, 3), "an empty piece adds no shard"
    assert tables.num_rows(shards) == 15
    assert tables.array(shards, "id").tolist() == list(range(15))
    assert tables.optional_array(shards, "split") is None
    assert tables.load_columns(str(tmp_path / "t"), ["label", "split"]).keys() == {"label"}
    whole = tables.load(str(tmp_path / "t"))
    assert whole["tokens"][14].tolist() == [14, 14, 14]
    both = tables.concat_stored([shards, shards])
    assert tables.num_rows(both) == 30 and len(both.files) == 6


def test_a_table_with_no_rows_keeps_its_columns(tmp_path):
    shards = _write(tmp_path / "empty", [0])
    assert tables.num_rows(shards) == 0 and tables.array(shards, "label").dtype == np.uint8


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "t"
    with pytest.raises(RuntimeError, match="source broke"), ShardWriter(str(target)) as writer:
        writer.add(_part(0, 4))
        raise RuntimeError("source broke")
    assert os.listdir(tmp_path) == [], "neither the target nor the hidden folder of shards remains"
