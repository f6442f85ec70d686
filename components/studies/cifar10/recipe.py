"""The cifar10 study's hooks for the generic steps (the contract: components/studies/recipe.py).

Ingest and preprocess import this module without TensorFlow (which would add
seconds, hundreds of MB and log noise to them, and to ``kfp-studies
ingest``); the hooks that build inputs, models and callbacks import it.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from components import tables
from components.statistics import NumericColumns, image_channels
from components.studies.cifar10 import Cifar10Params, sources
from components.studies.recipe import Recipe, TrainingExtras
from components.tables import Table

log = logging.getLogger(__name__)

MISCLASSIFIED_SHOWN = 20


class Cifar10Recipe(Recipe[Cifar10Params, Table]):
    """uint8 images standardised per image (and augmented for training) in
    ``tf.data``, into a CNN trained with a cyclic learning rate."""

    CLASS_NAMES = sources.CLASS_NAMES

    def read(self, path: str) -> Table:
        return sources.read(path)

    def profile(self, table: Table) -> list[NumericColumns]:
        """Per-channel pixel statistics (the image size is checked as the column's shape)."""
        return [image_channels(tables.array(table, "image"), ("red", "green", "blue"))]

    def prepare(self, table: Table) -> Table:
        """Nothing to do once for all rows: standardisation is per image, in ``dataset``."""
        return table

    def fit(self, prepared: Table, train_rows: np.ndarray, params: Cifar10Params) -> dict:
        """Nothing is fitted from data (each image is standardised by its own
        statistics); the state carries the augmentation that ``dataset`` applies."""
        return {"pad_crop": params.pad_crop}

    def encode(self, prepared: Table, rows: np.ndarray, state: dict) -> Table:
        """The rows' uint8 images and labels (the split column is no longer needed)."""
        return tables.take({"image": prepared["image"], "label": prepared["label"]}, rows)

    def dataset(self, table: Table, state: dict, batch_size: int, shuffle: bool, seed: int, epochs: range = range(1)):
        """Standardised float32 batches; the training path (``shuffle``) is also augmented."""
        from components.studies.cifar10 import inputs

        return inputs.batches(
            tables.array(table, "image"),
            tables.array(table, "label"),
            batch_size,
            augment=shuffle,
            seed=seed,
            pad=int(state.get("pad_crop", 0)),
            epochs=epochs,
        )

    def build_model(self, state: dict, params: Cifar10Params, variant: str):
        """A fresh CNN for the optimizer ``variant``, starting at ``base_lr``."""
        from components.studies.cifar10.models import compiled_cnn

        return compiled_cnn(variant, params.base_lr)

    def serving_inputs(self, raw: Table, prepared: Table, rows: np.ndarray, state: dict) -> np.ndarray:
        """The rows' uint8 ``[32, 32, 3]`` images, as read."""
        return tables.array(raw, "image")[rows]

    def serving_transform(self, state: dict):
        """Per-image standardisation (``inputs.standardize``) of a uint8 batch named ``image``."""
        import tensorflow as tf

        from components.studies.cifar10.inputs import standardize

        class Cifar10Transform(tf.Module):
            input_spec = tf.TensorSpec([None, 32, 32, 3], tf.uint8, name="image")

            def __call__(self, images: tf.Tensor) -> tf.Tensor:
                return standardize(images)

        return Cifar10Transform(name="cifar10_transform")

    def training_extras(self, train: Table, params: Cifar10Params) -> TrainingExtras:
        """The cyclic learning rate, with a half cycle of ``clr_step_epochs`` epochs'
        worth of batches; first, when asked, the learning-rate range test, whose
        curve is then added to the history."""
        from components.studies.cifar10.clr import CyclicLR
        from components.studies.cifar10.lr_range import RecordInHistory, lr_range_test

        steps_per_epoch = math.ceil(tables.num_rows(train) / params.batch_size)
        if params.epochs % (2 * params.clr_step_epochs):
            log.warning(
                "epochs=%d is not a whole number of learning-rate cycles (%d epochs each): training ends "
                "above base_lr; the seed's 300 epochs with clr_step_epochs=2 end at the bottom of a cycle",
                params.epochs,
                2 * params.clr_step_epochs,
            )
        callbacks = [CyclicLR(params.base_lr, params.max_lr, params.clr_step_epochs * steps_per_epoch)]
        if params.lr_range_epochs:
            result = lr_range_test(
                tables.array(train, "image"), tables.array(train, "label"), params.batch_size, params.lr_range_epochs
            )
            callbacks.append(RecordInHistory(result))
        return {"callbacks": callbacks}

    def evaluation_extras(self, model, state: dict, test: Table, params: Cifar10Params) -> dict:
        """Per-class accuracy, the row-normalised confusion matrix, and the test rows
        the model gets most confidently wrong (kept in the evaluation JSON; the
        report shows the scalars, and its image grid is a seeded sample of mistakes)."""
        proba = model.predict(self.dataset(test, state, params.batch_size, shuffle=False, seed=0), verbose=0)
        return misclassification_summary(tables.array(test, "label"), proba)

    def draw_example(self, ax, table: Table, row: int) -> None:
        """One test image as it was read (uint8 RGB), for the report's misclassified grid."""
        ax.imshow(table["image"][row], interpolation="nearest")


def misclassification_summary(labels: np.ndarray, proba: np.ndarray) -> dict:
    labels = np.asarray(labels).astype(np.int64)
    predicted = proba.argmax(axis=1)
    class_names = sources.CLASS_NAMES
    counts = np.zeros((len(class_names), len(class_names)))
    np.add.at(counts, (labels, predicted), 1)
    normalised = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = proba[wrong, predicted[wrong]]
    shown = wrong[np.argsort(-confidence, kind="stable")[:MISCLASSIFIED_SHOWN]]
    extras: dict = {f"class_accuracy.{name}": float(normalised[c, c]) for c, name in enumerate(class_names)}
    extras["normalized_confusion_matrix"] = normalised.round(4).tolist()
    extras["misclassified_examples"] = [
        {
            "index": int(i),
            "true": class_names[labels[i]],
            "predicted": class_names[predicted[i]],
            "confidence": float(proba[i, predicted[i]]),
        }
        for i in shown
    ]
    return extras


RECIPE = Cifar10Recipe()
