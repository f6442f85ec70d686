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
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypedDict, TypeVar

import numpy as np

from components.studies.base import TrainingParams
from components.tables import Table

if TYPE_CHECKING:
    import keras
    import tensorflow as tf
    from matplotlib.axes import Axes

ParamsT = TypeVar("ParamsT", bound=TrainingParams)
PreparedT = TypeVar("PreparedT")


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

    EXAMPLE_TEXT: ClassVar[str | None] = None
    """The raw table's text column (a ragged UTF-8 column) that a person reads to judge a
    row. Used by: evaluate, which shows it for the report's misclassified test rows.
    Default: none (image studies draw their rows with :meth:`draw_example` instead)."""

    @abstractmethod
    def read(self, path: str) -> Table:
        """Called by: ingest.

        Read and validate a local source (file or folder) into the raw table:
        ``label``, optionally ``split`` (0 train, 1 test) and ``group`` (rows CV
        must keep together). Malformed input raises ``components.errors.DataError``
        naming the file and line or record."""

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

    @abstractmethod
    def encode(self, prepared: PreparedT, rows: np.ndarray, state: dict[str, Any]) -> Table:
        """Called by: preprocess, cross_validate (each fold).

        The model-ready table of ``rows``, with a ``label`` column."""

    @abstractmethod
    def dataset(
        self, table: Table, state: dict[str, Any], batch_size: int, shuffle: bool, seed: int, epochs: range = range(1)
    ) -> tf.data.Dataset:
        """Called by: train, cross_validate and evaluate (``components.training``).

        Batched, prefetched ``(inputs, labels)`` of float32 inputs (int32 ids
        where they index an embedding), one pass per epoch of ``epochs``, with
        its length declared. ``shuffle=True`` asks for training input, which
        is also where augmentation belongs; each epoch's order and random
        draws come from ``(seed, epoch)`` (``components.row_batches``), so a
        resumed fit continues as an uninterrupted one. Validation, held-out
        folds and the test set are read with ``shuffle=False``."""

    @abstractmethod
    def build_model(self, state: dict[str, Any], params: ParamsT, variant: str) -> keras.Model:
        """Called by: train, cross_validate (``components.training.fit_model``).

        A fresh compiled model for the named variant."""

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
        validation rows), printed beside the model's. Default: none (the
        majority-class baseline comes with every evaluation anyway)."""
        return {}

    def draw_example(self, ax: Axes, table: Table, row: int) -> None:
        """Called by: evaluate, for the report's grid of misclassified test rows.

        Draw test row ``row`` (of the encoded test table) on ``ax``. A study
        that overrides this gets the grid; the default draws nothing, and then
        the report has no grid (see :attr:`draws_examples`)."""

    @property
    def draws_examples(self) -> bool:
        """Whether the study overrides :meth:`draw_example`, so evaluate draws the grid."""
        return type(self).draw_example is not Recipe.draw_example
