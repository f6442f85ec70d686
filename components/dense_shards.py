"""Batches of a sharded table read by TensorFlow itself, with no Python per epoch.

Reading shards in Python and handing TensorFlow their rows through a
generator ran training at a third of its in-memory speed on 2 cores, for
mirai's small dense network and for amazon's recurrent one alike
(docs/speed.md): the generator's thread must get the GIL and a core while
TensorFlow's own threads train, and it did not. The shards are ``np.savez``
files, which store each ``.npy`` member uncompressed, so where a column's
bytes lie in the file is found once here, and ``tf.io.read_file`` and
``tf.io.decode_raw`` read them while training runs. A plain column is read
as it is stored; a ragged one (token ids) as a matrix: each row's first
values, padded to a fixed width (:class:`Padded`).

Each epoch reads the shards in an order drawn from ``(seed, epoch)`` and the
rows of each shard in an order drawn from ``(seed, epoch, shard)`` (stateless,
so a resumed fit reads what an uninterrupted one would), then cuts them into
batches of ``batch_size`` rows, an epoch's last shorter. Rows mix within a
shard only, so the table's rows must already be in a random order, as
preprocess writes them (``Recipe.SHARD_ROWS``) or as the source comes (the
public amazon files are mixed). Memory holds a shard or two as stored, and
slices of ``SLICE_ROWS`` of its rows assembled (padded) for the batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from components.npz_layout import ColumnBytes, column_bytes
from components.row_batches import batches_per_epoch
from components.tables import Shards, ragged_members

# Rows assembled at once: a slice of amazon's padded token ids is 8,192 x 139 int32 (4.6 MB), where
# a whole shard padded was 100,000 x 139 (56 MB) and its shuffled copy as much again.
SLICE_ROWS = 8192


@dataclass(frozen=True)
class Padded:
    """Ragged column ``name`` read as a ``length``-wide matrix: each row's first ``length``
    values, then ``value`` to the width (what Keras' ``pad_sequences(padding="post",
    truncating="post")`` makes of it)."""

    name: str
    length: int
    value: int = 0


Column = str | Padded


def _arrays(column: Column) -> tuple[str, ...]:
    """The stored arrays a column is read from."""
    return ragged_members(column.name) if isinstance(column, Padded) else (column,)


def dense_dataset(
    shards: Shards, columns: tuple[Column, Column], batch_size: int, shuffle: bool, seed: int, epochs: range
):
    """``(inputs, labels)`` batches of the two ``columns``, with the length ``fit`` needs declared."""
    import tensorflow as tf

    def located(name: str):
        layout = [column_bytes(path, name) for path in shards.files]
        if len({(c.dtype, c.shape) for c in layout}) > 1:
            raise ValueError(f"array {name!r} differs in kind between the shards of {shards.files[0]}")
        offsets = tf.constant([c.offset for c in layout], tf.int64)
        return offsets, tf.constant([c.length for c in layout], tf.int64), layout[0]

    where = [[located(name) for name in _arrays(column)] for column in columns]
    files = tf.constant(shards.files)
    shard_rows = tf.constant(shards.rows, tf.int64)
    count = len(shards.files)
    orders = np.stack(
        [
            np.random.default_rng([abs(seed), epoch]).permutation(count) if shuffle else np.arange(count)
            for epoch in epochs
        ]
    )

    def array(content, index, offsets, lengths, layout: ColumnBytes):
        data = tf.strings.substr(content, offsets[index], lengths[index])
        return tf.reshape(tf.io.decode_raw(data, tf.as_dtype(layout.dtype)), [-1, *layout.shape])

    def assemble(column: Column, stored: list, rows):
        """Column ``column`` at ``rows``, from its stored arrays."""
        if not isinstance(column, Padded):
            (values,) = stored
            return tf.gather(values, rows)
        taken = tf.gather(tf.RaggedTensor.from_row_splits(*stored), rows)
        return taken.to_tensor(default_value=column.value, shape=[None, column.length])

    def shard(epoch, index):
        """The shard's rows in slices of ``SLICE_ROWS``: a padded column is padded a slice at a
        time, so memory holds the shard as stored rather than the whole shard padded."""
        content = tf.io.read_file(files[index])
        stored = [[array(content, index, *at) for at in column] for column in where]
        order = tf.range(shard_rows[index])
        if shuffle:
            draw = tf.stack([tf.constant(abs(seed), tf.int64), epoch * count + index])
            order = tf.random.experimental.stateless_shuffle(order, seed=draw)

        def piece(start):
            rows = order[start : start + SLICE_ROWS]
            return tuple(assemble(*pair, rows) for pair in zip(columns, stored, strict=True))

        return tf.data.Dataset.range(0, shard_rows[index], SLICE_ROWS).map(piece)

    def epoch_batches(position, epoch):
        indices = tf.data.Dataset.from_tensor_slices(tf.gather(orders, position))
        return indices.flat_map(lambda index: shard(epoch, index)).rebatch(batch_size)

    positions = tf.range(len(epochs), dtype=tf.int64)
    starts = tf.data.Dataset.from_tensor_slices((positions, tf.constant(list(epochs), tf.int64)))
    steps = len(epochs) * batches_per_epoch(len(shards), batch_size)
    data = starts.flat_map(epoch_batches)
    return data.apply(tf.data.experimental.assert_cardinality(steps)).prefetch(tf.data.AUTOTUNE)
