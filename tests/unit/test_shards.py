"""Sharded tables: written whole or not at all, read column by column, streamed in seeded batches."""

import os

import numpy as np
import pytest

from components import tables
from components.shard_batches import shard_chunks
from components.shard_writer import ShardWriter
from components.tables import Ragged


def _part(first: int, rows: int) -> tables.Table:
    ids = np.arange(first, first + rows)
    return {
        "id": ids,
        "label": (ids % 2).astype(np.uint8),
        "tokens": Ragged.from_rows([np.full(i % 3 + 1, i, np.int32) for i in ids], np.int32),
    }


def shard_batches(shards: tables.Shards, batch_size: int, shuffle: bool, seed: int, epochs: range):
    """The batches of ``shard_chunks``' chunks, each chunk checked to be whole batches or an epoch's last."""
    batches = []
    for chunk in shard_chunks(shards, batch_size, shuffle, seed, epochs):
        rows = tables.num_rows(chunk)
        assert rows % batch_size == 0 or rows < batch_size, rows
        batches += [tables.take(chunk, np.arange(i, min(i + batch_size, rows))) for i in range(0, rows, batch_size)]
    return batches


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


@pytest.mark.parametrize("shuffle", [False, True])
def test_every_row_once_per_epoch_in_full_batches_but_the_last(tmp_path, shuffle):
    shards = _write(tmp_path / "t", [10, 10, 10, 10, 10, 3])
    batches = list(shard_batches(shards, 8, shuffle, seed=3, epochs=range(2)))
    assert [tables.num_rows(b) for b in batches] == [8] * 6 + [5] + [8] * 6 + [5], "ceil(53 / 8) batches an epoch"
    epochs = [tables.concat(batches[i * 7 : (i + 1) * 7]) for i in range(2)]
    for epoch in epochs:
        ids, tokens = epoch["id"], epoch["tokens"]
        assert sorted(ids.tolist()) == list(range(53))
        assert np.array_equal(tokens.values, np.repeat(ids, ids % 3 + 1)), "each row's cells stay together"
    epochs = [epoch["id"] for epoch in epochs]
    assert (epochs[0].tolist() != list(range(53))) == shuffle
    assert (epochs[0].tolist() != epochs[1].tolist()) == shuffle, "each epoch its own order"


def test_a_resumed_epoch_reads_what_an_uninterrupted_fit_reads(tmp_path):
    shards = _write(tmp_path / "t", [6] * 9)
    whole = [b["id"].tolist() for b in shard_batches(shards, 4, True, seed=7, epochs=range(3))]
    resumed = [b["id"].tolist() for b in shard_batches(shards, 4, True, seed=7, epochs=range(2, 3))]
    assert resumed == whole[-len(resumed) :]


def test_a_chunk_is_at_most_chunk_rows_of_whole_batches(tmp_path, monkeypatch):
    """TensorFlow gets many batches per generator call (one per call was too slow), but never a
    whole window at once: a padded text window would be hundreds of MB."""
    from components import shard_batches as module

    monkeypatch.setattr(module, "CHUNK_ROWS", 20)
    shards = _write(tmp_path / "t", [10, 10, 10, 10, 10, 3])
    sizes = [tables.num_rows(chunk) for chunk in shard_chunks(shards, 8, False, seed=3, epochs=range(1))]
    assert sizes == [16, 16, 8, 8, 5], "windows of 40 and 13 rows, in chunks of two batches"
