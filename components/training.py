"""Fitting and scoring one model with a study's recipe, shared by cross-validate, train and evaluate.

A fold's score and the final model's must come from the same code, or the
comparison that picks the variant would not predict the test score; so the
fit and the scoring live here, once, and the steps call them.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import keras
import numpy as np

from components import devices, process_exit, progress, tables
from components.checkpoints import EpochCheckpoint
from components.metrics import classification_metrics, predicted_classes
from components.studies.base import TrainingParams
from components.studies.recipe import Recipe, hook_table
from components.tables import AnyTable

log = logging.getLogger(__name__)

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


class EpochProgress(keras.callbacks.Callback):
    """One concise log line per epoch, with its metrics and the time left, in place of Keras'
    own printing; while an epoch runs, a progress detail (batch and ETA) at most every
    ``interval`` seconds for the console of a local run."""

    def __init__(self, steps: int, interval: float = 1.0):
        super().__init__()
        self.steps, self.interval = steps, interval

    def on_train_begin(self, logs=None):
        self._start, self._shown = time.monotonic(), 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _eta(self, batch: int) -> str:
        """The time left after ``batch`` of the current epoch, at the mean rate so far. Counted from
        the batch index, not from calls: with ``steps_per_execution`` Keras calls the batch hooks
        once per execution, with the index of its last batch."""
        done = self._epoch * self.steps + batch + 1
        left = self.params["epochs"] * self.steps - done
        return progress.duration((time.monotonic() - self._start) / done * left)

    def on_train_batch_end(self, batch, logs=None):
        now = time.monotonic()
        if now - self._shown >= self.interval:
            self._shown = now
            where = f"epoch {self._epoch + 1}/{self.params['epochs']} batch {batch + 1}/{self.steps}"
            progress.detail(f"{where}, ETA {self._eta(batch)}")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        epochs = self.params["epochs"]
        figures = " ".join(f"{k} {v:.4g}" for k, v in logs.items() if k not in ("epoch_seconds", "learning_rate"))
        seconds = logs.get("epoch_seconds", 0.0)
        eta = f", ETA {self._eta(self.steps - 1)}" if epoch + 1 < epochs else ""
        log.info("epoch %d/%d: %s (%s%s)", epoch + 1, epochs, figures, progress.duration(seconds), eta)
        progress.detail(f"epoch {epoch + 1}/{epochs} done{eta}")


class TensorBoardScalars(keras.callbacks.Callback):
    """Each epoch's metrics as TensorBoard scalars under ``logdir``: ``train/`` and
    ``validation/`` runs with ``epoch_*`` tags, the layout Keras' own callback
    writes, so ``tensorboard --logdir`` overlays the two. Written as plain
    ``Summary`` protos, which need only TensorFlow, not the tensorboard package."""

    def __init__(self, logdir: str):
        super().__init__()
        self.logdir = logdir

    def on_train_begin(self, logs=None):
        self._writers: dict[str, Any] = {}

    def _writer(self, run: str):
        """The run's writer, made on first use: a fit without validation data has no ``validation/``."""
        import tensorflow as tf

        if run not in self._writers:
            self._writers[run] = tf.summary.create_file_writer(os.path.join(self.logdir, run))
        return self._writers[run]

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf
        from tensorflow.core.framework import summary_pb2

        for key, value in (logs or {}).items():
            run, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            summary = summary_pb2.Summary(
                value=[summary_pb2.Summary.Value(tag=f"epoch_{name}", simple_value=float(value))]
            )
            with self._writer(run).as_default():
                tf.summary.experimental.write_raw_pb(summary.SerializeToString(), step=epoch)

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()


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
    recipe: Recipe, validation: AnyTable | None, state: dict[str, Any], batch_size: int, replicas: int, seed: int
):
    """The validation input, its first batch a multiple of ``replicas`` rows: the
    evaluation inside ``fit`` builds on that batch like training does (a later
    short batch is fine, every row is scored)."""
    if validation is None:
        return None
    rows = tables.num_rows(validation)
    if rows < replicas:
        raise ValueError(f"{rows} validation rows cannot give each of {replicas} replicas a row; add rows or drop them")
    batch = replica_batch_size(min(batch_size, rows), replicas)
    return recipe.dataset(hook_table(validation), state, batch, False, seed)


def fit_model(
    recipe: Recipe,
    p: TrainingParams,
    variant: str,
    state: dict[str, Any],
    train: AnyTable,
    validation: AnyTable | None,
    seed: int,
    checkpoint_uri: str = "",
    tensorboard_dir: str = "",
) -> tuple[keras.Model, dict[str, list[float]]]:
    """Build and fit one model; returns it and its history (with seconds per epoch).

    With ``checkpoint_uri``, every epoch is checkpointed there and a rerun
    resumes after the last completed epoch instead of starting over, in the
    precision it was trained in and on the batches an uninterrupted fit would
    have read next. With ``tensorboard_dir``, each epoch's metrics are written
    there for TensorBoard. The precision policy is set for this fit only."""
    import tensorflow as tf

    p = p.for_variant(variant)  # the variant's own epochs, batch size and rate, where it has them
    devices.limit_op_threads(recipe.OP_THREADS)
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
        # Not saved with the model: a saved model keeps the setting it was compiled with. One batch
        # a call under a mirrored strategy: Keras 3.15's multi-step loop over a distributed iterator
        # fails there ("You must feed a value for placeholder tensor", tests/gpu_paths), and on GPUs
        # a batch's compute outweighs the Python per call that several batches a call saves.
        model.steps_per_execution = batches_per_execution(steps, EXECUTION_BATCHES) if replicas == 1 else 1
        data = _even_shares(recipe.dataset(hook_table(train), state, batch_size, True, seed, remaining), replicas)
        extras = recipe.training_extras(hook_table(train), p)
        saving = [checkpoint.callback(past, precision)] if checkpoint else []
        board = [TensorBoardScalars(tensorboard_dir)] if tensorboard_dir else []
        history = model.fit(
            data.apply(tf.data.experimental.assert_cardinality(steps * len(remaining))),
            validation_data=_validation(recipe, validation, state, batch_size, replicas, seed),
            epochs=p.epochs,
            initial_epoch=done,
            steps_per_epoch=steps,  # one iterator runs through every remaining epoch
            verbose=0,  # EpochProgress prints one line an epoch
            shuffle=False,  # the dataset shuffles itself, seeded
            callbacks=[StopOnNaN(), *extras.get("callbacks", []), EpochTimer(), EpochProgress(steps), *board, *saving],
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
    test: AnyTable,
    majority: int,
    extras: bool = True,
) -> dict[str, Any]:
    """Loss and classification metrics on ``test``, plus (with ``extras``) the
    study's own ``evaluation_extras`` (e.g. MC-dropout accuracy) when it has
    any. ``predicted`` holds the predicted class of every test row and ``proba``
    the model's output for it (a numpy array: for the report's curves, not JSON)."""
    data = recipe.dataset(hook_table(test), state, p.batch_size, shuffle=False, seed=0)
    proba = model.predict(data, verbose=0)
    loss = model_loss(model, np.concatenate([np.asarray(y) for _, y in data.as_numpy_iterator()]), proba)
    result = classification_metrics(tables.array(test, "label"), proba, list(recipe.CLASS_NAMES), majority)
    result["loss"] = float(loss)
    result["predicted"] = predicted_classes(proba).tolist()
    result["proba"] = np.asarray(proba)
    if extras and (study_extras := recipe.evaluation_extras(model, state, hook_table(test), p)):
        result["extras"] = study_extras
    return result
