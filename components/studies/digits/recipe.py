"""The digits study's hooks for the generic steps (the contract: components/studies/recipe.py).

Where each preprocessing step happens, and why:
- ``prepare`` centres, scales and de-duplicates every trajectory once: these
  need no parameters and nothing fitted.
- ``encode`` resamples to ``points`` (a parameter, so it travels in the state).
- ``dataset`` adds the time-reversed copies, and only for training input:
  ``shuffle=True`` is how the generic steps ask for a training dataset
  (validation, held-out folds and the test set are read with
  ``shuffle=False``), and the state records whether augmentation is on.
  Augmenting after the rows are chosen keeps a writer's samples and their
  reversed copies in the same CV fold by construction, and every model input
  row stays a real sample for evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from components import tables
from components.row_batches import row_batches
from components.statistics import NumericColumns, matrix_columns, ragged_lengths
from components.studies.digits import DigitsParams, sources, trajectory
from components.studies.digits.traces import LABELS
from components.studies.digits.variants import parse_variant
from components.studies.recipe import Recipe
from components.tables import Ragged, Table


@dataclass
class Prepared:
    """Every sample centred, at unit distance and without repeated points (float64), plus labels."""

    xy: Ragged
    label: np.ndarray


class DigitsRecipe(Recipe[DigitsParams, Prepared]):
    """Pen trajectories resampled to ``points`` into a recurrent classifier. No
    ``training_extras``: the seed trained with plain ``fit``, and the digits are balanced."""

    CLASS_NAMES = LABELS

    def read(self, path: str) -> Table:
        return sources.read(path)

    def profile(self, table: Table) -> list[NumericColumns]:
        """Points per trajectory and the raw pen coordinates (writers are counted as groups)."""
        xy = tables.ragged(table, "xy")
        return [ragged_lengths("points", xy), matrix_columns("xy_", xy.values)]

    def prepare(self, table: Table) -> Prepared:
        xy = tables.ragged(table, "xy")
        cleaned = Ragged.from_rows((trajectory.clean(xy[i]) for i in range(len(xy))), np.float64)
        return Prepared(cleaned, tables.array(table, "label"))

    def fit(self, prepared: Prepared, train_rows: np.ndarray, params: DigitsParams) -> dict:
        """Nothing is learnt from data; the state carries the settings every later step needs."""
        return {"points": params.points, "reverse_augment": params.reverse_augment}

    def encode(self, prepared: Prepared, rows: np.ndarray, state: dict) -> Table:
        points = int(state["points"])
        xy = np.zeros((len(rows), points, 2), np.float32)
        for out, row in enumerate(rows):
            xy[out] = trajectory.resample(prepared.xy[row], points)
        return {"xy": xy, "label": prepared.label[rows].astype(np.int32)}

    def dataset(self, table: Table, state: dict, batch_size: int, shuffle: bool, seed: int, epochs: range = range(1)):
        """Batches of ``(points, 2)`` float32 trajectories and integer labels, gathered
        by row number (``components.row_batches``); training input (``shuffle``)
        also gets every trajectory reversed in time."""
        import tensorflow as tf

        xy, label = tables.array(table, "xy").astype(np.float32), tables.array(table, "label").astype(np.int32)
        if shuffle and state["reverse_augment"]:
            xy, label = np.concatenate([xy, trajectory.reverse_time(xy)]), np.concatenate([label, label])
        xy_t, label_t = tf.constant(xy), tf.constant(label)
        return (
            row_batches(len(label), batch_size, shuffle, seed, epochs)
            .map(lambda idx: (tf.gather(xy_t, idx), tf.gather(label_t, idx)), num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE)
        )

    def serving_inputs(self, raw: Table, prepared: Prepared, rows: np.ndarray, state: dict) -> np.ndarray:
        """The trajectories cleaned and resampled (``encode``): the spline stays in
        Python (docs/studies/digits.md says why)."""
        return tables.array(self.encode(prepared, rows, state), "xy")

    def serving_transform(self, state: dict):
        """Nothing: the signature takes the resampled ``[points, 2]`` trajectory named ``xy``."""
        import tensorflow as tf

        class DigitsTransform(tf.Module):
            input_spec = tf.TensorSpec([None, int(state["points"]), 2], tf.float32, name="xy")

            def __call__(self, xy: tf.Tensor) -> tf.Tensor:
                return xy

        return DigitsTransform(name="digits_transform")

    def build_model(self, state: dict, params: DigitsParams, variant: str):
        from components.studies.digits.models import recurrent_classifier

        return recurrent_classifier(parse_variant(variant), int(state["points"]), len(self.CLASS_NAMES))

    def draw_example(self, ax, table: Table, row: int) -> None:
        """One resampled trajectory, its start marked, for the report's misclassified grid."""
        xy = table["xy"][row]
        ax.plot(xy[:, 0], xy[:, 1], "-", lw=1.5)
        ax.plot(xy[0, 0], xy[0, 1], "o", ms=3)
        ax.set_aspect("equal")


RECIPE = DigitsRecipe()
