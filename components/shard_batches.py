"""Batches of rows streamed from a sharded table, for a study's ``tf.data`` input.

A sharded table (``components.tables.Shards``) is too large to gather rows
from at random, so an epoch reads it a window of shards at a time: the
windows' order and the rows inside each window are permuted, seeded by
``(seed, epoch)`` as :mod:`components.row_batches` does for tables in
memory, so a resumed fit reads the batches an uninterrupted one would.
Memory holds one window (``WINDOW_SHARDS`` shards), whatever the table's
size. The mixing is within a window: a source whose rows come sorted by
label must be shuffled across windows by its reader, which is why the
amazon reader keeps the file's own (mixed) order.

Every batch has ``batch_size`` rows but an epoch's last, so an epoch has
``row_batches.batches_per_epoch`` batches, as the in-memory input has.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from components import tables
from components.tables import Shards, Table

WINDOW_SHARDS = 4


def shard_batches(shards: Shards, batch_size: int, shuffle: bool, seed: int, epochs: range) -> Iterator[Table]:
    """Tables of ``batch_size`` rows (each epoch's last shorter), epoch after epoch of ``epochs``."""
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
            for start in range(0, whole, batch_size):
                yield tables.take(window, np.arange(start, start + batch_size))
            carry = tables.take(window, np.arange(whole, rows)) if whole < rows else None
        if carry:
            yield carry
