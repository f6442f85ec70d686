"""The files one step leaves for the next: the fitted transform state and the model folder.

Several steps read what another wrote (evaluate reads preprocess's state and
train's model; train reads preprocess's state), so the file names and
formats live here rather than in the step that happens to write them. Light
to import: Keras is loaded only to read a model back.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from components.files import atomic_write

if TYPE_CHECKING:
    import keras

MODEL_FILE = "model.keras"


def save_state(path: str, state: dict[str, Any]) -> None:
    """Write the state JSON atomically, so a reader never sees half of it."""
    atomic_write(path, lambda f: f.write(json.dumps(state).encode("utf-8")))


def load_state(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save_model(model: keras.Model, model_dir: str) -> None:
    """``model.keras`` for Keras users (the serving SavedModel, with the preprocessing
    inside, is ``components.serving``'s)."""
    os.makedirs(model_dir, exist_ok=True)
    model.save(os.path.join(model_dir, MODEL_FILE))


def load_model(model_dir: str) -> keras.Model:
    """The model ``save_model`` wrote, from its ``model.keras``."""
    import keras

    return keras.models.load_model(os.path.join(model_dir, MODEL_FILE))
