"""The serving model: raw records in, class probabilities and class names out.

A registered version must stand alone (docs/serving.md): TensorFlow Serving,
KServe or Vertex AI load its ``saved_model/`` and nothing else, and a later
run scores it on its own test rows. So the SavedModel's ``serving_default``
signature takes what a user has (review texts, uint8 images, raw Kitsune
rows, pen trajectories) and runs the study's fitted preprocessing in the
graph (``Recipe.serving_transform``) before the Keras model.

The signature has one input, named by the study's transform, and three
outputs: ``probabilities`` ``[N, classes]`` float32, ``class_id`` ``[N]``
int64 and ``class_name`` ``[N]`` string. A sigmoid model's single column
becomes two probabilities, and its class is ``p > 0.5``, as the evaluate
step decides it (``components.metrics.predicted_classes``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from components.tables import Column, Ragged

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

    from components.studies.recipe import Recipe

SERVING_DIR = "saved_model"
SERVING_INPUT = "serving_input"
"""The test table's column of raw records, as the signature takes them (preprocess writes it)."""
STATE_FILE = "transform.json"
SIGNATURE = "serving_default"
OUTPUTS = ("probabilities", "class_id", "class_name")
BATCH_SIZE = 1024


def export_serving_model(recipe: Recipe, model: keras.Model, state: dict[str, Any], model_dir: str) -> str:
    """Write ``<model_dir>/saved_model`` (the study's graph preprocessing, then ``model``)
    and the fitted state it was built from, ``<model_dir>/transform.json``."""
    import tensorflow as tf

    from components.artifacts import save_state

    save_state(os.path.join(model_dir, STATE_FILE), state)
    module = _serving_module(model, recipe.serving_transform(state), recipe.CLASS_NAMES)
    path = os.path.join(model_dir, SERVING_DIR)
    tf.saved_model.save(module, path, signatures={SIGNATURE: module.serve.get_concrete_function()})
    return path


def _serving_module(model: keras.Model, transform: tf.Module, class_names: tuple[str, ...]) -> tf.Module:
    import tensorflow as tf

    class ServingModel(tf.Module):
        def __init__(self) -> None:
            super().__init__(name="serving")
            self.model = model
            # Every Keras variable, tracked explicitly: a random layer's seed state (Monte-Carlo
            # dropout) is not reached through the model's attributes by TensorFlow's tracking.
            self.model_variables = list(model.variables)
            self.transform = transform
            self.class_names = tf.constant(list(class_names))
            self.serve = tf.function(self._serve, input_signature=[transform.input_spec])

        def _serve(self, raw: tf.Tensor) -> dict[str, tf.Tensor]:
            proba = tf.cast(self.model(self.transform(raw), training=False), tf.float32)
            if proba.shape[-1] == 1:
                positive = proba[:, 0]
                proba = tf.stack([1.0 - positive, positive], axis=1)
                class_id = tf.cast(positive > 0.5, tf.int64)
            else:
                class_id = tf.argmax(proba, axis=1)
            return {"probabilities": proba, "class_id": class_id, "class_name": tf.gather(self.class_names, class_id)}

    return ServingModel()


def load_signature(saved_model_dir: str) -> Any:
    """The ``serving_default`` function of a SavedModel (kept alive with its loaded object)."""
    import tensorflow as tf

    loaded = tf.saved_model.load(saved_model_dir)
    fn = loaded.signatures[SIGNATURE]
    fn._loaded = loaded  # the signature's variables live as long as the object it came from
    return fn


def input_name(signature: Any) -> str:
    """The signature's one input."""
    [name] = signature.structured_input_signature[1].keys()
    return name


def feed(column: Column) -> np.ndarray:
    """A table column as the signature takes it: a uint8 ragged column is one string per row."""
    if isinstance(column, Ragged):
        data, s = column.values.tobytes(), column.row_splits
        return np.array([data[s[i] : s[i + 1]] for i in range(len(column))], dtype=object)
    return column


def predict(signature: Any, records: np.ndarray, batch_size: int = BATCH_SIZE) -> dict[str, np.ndarray]:
    """Every output of the signature for ``records``, in batches."""
    import tensorflow as tf

    name, spec = input_name(signature), next(iter(signature.structured_input_signature[1].values()))
    parts: dict[str, list[np.ndarray]] = {k: [] for k in OUTPUTS}
    for start in range(0, len(records), batch_size):
        out = signature(**{name: tf.constant(records[start : start + batch_size], dtype=spec.dtype)})
        for k in OUTPUTS:
            parts[k].append(out[k].numpy())
    if not len(records):
        return {k: np.zeros((0,)) for k in OUTPUTS}
    return {k: np.concatenate(v) for k, v in parts.items()}
