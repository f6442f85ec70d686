"""Batches of rows streamed from a sharded table, for a study's ``tf.data`` input.

A sharded table (``components.tables.Shards``) is too large to gather rows
from at random, so an epoch reads it a window of shards at a time: the
windows' order and the rows inside each window are permuted, seeded by
``(seed, epoch)`` as :mod:`components.row_batches` does for tables in
memory, so a resumed fit reads the batches an uninterrupted one would.
Memory holds one window (``WINDOW_SHARDS`` shards), whatever the table's
size. The mixing is within a window: a source whose rows come sorted by
label must be shuffled across windows by its reader (the amazon reader
keeps the file's own mixed order) or by preprocess (``Recipe.SHARD_ROWS``).

Every batch has ``batch_size`` rows but an epoch's last, so an epoch has
``row_batches.batches_per_epoch`` batches, as the in-memory input has.
Python hands TensorFlow chunks of many whole batches, not single batches:
a generator call per batch costs more than a small network's arithmetic on
it (mirai's full-size training read this way: 87,600 samples/s one batch a
call, 101,100 in chunks). A table of plain numeric columns is better read by
TensorFlow itself, with no Python per epoch (``components.dense_shards``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from components import tables
from components.row_batches import batches_per_epoch
from components.tables import Shards, Table

WINDOW_SHARDS = 4
# Rows of a chunk handed to TensorFlow at once (rounded down to whole batches, at least one):
# enough batches to make the generator's cost per batch small, few enough to keep a padded
# text chunk small (amazon: 16,384 x its sequence length of int32 ids).
CHUNK_ROWS = 16_384


def shard_chunks(shards: Shards, batch_size: int, shuffle: bool, seed: int, epochs: range) -> Iterator[Table]:
    """Tables of whole batches, ``batch_size`` rows after ``batch_size`` rows in order, then each
    epoch's remainder (fewer than ``batch_size`` rows), epoch after epoch of ``epochs``."""
    chunk = batch_size * max(1, CHUNK_ROWS // batch_size)
    for epoch in epochs:
        rng = np.random.default_rng([abs(seed), epoch])
        order = rng.permutation(len(shards.files)) if shuffle else np.arange(len(shards.files))
        carry: Table | None = None
        for first in range(0, len(order), WINDOW_SHARDS):
            parts = [tables.load(shards.files[i]) for i in order[first : first + WINDOW_SHARDS]]
            window = tables.concat(([carry] if carry else []) + parts)
            rows = tables.num_rows(window)
            if shuffle:
                window = tables.take(window, rng.permutation(rows))
            whole = rows // batch_size * batch_size
            for start in range(0, whole, chunk):
                yield tables.take(window, np.arange(start, min(start + chunk, whole)))
            carry = tables.take(window, np.arange(whole, rows)) if whole < rows else None
        if carry:
            yield carry


def streamed_dataset(
    shards: Shards,
    batch_size: int,
    shuffle: bool,
    seed: int,
    epochs: range,
    tensors: Callable[[Table], tuple[np.ndarray, np.ndarray]],
    signature: tuple[Any, Any],
):
    """A study's ``dataset`` for a sharded table: ``tensors`` makes each chunk of
    :func:`shard_chunks` ``(inputs, labels)`` arrays whose batches match ``signature`` (two
    ``tf.TensorSpec``); the chunk is cut into its batches by TensorFlow, and the length ``fit``
    and the device strategy need is declared."""
    import tensorflow as tf

    def chunks():
        for chunk in shard_chunks(shards, batch_size, shuffle, seed, epochs):
            inputs, labels = tensors(chunk)
            rows = min(len(labels), batch_size)  # a chunk is whole batches, or one short last batch
            yield inputs.reshape(-1, rows, *inputs.shape[1:]), labels.reshape(-1, rows, *labels.shape[1:])

    stacked = tuple(tf.TensorSpec([None, *spec.shape], spec.dtype) for spec in signature)
    steps = len(epochs) * batches_per_epoch(len(shards), batch_size)
    data = tf.data.Dataset.from_generator(chunks, output_signature=stacked).unbatch()
    return data.apply(tf.data.experimental.assert_cardinality(steps)).prefetch(tf.data.AUTOTUNE)
