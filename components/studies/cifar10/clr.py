"""The triangular cyclic learning rate (Smith 2017, arXiv:1506.01186) as a Keras callback.

The rate climbs linearly from ``base_lr`` to ``max_lr`` over ``step_size``
batches, falls back over as many, and repeats. It is set before every batch,
so it works with any optimizer (the seed cycled SGD, RMSprop, Adagrad,
Adadelta and Adam alike).
"""

from __future__ import annotations

import math

import keras


def triangular_lr(iteration: int, base_lr: float, max_lr: float, step_size: int) -> float:
    """The rate at ``iteration`` (batches since training began)."""
    cycle = math.floor(1 + iteration / (2 * step_size))
    x = abs(iteration / step_size - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * max(0.0, 1.0 - x)


class CyclicLR(keras.callbacks.Callback):
    """Set the optimizer's rate to ``triangular_lr`` before each batch and log
    the rate in use at the end of each epoch (``learning_rate`` in the history)."""

    def __init__(self, base_lr: float, max_lr: float, step_size: int):
        super().__init__()
        self.base_lr, self.max_lr, self.step_size = base_lr, max_lr, step_size
        self.iteration = 0

    def on_epoch_begin(self, epoch, logs=None):
        # From the epoch, not from zero: a fit resumed from a checkpoint
        # (initial_epoch > 0) continues the cycle where the lost run was.
        self.iteration = epoch * self.params["steps"]

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate.assign(
            triangular_lr(self.iteration, self.base_lr, self.max_lr, self.step_size)
        )

    def on_train_batch_end(self, batch, logs=None):
        self.iteration += 1

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate.numpy())
