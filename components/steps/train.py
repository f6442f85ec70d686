"""Train: fit the study's model on the preprocessed training table."""

from __future__ import annotations

import json
import logging
import os
import time

import keras

from components import devices, tables
from components.checkpoints import EpochCheckpoint, checkpoint_uri
from components.steps.ingest import file_sha256
from components.steps.preprocess import load_state
from components.studies import get_study

log = logging.getLogger(__name__)
MODEL_FILE = "model.keras"
SAVED_MODEL_DIR = "saved_model"


class EpochTimer(keras.callbacks.Callback):
    """Adds ``epoch_seconds`` to each epoch's logs, so Keras' history (and the
    checkpoint, which comes after this callback) records it like any metric."""

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs["epoch_seconds"] = time.perf_counter() - self._start


def fit_model(
    recipe, p, variant: str, state: dict, train: dict, validation: dict | None, seed: int, checkpoint_uri: str = ""
):
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


def save_model(model, model_dir: str) -> None:
    """``model.keras`` for Keras users and an exported SavedModel for serving."""
    os.makedirs(model_dir, exist_ok=True)
    model.save(os.path.join(model_dir, MODEL_FILE))
    model.export(os.path.join(model_dir, SAVED_MODEL_DIR), verbose=False)


def run_train(
    study: str,
    variant: str,
    train_path: str,
    validation_path: str,
    state_path: str,
    params: dict,
    seed: int,
    model_dir: str,
    history_path: str,
    work_uri: str = "",
) -> dict:
    spec = get_study(study)
    p = spec.params.from_mapping(params)
    recipe = spec.recipe()
    state = load_state(state_path)
    train, validation = tables.load(train_path), tables.load(validation_path)
    if p.fit_on_validation:
        train, validation = tables.concat([train, validation]), None
    elif tables.num_rows(validation) == 0:
        validation = None
    log.info("training %s on %d rows for %d epochs", variant, tables.num_rows(train), p.epochs)
    identity = {
        "task": "train",
        "variant": variant,
        "params": p.as_dict(),
        "seed": seed,
        "data": [file_sha256(path)[0] for path in (train_path, validation_path, state_path)],
    }
    model, curves = fit_model(
        recipe, p, variant, state, train, validation, seed, checkpoint_uri(work_uri, study, identity)
    )
    save_model(model, model_dir)
    with open(history_path, "w", encoding="utf-8") as f:
        json.dump(curves, f)
    return {
        "variant": variant,
        "train_rows": tables.num_rows(train),
        "epochs": p.epochs,
        "final_loss": curves["loss"][-1],
        "final_accuracy": curves["accuracy"][-1],
    }
