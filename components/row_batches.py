"""Batches of row numbers for ``tf.data`` input: one permutation per epoch, cut into batches.

tf.data's element-wise ``shuffle`` and ``batch`` cost microseconds a row (far
more for ragged rows, which are encoded one by one), which made the input,
not the network, the slow part of an epoch for the dense studies. Drawing
the whole epoch's order as one tensor and cutting it into batches of row
numbers keeps the per-row work vectorised; each study then gathers its
batch's rows in one ``map``.

Each epoch's order is keyed by ``(seed, epoch)``, not by how many times the
dataset was iterated, so a fit resumed after epoch k reads epoch k+1 exactly
as an uninterrupted fit does. The datasets declare their length, so Keras
takes exactly one optimizer step per batch (with an unknown length it
counts an extra step per epoch and warns that the input ran out of data).
"""

from __future__ import annotations


def batches_per_epoch(rows: int, batch_size: int) -> int:
    return -(-rows // batch_size)


def row_batches(rows: int, batch_size: int, shuffle: bool, seed: int, epochs: range = range(1)):
    """int64 row numbers in batches of ``batch_size`` (the last one shorter), for
    each epoch of ``epochs`` in turn: in a seeded order drawn from ``(seed,
    epoch)`` when ``shuffle``, else in order. The cardinality is declared."""
    import tensorflow as tf

    whole = rows // batch_size * batch_size

    def batches_of(epoch):
        order = tf.range(rows, dtype=tf.int64)
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(order, seed=tf.stack([tf.constant(seed, tf.int64), epoch]))
        batches = tf.data.Dataset.from_tensor_slices(tf.reshape(order[:whole], [-1, batch_size]))
        return batches.concatenate(tf.data.Dataset.from_tensors(order[whole:])) if whole < rows else batches

    every = tf.data.Dataset.range(epochs.start, epochs.stop).flat_map(batches_of)
    return every.apply(tf.data.experimental.assert_cardinality(len(epochs) * batches_per_epoch(rows, batch_size)))


def batch_keys(seed: int, rows: int, batch_size: int, epochs: range):
    """One int64 ``[seed, batch number]`` pair per batch of :func:`row_batches`
    (batch numbers counted from epoch 0), to key a batch's stateless random
    draws (augmentation) by position rather than by iteration count."""
    import tensorflow as tf

    per_epoch = batches_per_epoch(rows, batch_size)
    numbers = tf.data.Dataset.range(epochs.start * per_epoch, epochs.stop * per_epoch)
    return numbers.map(lambda n: tf.stack([tf.constant(seed, tf.int64), n]))
