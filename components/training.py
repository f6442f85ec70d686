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

from components import devices, process_exit, tables
from components.checkpoints import EpochCheckpoint
from components.metrics import classification_metrics, predicted_classes
from components.studies.base import TrainingParams
from components.studies.recipe import Recipe
from components.tables import Table

# Every step that trains or scores a model imports this module, and with it
# TensorFlow: such a process exits seconds sooner without the final collections.
process_exit.skip_final_collection()


class EpochTimer(keras.callbacks.Callback):
    """Adds ``epoch_seconds`` to each epoch's logs, so Keras' history (and the
    checkpoint, which comes after this callback) records it like any metric."""

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs["epoch_seconds"] = time.perf_counter() - self._start


class DivergedError(RuntimeError):
    """The training loss stopped being a number: further epochs cannot recover, so the fit ends here."""


class StopOnNaN(keras.callbacks.TerminateOnNaN):
    """Keras' TerminateOnNaN, failing the fit with an error naming the epoch and batch.

    Keras only sets ``stop_training``, and the fit would return a NaN model that
    the checkpoint saves and evaluate scores at chance; raising at the batch
    stops before the epoch's checkpoint and says what happened."""

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        super().on_batch_end(batch, logs)
        if self.model.stop_training:
            raise DivergedError(
                f"the training loss became {(logs or {}).get('loss')} at epoch {self._epoch + 1}, "
                f"batch {batch + 1}; training stopped (a lower learning rate usually helps)"
            )


def replica_batch_size(batch_size: int, replicas: int) -> int:
    """The global batch: the study's ``batch_size``, or the nearest multiple of
    ``replicas`` below it (at least ``replicas``), so every replica gets as many
    rows as the others. Keras' build under MirroredStrategy averages the first
    batch across replicas and fails on uneven shares (keras-team/keras#19246)."""
    return max(replicas, batch_size // replicas * replicas)


def replica_steps(rows: int, batch_size: int, replicas: int) -> int:
    """Training batches per epoch once each epoch's last batch is cut to a
    multiple of ``replicas`` (and dropped if that leaves none)."""
    last = rows % batch_size // replicas * replicas
    return rows // batch_size + (1 if last else 0)


# Batches per call into TensorFlow's compiled step. Each call costs Keras a
# millisecond or more of Python (its loop, the callbacks), longer than a batch
# of the dense studies' networks takes to compute (docs/benchmarks.md).
EXECUTION_BATCHES = 50


def batches_per_execution(steps: int, target: int) -> int:
    """The smallest divisor of ``steps`` (batches per epoch) that is at least
    ``min(target, steps)``: Keras' ``steps_per_execution``. It must divide the
    epoch, since one iterator runs through every epoch and a call that ran past
    an epoch's last batch would train on the next epoch's first ones. The batches,
    their order and every update are the same as one batch per call; callbacks see
    a batch end once per call (with the call's last batch number)."""
    want = min(target, steps)
    return next(k for k in range(want, steps + 1) if steps % k == 0)


def _even_shares(dataset, replicas: int):
    """Each batch cut to a multiple of ``replicas`` rows and a batch cut to
    nothing dropped: an empty replica batch turns BatchNorm's moving
    statistics, then every weight, into NaN. At most ``replicas - 1`` rows an
    epoch go unseen, different ones each epoch since the order is shuffled."""
    import tensorflow as tf

    if replicas == 1:
        return dataset

    def cut(*batch):
        keep = tf.shape(tf.nest.flatten(batch)[0])[0] // replicas * replicas
        return tf.nest.map_structure(lambda t: t[:keep], batch)

    return dataset.map(cut).filter(lambda *batch: tf.shape(tf.nest.flatten(batch)[0])[0] > 0)


def _validation(
    recipe: Recipe, validation: Table | None, state: dict[str, Any], batch_size: int, replicas: int, seed: int
):
    """The validation input, its first batch a multiple of ``replicas`` rows: the
    evaluation inside ``fit`` builds on that batch like training does (a later
    short batch is fine, every row is scored)."""
    if validation is None:
        return None
    rows = tables.num_rows(validation)
    if rows < replicas:
        raise ValueError(f"{rows} validation rows cannot give each of {replicas} replicas a row; add rows or drop them")
    return recipe.dataset(validation, state, replica_batch_size(min(batch_size, rows), replicas), False, seed)


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
    resumes after the last completed epoch instead of starting over, in the
    precision it was trained in and on the batches an uninterrupted fit would
    have read next. The precision policy is set for this fit only."""
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    checkpoint = EpochCheckpoint(checkpoint_uri) if checkpoint_uri else None
    chosen = devices.training_devices()
    precision = (checkpoint.precision() if checkpoint else None) or chosen.precision
    with devices.precision_policy(precision):
        with chosen.strategy.scope():
            model, done, past = checkpoint.restore() if checkpoint else (None, 0, {})
            model = model or recipe.build_model(state, p, variant)
        if done >= p.epochs:
            return model, {k: list(v) for k, v in past.items()}
        rows, replicas = tables.num_rows(train), chosen.replicas
        batch_size = replica_batch_size(p.batch_size, replicas)
        steps = replica_steps(rows, batch_size, replicas)
        if steps == 0:
            raise ValueError(f"{rows} training rows cannot give each of {replicas} replicas a row")
        remaining = range(done, p.epochs)
        # Not saved with the model: a saved model keeps the setting it was compiled with.
        model.steps_per_execution = batches_per_execution(steps, EXECUTION_BATCHES)
        data = _even_shares(recipe.dataset(train, state, batch_size, True, seed, remaining), replicas)
        extras = recipe.training_extras(train, p)
        saving = [checkpoint.callback(past, precision)] if checkpoint else []
        history = model.fit(
            data.apply(tf.data.experimental.assert_cardinality(steps * len(remaining))),
            validation_data=_validation(recipe, validation, state, batch_size, replicas, seed),
            epochs=p.epochs,
            initial_epoch=done,
            steps_per_epoch=steps,  # one iterator runs through every remaining epoch
            verbose=2,
            shuffle=False,  # the dataset shuffles itself, seeded
            callbacks=[StopOnNaN(), *extras.get("callbacks", []), EpochTimer(), *saving],
            class_weight=extras.get("class_weight"),
        )
    new = history.history
    curves = {k: list(past.get(k, [])) + [float(v) for v in new.get(k, [])] for k in {*past, *new}}
    return model, curves


def majority_class(labels: np.ndarray) -> int:
    values, counts = np.unique(labels.astype(np.int64), return_counts=True)
    return int(values[np.argmax(counts)])


def model_loss(model: keras.Model, labels: np.ndarray, proba: np.ndarray) -> float:
    """The compiled loss over all ``labels``, from predictions: ``model.evaluate``
    under MirroredStrategy fails when its first batch does not split evenly
    across replicas (keras-team/keras#19246), while ``predict`` takes any batch."""
    loss = model.compute_loss(
        y=keras.ops.convert_to_tensor(labels), y_pred=keras.ops.convert_to_tensor(proba), training=False
    )
    return float(keras.ops.convert_to_numpy(loss))


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
    proba = model.predict(data, verbose=0)
    loss = model_loss(model, np.concatenate([np.asarray(y) for _, y in data.as_numpy_iterator()]), proba)
    result = classification_metrics(tables.array(test, "label"), proba, list(recipe.CLASS_NAMES), majority)
    result["loss"] = float(loss)
    result["predicted"] = predicted_classes(proba).tolist()
    if extras and (study_extras := recipe.evaluation_extras(model, state, test, p)):
        result["extras"] = study_extras
    return result
