"""Sharded tables read by TensorFlow itself (``components.dense_shards``): every row once an
epoch in full batches but the last, each epoch its own seeded order, a resumed epoch equal to
an uninterrupted one, a ragged column padded to its width, and a member TensorFlow cannot
read refused by name."""

import numpy as np
import pytest

from components import tables
from components.dense_shards import Padded, dense_dataset
from components.npz_layout import column_bytes
from components.shard_writer import ShardWriter

SIZES = [10, 10, 3]


def _write(path) -> tables.Shards:
    first = 0
    with ShardWriter(str(path)) as writer:
        for size in SIZES:
            ids = np.arange(first, first + size)
            writer.add({"features": np.stack([ids, -ids, ids * 2], axis=1).astype(np.float32), "label": ids % 2})
            first += size
    return tables.open_shards(str(path))


def _epochs(shards, shuffle: bool, epochs: range, batch_size: int = 4) -> list[list[int]]:
    """Each epoch's row ids in the order read, after checking batch sizes and that rows stay whole."""
    data = dense_dataset(shards, ("features", "label"), batch_size, shuffle, seed=5, epochs=epochs)
    batches = list(data.as_numpy_iterator())
    assert len(batches) == int(data.cardinality()) == len(epochs) * 6
    read = []
    for features, labels in batches:
        ids = features[:, 0].astype(int)
        assert np.array_equal(features[:, 1], -features[:, 0]) and np.array_equal(labels, ids % 2)
        read.append(ids.tolist())
    assert [len(b) for b in read] == [4, 4, 4, 4, 4, 3] * len(epochs), "ceil(23 / 4) batches an epoch"
    return [sum(read[i * 6 : (i + 1) * 6], []) for i in range(len(epochs))]


def test_in_order_the_batches_are_the_table_in_order(tmp_path):
    shards = _write(tmp_path / "t")
    assert _epochs(shards, False, range(2)) == [list(range(23))] * 2


def test_shuffled_each_epoch_reads_every_row_once_in_its_own_order_and_resumes_exactly(tmp_path):
    shards = _write(tmp_path / "t")
    whole = _epochs(shards, True, range(3))
    assert all(sorted(epoch) == list(range(23)) for epoch in whole)
    assert whole[0] != list(range(23)) and whole[0] != whole[1] != whole[2]
    assert _epochs(shards, True, range(2, 3)) == whole[2:]


def test_a_compressed_member_is_refused_naming_it(tmp_path):
    path = tmp_path / "c.npz"
    np.savez_compressed(path, features=np.zeros((4, 3), np.float32))
    assert column_bytes(str(_write(tmp_path / "t").files[0]), "features").shape == (3,)
    with pytest.raises(ValueError, match=r"c\.npz:features\.npy is compressed"):
        column_bytes(str(path), "features")


def test_a_ragged_column_is_padded_and_truncated_to_its_width_and_stays_with_its_row(tmp_path):
    """Token ids as amazon stores them: each row's first ``length`` ids, then the padding id,
    whatever order the rows are read in."""
    lengths = np.array([0, 1, 5, 2, 7, 3, 4])
    ids = np.arange(len(lengths))
    rows = tables.Ragged.from_rows([np.arange(n, dtype=np.int32) + 100 * i for i, n in enumerate(lengths)], np.int32)
    with ShardWriter(str(tmp_path / "t")) as writer:
        writer.add({"tokens": rows.take(np.arange(4)), "label": ids[:4]})
        writer.add({"tokens": rows.take(np.arange(4, 7)), "label": ids[4:]})
    shards = tables.open_shards(str(tmp_path / "t"))
    data = dense_dataset(shards, (Padded("tokens", 4, value=-1), "label"), 3, shuffle=True, seed=2, epochs=range(1))
    batches = list(data.as_numpy_iterator())
    assert [len(labels) for _, labels in batches] == [3, 3, 1]
    read = np.concatenate([labels for _, labels in batches])
    matrix = np.concatenate([tokens for tokens, _ in batches])
    assert sorted(read.tolist()) == ids.tolist() and read.tolist() != ids.tolist()
    expected = np.array([(list(rows[i][:4]) + [-1] * 4)[:4] for i in ids])
    assert np.array_equal(matrix, expected[read]), "each row's ids, cut at 4 and padded with -1"


def test_rows_assembled_in_slices_are_the_rows_of_the_whole_shard(tmp_path, monkeypatch):
    """A shard's rows are gathered and padded a slice at a time (memory holds the shard as stored,
    not padded); the batches are those of the shard assembled whole, across slices and shards."""
    from components import dense_shards

    shards = _write(tmp_path / "t")
    whole = _epochs(shards, True, range(2))
    monkeypatch.setattr(dense_shards, "SLICE_ROWS", 3)
    assert _epochs(shards, True, range(2)) == whole
    assert _epochs(shards, False, range(1)) == [list(range(23))]
