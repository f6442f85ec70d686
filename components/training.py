"""Fitting and scoring one model with a study's recipe, shared by cross-validate, train and evaluate.

A fold's score and the final model's must come from the same code, or the
comparison that picks the variant would not predict the test score; so the
fit and the scoring live here, once, and the steps call them.
"""

from __future__ import annotations

import time
from typing import Any

import keras
import numpy as np

from components import devices, tables
from components.checkpoints import EpochCheckpoint
from components.metrics import classification_metrics, predicted_classes
from components.studies.base import TrainingParams
from components.studies.recipe import Recipe
from components.tables import Table


class EpochTimer(keras.callbacks.Callback):
    """Adds ``epoch_seconds`` to each epoch's logs, so Keras' history (and the
    checkpoint, which comes after this callback) records it like any metric."""

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs["epoch_seconds"] = time.perf_counter() - self._start


def fit_model(
    recipe: Recipe,
    p: TrainingParams,
    variant: str,
    state: dict[str, Any],
    train: Table,
    validation: Table | None,
    seed: int,
    checkpoint_uri: str = "",
) -> tuple[keras.Model, dict[str, list[float]]]:
    """Build and fit one model; returns it and its history (with seconds per epoch).

    With ``checkpoint_uri``, every epoch is checkpointed there and a rerun
    resumes after the last completed epoch instead of starting over."""
    keras.utils.set_random_seed(seed)
    checkpoint = EpochCheckpoint(checkpoint_uri) if checkpoint_uri else None
    with devices.training_strategy().scope():
        model, done, past = checkpoint.restore() if checkpoint else (None, 0, {})
        model = model or recipe.build_model(state, p, variant)
    extras = recipe.training_extras(train, p)
    saving = [checkpoint.callback(past)] if checkpoint else []
    history = model.fit(
        recipe.dataset(train, state, p.batch_size, shuffle=True, seed=seed),
        validation_data=recipe.dataset(validation, state, p.batch_size, shuffle=False, seed=seed)
        if validation is not None
        else None,
        epochs=p.epochs,
        initial_epoch=done,
        verbose=2,
        shuffle=False,  # the dataset shuffles itself, seeded
        callbacks=[*extras.get("callbacks", []), EpochTimer(), *saving],
        class_weight=extras.get("class_weight"),
    )
    new = history.history
    curves = {k: list(past.get(k, [])) + [float(v) for v in new.get(k, [])] for k in {*past, *new}}
    return model, curves


def majority_class(labels: np.ndarray) -> int:
    values, counts = np.unique(labels.astype(np.int64), return_counts=True)
    return int(values[np.argmax(counts)])


def evaluate_model(
    recipe: Recipe,
    p: TrainingParams,
    model: keras.Model,
    state: dict[str, Any],
    test: Table,
    majority: int,
    extras: bool = True,
) -> dict[str, Any]:
    """Loss and classification metrics on ``test``, plus (with ``extras``) the
    study's own ``evaluation_extras`` (e.g. MC-dropout accuracy) when it has
    any. ``predicted`` holds the predicted class of every test row."""
    data = recipe.dataset(test, state, p.batch_size, shuffle=False, seed=0)
    loss = model.evaluate(data, verbose=0, return_dict=True)["loss"]
    proba = model.predict(data, verbose=0)
    result = classification_metrics(tables.array(test, "label"), proba, list(recipe.CLASS_NAMES), majority)
    result["loss"] = float(loss)
    result["predicted"] = predicted_classes(proba).tolist()
    if extras and (study_extras := recipe.evaluation_extras(model, state, test, p)):
        result["extras"] = study_extras
    return result
