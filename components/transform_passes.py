"""Fit a study's transforms and encode its rows, one raw shard at a time.

Preprocess and every cross-validation fold do the same work: prepare the raw
rows, fit the state on some of them, encode row sets with it. A raw table
that ingest wrote as shards is never loaded whole for this: one pass over
the shards fits the state (the recipe's ``fit_shards``), a second prepares
each shard again (or reads back the prepared form the first pass kept on
disk) and appends its encoded rows to sharded outputs, so memory holds one
shard's work at a time whatever the source's size. A raw table in
one file is one shard, prepared once, and its outputs are single files, as
before sharding existed, unless the study asks for large ones to be sharded
(``Recipe.SHARD_ROWS``); the steps need not know which they have.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

import numpy as np

from components import tables
from components.serving import SERVING_INPUT
from components.shard_writer import ShardWriter
from components.studies.recipe import Recipe
from components.tables import Shards, Table

log = logging.getLogger(__name__)

# The text baselines (TF-IDF + logistic regression) fit in memory on this many rows; a sharded
# (large) source is subsampled to it, seeded, and the log says so.
BASELINE_TRAIN_ROWS = 100_000
BASELINE_TEST_ROWS = 50_000


def local_rows(rows: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The members of ``rows`` in ``[start, stop)``, in their order, numbered from ``start``."""
    return rows[(rows >= start) & (rows < stop)] - start


@runtime_checkable
class KeptOnDisk(Protocol):
    """A prepared form that can be written to a folder and read back (``vocabulary.Corpus``)."""

    def save_to(self, folder: str) -> None: ...

    @classmethod
    def load_from(cls, folder: str) -> Any: ...


class PreparedRaw:
    """The raw table at a path, prepared shard by shard by ``recipe.prepare``.

    Iterating yields ``(first row, row count, prepared)`` per shard. A single
    shard (or a raw table in one file) is prepared once and kept in memory.
    Several are prepared one at a time; a prepared form that can be kept on
    disk (:class:`KeptOnDisk`) is written to a temporary folder on the first
    pass and read back on the next ones, since preparing costs far more than
    reading (amazon: 3.5 s to tokenise 100,000 reviews, 0.2 s to read them
    back). Use it as a context manager so that folder goes when the step ends."""

    def __init__(self, recipe: Recipe, raw_path: str):
        self.recipe = recipe
        self.stored = tables.open_table(raw_path)
        self.sharded = isinstance(self.stored, Shards)
        self._kept: list[tuple[int, int, Any]] = []
        self._kept_table: Table = {}
        self._disk: tempfile.TemporaryDirectory | None = None
        self._kind: type[KeptOnDisk] | None = None
        self._keeping = True
        if not isinstance(self.stored, Shards) or len(self.stored.files) == 1:
            table = next(iter(self.stored)) if isinstance(self.stored, Shards) else self.stored
            self._kept = [(0, tables.num_rows(table), recipe.prepare(table))]
            self._kept_table = table
        else:
            self._disk = tempfile.TemporaryDirectory(prefix="prepared-")

    def __enter__(self) -> PreparedRaw:
        return self

    def __exit__(self, *exc) -> None:
        """Frees what the passes kept: the prepared table in memory, the folder on disk."""
        self._kept, self._kept_table = [], {}
        if self._disk:
            self._disk.cleanup()

    def __iter__(self) -> Iterator[tuple[int, int, Any]]:
        for start, count, _, prepared in self.with_tables():
            yield start, count, prepared

    def sample(self) -> Any:
        """The prepared form of the whole table when it is one shard, else of its first shard:
        for a measure taken on the prepared rows that a sample serves (a vocabulary's coverage)."""
        if self._kept:
            return self._kept[0][2]
        return next(iter(self))[2]

    def with_tables(self) -> Iterator[tuple[int, int, Table, Any]]:
        """As iterating, with each shard's raw table beside its prepared form."""
        if self._kept:
            ((start, count, prepared),) = self._kept
            yield start, count, self._kept_table, prepared
            return
        assert isinstance(self.stored, Shards)
        for number, (start, table) in enumerate(zip(self.stored.offsets(), self.stored, strict=False)):
            yield int(start), tables.num_rows(table), table, self._prepared(number, table)

    def _prepared(self, number: int, table: Table) -> Any:
        assert self._disk is not None
        folder = os.path.join(self._disk.name, str(number))
        if self._kind and os.path.isdir(folder):
            return self._kind.load_from(folder)
        prepared = self.recipe.prepare(table)
        if self._keeping and isinstance(prepared, KeptOnDisk):
            try:
                os.makedirs(folder + ".part", exist_ok=True)
                prepared.save_to(folder + ".part")
                os.rename(folder + ".part", folder)  # a shard half written is prepared again
                self._kind = type(prepared)
            except OSError as exc:
                shutil.rmtree(folder + ".part", ignore_errors=True)
                self._keeping = False
                log.warning("shards from %d on are prepared again on each pass: cannot keep them (%s)", number, exc)
        return prepared


def fit_state(raw: PreparedRaw, rows: np.ndarray, params: Any) -> dict[str, Any]:
    """The recipe's state fitted on ``rows`` (numbers in the whole raw table), in one pass."""
    return raw.recipe.fit_shards(
        ((prepared, local_rows(rows, start, start + count)) for start, count, prepared in raw), params
    )


def encode_to(
    raw: PreparedRaw,
    state: dict[str, Any],
    outputs: list[tuple[str, np.ndarray]],
    seed: int,
    with_serving_inputs: tuple[str, ...] = (),
) -> None:
    """Each ``(path, rows)`` of ``outputs`` encoded and written: shards when the raw table is
    sharded (all outputs filled in the same pass), else one table file each, or, past the
    recipe's ``SHARD_ROWS``, shards of its rows in an order drawn from ``seed``. The outputs whose
    path is in ``with_serving_inputs`` also hold their rows' raw records as the serving
    signature takes them (column ``SERVING_INPUT``)."""
    recipe = raw.recipe

    def encoded(path: str, table: Table, prepared: Any, rows: np.ndarray) -> Table:
        out = recipe.encode(prepared, rows, state)
        if path in with_serving_inputs:
            out = {**out, SERVING_INPUT: recipe.serving_inputs(table, prepared, rows, state)}
        return out

    if not raw.sharded:
        ((_, _, table, prepared),) = raw.with_tables()
        most = recipe.SHARD_ROWS
        for path, rows in outputs:
            if most and len(rows) > most:
                order = np.random.default_rng([abs(seed), len(rows)]).permutation(rows)
                with ShardWriter(path) as writer:
                    for first in range(0, len(order), most):
                        writer.add(encoded(path, table, prepared, order[first : first + most]))
            else:
                tables.save(path, encoded(path, table, prepared, rows))
        return
    with contextlib.ExitStack() as stack:
        writers = [stack.enter_context(ShardWriter(path)) for path, _ in outputs]
        for start, count, table, prepared in raw.with_tables():
            for writer, (path, rows) in zip(writers, outputs, strict=True):
                writer.add(encoded(path, table, prepared, local_rows(rows, start, start + count)))


def baseline_scores(raw: PreparedRaw, train_rows: np.ndarray, test_rows: np.ndarray, seed: int) -> dict[str, float]:
    """The recipe's ``baselines`` on these rows; for a sharded raw table on a seeded subsample
    of at most ``BASELINE_TRAIN_ROWS`` and ``BASELINE_TEST_ROWS``, gathered from the shards."""
    if not raw.sharded:
        ((_, _, prepared),) = raw
        return raw.recipe.baselines(prepared, train_rows, test_rows)
    rng = np.random.default_rng(seed)
    train = np.sort(_at_most(train_rows, BASELINE_TRAIN_ROWS, rng))
    test = np.sort(_at_most(test_rows, BASELINE_TEST_ROWS, rng))
    if len(train) < len(train_rows) or len(test) < len(test_rows):
        log.info(
            "baselines fitted on a seeded subsample of %d of %d training rows, scored on %d of %d test rows",
            len(train),
            len(train_rows),
            len(test),
            len(test_rows),
        )
    assert isinstance(raw.stored, Shards)
    parts: dict[str, list] = {"train": [], "test": []}
    for start, table in zip(raw.stored.offsets(), raw.stored, strict=False):
        stop = int(start) + tables.num_rows(table)
        parts["train"].append(tables.take(table, local_rows(train, int(start), stop)))
        parts["test"].append(tables.take(table, local_rows(test, int(start), stop)))
    prepared = raw.recipe.prepare(tables.concat(parts["train"] + parts["test"]))
    return raw.recipe.baselines(prepared, np.arange(len(train)), np.arange(len(train), len(train) + len(test)))


def _at_most(rows: np.ndarray, most: int, rng: np.random.Generator) -> np.ndarray:
    return rng.choice(rows, size=most, replace=False) if len(rows) > most else rows
