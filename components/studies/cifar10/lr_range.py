"""The learning-rate range test the seed used to choose ``max_lr``.

A fresh model is trained with plain SGD while the rate rises linearly from
``min_lr`` to ``max_lr`` over the whole test; the loss of every batch is
recorded against its rate. The suggested ``max_lr`` is where the smoothed loss
is lowest: beyond it, larger steps stop helping (the seed read the same point
off its accuracy curve by eye).
"""

from __future__ import annotations

import math

import keras
import numpy as np

from components.studies.cifar10.inputs import batches
from components.studies.cifar10.models import compiled_cnn

HISTORY_PREFIX = "lr_range_test_"


def smoothed(values: np.ndarray, beta: float = 0.9) -> np.ndarray:
    """Bias-corrected exponential moving average: per-batch losses are noisy."""
    out, average = np.empty(len(values)), 0.0
    for i, value in enumerate(values):
        average = beta * average + (1 - beta) * value
        out[i] = average / (1 - beta ** (i + 1))
    return out


def suggest_max_lr(lrs: np.ndarray, losses: np.ndarray) -> float:
    """The rate at the minimum of the smoothed loss (non-finite losses ignored)."""
    finite = np.isfinite(losses)
    if not finite.any():
        return float(lrs[0])
    curve = smoothed(losses[finite])
    return float(lrs[finite][int(np.argmin(curve))])


def lr_range_test(
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    epochs: int,
    min_lr: float = 0.001,
    max_lr: float = 0.1,
    seed: int = 0,
) -> dict:
    """Per batch: the rate and the loss; plus the suggested ``max_lr``. Stops
    early if the loss stops being finite (the rate is then far too high)."""
    model = compiled_cnn("sgd", min_lr)
    data = batches(images, labels, batch_size, augment=True, seed=seed, epochs=range(epochs))
    total = epochs * math.ceil(len(labels) / batch_size)
    lrs: list[float] = []
    losses: list[float] = []
    for x, y in data:
        lr = min_lr + (max_lr - min_lr) * len(lrs) / max(total - 1, 1)
        model.optimizer.learning_rate.assign(lr)
        loss = float(model.train_on_batch(x, y, return_dict=True)["loss"])
        lrs.append(lr)
        losses.append(loss)
        if not math.isfinite(loss):
            break
    return {"lr": lrs, "loss": losses, "suggested_max_lr": suggest_max_lr(np.array(lrs), np.array(losses))}


class RecordInHistory(keras.callbacks.Callback):
    """Adds the range test's curve to the training history when training ends,
    as ``lr_range_test_lr``, ``lr_range_test_loss`` and
    ``lr_range_test_suggested_max_lr`` (lists of floats, which is what the
    generic train step can store)."""

    def __init__(self, result: dict):
        super().__init__()
        self.result = result

    def on_train_end(self, logs=None):
        history = self.model.history.history
        history[HISTORY_PREFIX + "lr"] = list(self.result["lr"])
        history[HISTORY_PREFIX + "loss"] = list(self.result["loss"])
        history[HISTORY_PREFIX + "suggested_max_lr"] = [self.result["suggested_max_lr"]]
