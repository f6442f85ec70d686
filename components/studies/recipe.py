"""The contract between a study and the generic steps: every hook a step calls.

A study's ``recipe.py`` subclasses :class:`Recipe` and exposes one instance as
``RECIPE``; :meth:`components.studies.base.Study.recipe` returns it. This class
is the single source of truth for what a study must provide: each hook says
which step calls it ("Called by"), required hooks are abstract (a study that
misses one fails when its recipe is instantiated, naming the hook), and the
optional ones have defaults that add nothing, so no step has to ask whether a
study defines them.

Light to import: ingest and preprocess load recipes and must not pay for
TensorFlow, so Keras, ``tf.data`` and matplotlib are named here for type
checkers only, and each study imports them inside the hooks that need them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypedDict, TypeVar, cast

import numpy as np

from components.studies.base import TrainingParams
from components.tables import AnyTable, Column, Table

if TYPE_CHECKING:
    import keras
    import tensorflow as tf
    from matplotlib.axes import Axes

    from components.statistics import NumericColumns

ParamsT = TypeVar("ParamsT", bound=TrainingParams)
PreparedT = TypeVar("PreparedT")


def hook_table(table: AnyTable) -> Table:
    """``table`` typed as the hooks name it: a table in memory, or the ``tables.Shards`` that only
    a study that asked for them is ever handed (its ``read_shards`` or ``SHARD_ROWS`` made them),
    whose hooks accept them."""
    return cast(Table, table)


class TrainingExtras(TypedDict, total=False):
    """What a study adds to ``model.fit``: callbacks, class weights, or neither."""

    callbacks: list[keras.callbacks.Callback]
    class_weight: dict[int, float]


class Recipe(ABC, Generic[ParamsT, PreparedT]):
    """A study's hooks. ``ParamsT`` is the study's parameter dataclass and
    ``PreparedT`` whatever ``prepare`` returns for ``fit``, ``encode`` and
    ``baselines`` to share (a corpus of token ids, cleaned trajectories...).

    A *table* is a dict of equal-length columns (``components.tables``); the
    *state* is the JSON-able dict ``fit`` returns, saved by preprocess and
    handed to every later hook, so a hook needing a parameter after
    preprocess finds it there."""

    CLASS_NAMES: ClassVar[tuple[str, ...]]
    """Class names, index = label. Used by: evaluate and cross_validate (metrics, report)."""

    EXAMPLES_ARE_TEXT: ClassVar[bool] = False
    """Whether the serving input is text a person reads to judge a row (a review). Used by:
    evaluate, which shows it for the report's misclassified test rows. Default: no (image
    studies draw their rows with :meth:`draw_example` instead)."""

    SHARD_ROWS: ClassVar[int | None] = None
    """Rows per shard of a model-ready table that has more rows than this, for a study whose
    raw table fits in memory but whose training should not hold it all. Used by: preprocess
    and cross_validate (``components.transform_passes.encode_to``), which write such a table
    as shards, its rows in a seeded random order so that each shard samples the whole table
    (``components.dense_shards`` mixes rows only within a shard); train, evaluate and the
    folds then hand ``dataset`` the shards. Default: never (a streaming study's tables are
    sharded as its raw table is)."""

    OP_THREADS: ClassVar[int | None] = None
    """Threads each TensorFlow op may split its work over while training on the CPU, for a
    network whose ops are too small to gain from splitting: handing the pieces to another
    thread and waiting for them costs more than computing them. Used by: train and
    cross_validate (``components.training.fit_model``, via ``devices.limit_op_threads``).
    Default: TensorFlow's (every core)."""

    @abstractmethod
    def read(self, path: str) -> Table:
        """Called by: ingest.

        Read and validate a local source (file or folder) into the raw table:
        ``label``, optionally ``split`` (0 train, 1 test) and ``group`` (rows CV
        must keep together). Malformed input raises ``components.errors.DataError``
        naming the file and line or record."""

    def read_shards(self, path: str) -> Iterator[Table]:
        """Called by: ingest, for a study that overrides it (:attr:`streams`).

        The raw table of :meth:`read` in consecutive pieces of bounded size,
        read as a stream, so that a source larger than memory can be ingested;
        ingest then writes it as shards (``components.tables.Shards``), and
        preprocess and cross_validate work shard by shard. Default: :meth:`read` whole."""
        yield self.read(path)

    @property
    def streams(self) -> bool:
        """Whether the study reads its source in shards (overrides :meth:`read_shards`, and then
        :meth:`fit_shards` too), so ingest writes a sharded raw table."""
        return type(self).read_shards is not Recipe.read_shards

    @abstractmethod
    def prepare(self, table: Table) -> PreparedT:
        """Called by: preprocess, cross_validate (each fold).

        Per-row work that needs nothing fitted (tokenise, resample...), done
        once for all rows before the rows are split."""

    @abstractmethod
    def fit(self, prepared: PreparedT, train_rows: np.ndarray, params: ParamsT) -> dict[str, Any]:
        """Called by: preprocess, cross_validate (each fold).

        The JSON-able state (vocabulary, normalisers, settings later hooks
        need), fitted on ``train_rows`` only."""

    def fit_shards(self, shards: Iterable[tuple[PreparedT, np.ndarray]], params: ParamsT) -> dict[str, Any]:
        """Called by: preprocess, cross_validate (each fold), with each raw shard's prepared
        rows and the training rows among them (numbered within the shard).

        The state :meth:`fit` would return on all those rows together, gathered
        in one pass over the shards (counts, sums), so no step holds every row
        prepared at once. Default: the single shard of a study that does not
        stream, handed to :meth:`fit`."""
        ((prepared, rows),) = shards
        return self.fit(prepared, rows, params)

    @abstractmethod
    def encode(self, prepared: PreparedT, rows: np.ndarray, state: dict[str, Any]) -> Table:
        """Called by: preprocess, cross_validate (each fold).

        The model-ready table of ``rows``, with a ``label`` column."""

    @abstractmethod
    def dataset(
        self,
        table: Table,
        state: dict[str, Any],
        batch_size: int,
        shuffle: bool,
        seed: int,
        epochs: range = range(1),
    ) -> tf.data.Dataset:
        """Called by: train, cross_validate and evaluate (``components.training``).

        Batched, prefetched ``(inputs, labels)`` of float32 inputs (int32 ids
        where they index an embedding), one pass per epoch of ``epochs``, with
        its length declared. ``shuffle=True`` asks for training input, which
        is also where augmentation belongs; each epoch's order and random
        draws come from ``(seed, epoch)`` (``components.row_batches``), so a
        resumed fit continues as an uninterrupted one. Validation, held-out
        folds and the test set are read with ``shuffle=False``. A streaming
        study's tables come as ``tables.Shards`` (a folder on the artifact's
        storage), to be read shard by shard (``components.dense_shards``):
        its override widens ``table`` to ``tables.AnyTable``, as it does for
        ``training_extras`` and ``evaluation_extras``."""

    @abstractmethod
    def build_model(self, state: dict[str, Any], params: ParamsT, variant: str) -> keras.Model:
        """Called by: train, cross_validate (``components.training.fit_model``).

        A fresh compiled model for the named variant."""

    @abstractmethod
    def serving_inputs(self, raw: Table, prepared: PreparedT, rows: np.ndarray, state: dict[str, Any]) -> Column:
        """Called by: preprocess, for the test rows (evaluate scores the new model and the
        champion on them through their serving signatures).

        ``rows`` of the raw table as the serving signature takes them
        (``components.serving``): review texts as a UTF-8 ragged column, uint8
        images, raw feature rows..."""

    @abstractmethod
    def serving_transform(self, state: dict[str, Any]) -> tf.Module:
        """Called by: train (``components.serving.export_serving_model``).

        The fitted preprocessing as a ``tf.Module``: its ``input_spec`` (a named
        ``tf.TensorSpec``) is the serving signature's one input, and calling it on
        such a batch gives the model's input, equal to what ``encode`` and
        ``dataset`` make of the same records. Variables and lookup tables it holds
        are saved with the model."""

    def training_extras(self, train: Table, params: ParamsT) -> TrainingExtras:
        """Called by: train, cross_validate (``components.training.fit_model``).

        Callbacks and class weights for ``fit``, computed from this training
        table (so each fold gets its own). Default: none, plain ``fit``."""
        return {}

    def evaluation_extras(
        self, model: keras.Model, state: dict[str, Any], test: Table, params: ParamsT
    ) -> dict[str, Any]:
        """Called by: evaluate (not per fold).

        Study-specific results beside the standard metrics; scalars go to KFP
        Metrics and the report. Default: none."""
        return {}

    def baselines(self, prepared: PreparedT, train_rows: np.ndarray, test_rows: np.ndarray) -> dict[str, float]:
        """Called by: preprocess.

        Test scores of naive models fitted on ``train_rows`` (training plus
        validation rows), printed beside the model's. For a sharded raw table
        they are a seeded subsample of at most ``components.transform_passes``'
        ``BASELINE_TRAIN_ROWS`` and ``BASELINE_TEST_ROWS``, prepared together.
        Default: none (the majority-class baseline comes with every evaluation anyway)."""
        return {}

    def profile(self, table: Table) -> list[NumericColumns]:
        """Called by: ingest (statistics) and preprocess (the same features binned
        as the champion's, for drift).

        The raw table's numeric features, read in batches (helpers in
        ``components.statistics``: text lengths, image channels, matrix
        columns, ragged lengths). Record, label and group counts and the
        columns' dtypes and shapes come with every study. Default: none."""
        return []

    def vocabulary(self, state: dict[str, Any]) -> list:
        """Called by: preprocess (the data check), for the schema registered with the model.

        The tokens the fitted model knows, so a later run can measure its
        out-of-vocabulary rate against them. Default: none (not a text study)."""
        return []

    def out_of_vocabulary(self, prepared: PreparedT, vocabulary: list) -> float | None:
        """Called by: preprocess (the data check).

        The share of this data's token occurrences outside ``vocabulary``.
        Default: None (not a text study)."""
        return None

    def draw_example(self, ax: Axes, table: Table, row: int) -> None:
        """Called by: evaluate, for the report's grid of misclassified test rows.

        Draw test row ``row`` (of the encoded test table) on ``ax``. A study
        that overrides this gets the grid; the default draws nothing, and then
        the report has no grid (see :attr:`draws_examples`)."""

    @property
    def draws_examples(self) -> bool:
        """Whether the study overrides :meth:`draw_example`, so evaluate draws the grid."""
        return type(self).draw_example is not Recipe.draw_example
