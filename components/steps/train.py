"""Train: fit the study's model on the preprocessed training table."""
from __future__ import annotations

import json
import logging
import os
import time

import keras

from components import devices, tables
from components.steps.preprocess import load_state
from components.studies import get_study

log = logging.getLogger(__name__)
MODEL_FILE = "model.keras"
SAVED_MODEL_DIR = "saved_model"


class EpochTimer(keras.callbacks.Callback):
    """Seconds per epoch, recorded next to Keras' own history."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def fit_model(recipe, p, variant: str, state: dict, train: dict, validation: dict | None, seed: int):
    """Build and fit one model; returns it and its history (with seconds per epoch)."""
    keras.utils.set_random_seed(seed)
    with devices.training_strategy().scope():
        model = recipe.build_model(state, p, variant)
    extras = recipe.training_extras(train, p)
    timer = EpochTimer()
    history = model.fit(
        recipe.dataset(train, state, p.batch_size, shuffle=True, seed=seed),
        validation_data=recipe.dataset(validation, state, p.batch_size, shuffle=False, seed=seed)
        if validation is not None
        else None,
        epochs=p.epochs,
        verbose=2,
        shuffle=False,  # the dataset shuffles itself, seeded
        callbacks=[timer, *extras.get("callbacks", [])],
        class_weight=extras.get("class_weight"),
    )
    curves = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    curves["epoch_seconds"] = timer.seconds
    return model, curves


def save_model(model, model_dir: str) -> None:
    """``model.keras`` for Keras users and an exported SavedModel for serving."""
    os.makedirs(model_dir, exist_ok=True)
    model.save(os.path.join(model_dir, MODEL_FILE))
    model.export(os.path.join(model_dir, SAVED_MODEL_DIR), verbose=False)


def run_train(
    study: str, variant: str, train_path: str, validation_path: str, state_path: str, params: dict, seed: int,
    model_dir: str, history_path: str,
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
    model, curves = fit_model(recipe, p, variant, state, train, validation, seed)
    save_model(model, model_dir)
    with open(history_path, "w", encoding="utf-8") as f:
        json.dump(curves, f)
    return {"variant": variant, "train_rows": tables.num_rows(train), "epochs": p.epochs,
            "final_loss": curves["loss"][-1], "final_accuracy": curves["accuracy"][-1]}
