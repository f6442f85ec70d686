"""Batches of row numbers for ``tf.data`` input: one permutation per epoch, cut into batches.

tf.data's element-wise ``shuffle`` and ``batch`` cost microseconds a row (far
more for ragged rows, which are encoded one by one), which made the input,
not the network, the slow part of an epoch for the dense studies. Drawing
the whole epoch's order as one tensor and cutting it into batches of row
numbers keeps the per-row work vectorised; each study then gathers its
batch's rows in one ``map``.
"""

from __future__ import annotations


def row_batches(rows: int, batch_size: int, shuffle: bool, seed: int):
    """int64 row numbers in batches of ``batch_size`` (the last one shorter), in
    a new seeded order every epoch when ``shuffle`` (a new iterator re-draws
    the key; the same seed gives the same sequence), else in order."""
    import tensorflow as tf

    whole = rows // batch_size * batch_size

    def batches_of(key):
        order = tf.range(rows, dtype=tf.int64)
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(order, seed=key)
        batches = tf.data.Dataset.from_tensor_slices(tf.reshape(order[:whole], [-1, batch_size]))
        return batches.concatenate(tf.data.Dataset.from_tensors(order[whole:])) if whole < rows else batches

    keys = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2).take(1)
    return keys.flat_map(batches_of)
