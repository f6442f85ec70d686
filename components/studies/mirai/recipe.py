"""The mirai study's hooks for the generic steps (the contract: components/studies/recipe.py).

Ingest and preprocess import this module without TensorFlow (which would add
seconds and hundreds of MB to them); Keras is imported only by the hooks that
train and evaluate.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass

import numpy as np

from components import tables
from components.row_batches import row_batches
from components.statistics import NumericColumns, matrix_columns
from components.studies.base import ParameterError
from components.studies.mirai import MiraiParams, sources, transforms
from components.studies.mirai.variants import parse_variant
from components.studies.recipe import Recipe, TrainingExtras
from components.tables import AnyTable, Shards, Table

if "keras" in sys.modules:
    # The steps that load a saved model import Keras before this recipe; the
    # Monte-Carlo dropout layer must be registered before keras.models.load_model.
    from components.studies.mirai import models  # noqa: F401

# Monte-Carlo passes only predict, so a large batch just makes them faster.
MC_BATCH_SIZE = 8192


@dataclass
class Prepared:
    """The raw features (row index already removed) and labels: nothing per row is left to do."""

    features: np.ndarray
    label: np.ndarray


class MiraiRecipe(Recipe[MiraiParams, Prepared]):
    """Standardised network-traffic features into a dense network, with
    Monte-Carlo dropout accuracy beside the standard metrics."""

    CLASS_NAMES = ("benign", "attack")
    # The full capture's training table (535,000 x 92 float32, 197 MB) is streamed from shards of
    # 9 MB, so training does not hold it (and TensorFlow a copy of it) in memory: docs/speed.md.
    SHARD_ROWS = 25_000
    # A batch is a few hundred ops on 1,000 x 50 values; split over 2 cores, an epoch of the full
    # capture took 3.0-3.4 s against 2.2-2.5 s on one thread per op (docs/speed.md).
    OP_THREADS = 1

    def read(self, path: str) -> Table:
        return sources.read(path)

    def profile(self, table: Table) -> list[NumericColumns]:
        """Every feature column (the source has no names: ``feature_000`` is the first after the row index)."""
        return [matrix_columns("feature_", tables.array(table, "features"))]

    def prepare(self, table: Table) -> Prepared:
        return Prepared(tables.array(table, "features"), tables.array(table, "label"))

    def fit(self, prepared: Prepared, train_rows: np.ndarray, params: MiraiParams) -> dict:
        """Mean and std of the kept features over the training rows only.

        ``drop_columns`` counts the seed's 116 columns, whose first is the row
        index; the raw table has no index, so one fewer feature column is dropped."""
        first = params.drop_columns - 1
        width = prepared.features.shape[1]
        if first >= width:
            raise ParameterError(
                f"drop_columns={params.drop_columns} leaves no features: the source has "
                f"{width} feature columns after the row index"
            )
        return {"scaler": transforms.fit_standardizer(prepared.features, train_rows, first), "features": width - first}

    def encode(self, prepared: Prepared, rows: np.ndarray, state: dict) -> Table:
        return {
            "features": transforms.standardize(prepared.features, rows, state["scaler"]),
            "label": prepared.label[rows].astype(np.float32),
        }

    def dataset(
        self, table: AnyTable, state: dict, batch_size: int, shuffle: bool, seed: int, epochs: range = range(1)
    ):
        """Batches gathered by row number (see ``components.row_batches``), or read from a
        sharded table's files by TensorFlow (``components.dense_shards``)."""
        import tensorflow as tf

        if isinstance(table, Shards):
            from components.dense_shards import dense_dataset

            return dense_dataset(table, ("features", "label"), batch_size, shuffle, seed, epochs)
        features, labels = tf.constant(table["features"]), tf.constant(table["label"])
        return (
            row_batches(len(table["label"]), batch_size, shuffle, seed, epochs)
            .map(lambda idx: (tf.gather(features, idx), tf.gather(labels, idx)), num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE)
        )

    def build_model(self, state: dict, params: MiraiParams, variant: str):
        from components.studies.mirai.models import dnn_for

        # The rate as TrainingParams.for_variant resolves it: a learning_rate the user set wins over +lrR.
        spec = dataclasses.replace(parse_variant(variant), learning_rate=None)
        return dnn_for(spec, int(state["features"]), params.for_variant(variant).learning_rate)

    def serving_inputs(self, raw: Table, prepared: Prepared, rows: np.ndarray, state: dict) -> np.ndarray:
        """The rows' raw feature columns (the source's columns less its row index), float32."""
        return prepared.features[rows].astype(np.float32, copy=False)

    def serving_transform(self, state: dict):
        """The column drop and the training rows' standardisation, in float64 as
        ``transforms.standardize`` computes it, of raw rows named ``features``."""
        import tensorflow as tf

        scaler = state["scaler"]
        first = int(scaler["first_column"])

        class MiraiTransform(tf.Module):
            input_spec = tf.TensorSpec([None, first + int(state["features"])], tf.float32, name="features")

            def __init__(self) -> None:
                super().__init__(name="mirai_transform")
                self.mean = tf.constant(scaler["mean"], tf.float64)
                self.std = tf.constant(scaler["std"], tf.float64)

            def __call__(self, features: tf.Tensor) -> tf.Tensor:
                kept = tf.cast(features[:, first:], tf.float64)
                return tf.cast((kept - self.mean) / self.std, tf.float32)

        return MiraiTransform()

    def training_extras(self, train: AnyTable, params: MiraiParams) -> TrainingExtras:
        """Balanced class weights from this training table's labels (so each CV fold gets its own)."""
        return (
            {"class_weight": transforms.balanced_class_weights(tables.array(train, "label"))}
            if params.class_weights
            else {}
        )

    def evaluation_extras(self, model, state: dict, test: AnyTable, params: MiraiParams) -> dict:
        """Monte-Carlo dropout: accuracy over ``mc_passes`` stochastic passes, mean and std."""
        from components.metrics import predicted_classes
        from components.studies.mirai.models import has_mc_dropout

        if not has_mc_dropout(model):
            return {"mc_dropout": "not run: this model has no Monte-Carlo dropout layers"}
        data = self.dataset(test, state, MC_BATCH_SIZE, shuffle=False, seed=0)
        truth = tables.array(test, "label").astype(np.int64)
        accuracies = [
            float(np.mean(predicted_classes(model.predict(data, verbose=0)) == truth)) for _ in range(params.mc_passes)
        ]
        return {
            "mc_dropout_passes": params.mc_passes,
            "mc_dropout_mean_accuracy": float(np.mean(accuracies)),
            "mc_dropout_std_accuracy": float(np.std(accuracies)),
        }


RECIPE = MiraiRecipe()
