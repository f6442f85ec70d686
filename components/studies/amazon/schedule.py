"""The seed's learning-rate schedule: halve the rate when the validation loss stalls.

Not every fit has validation data: cross-validation folds and a final fit
with ``fit_on_validation`` train on everything they are given. There the
schedule watches the training loss instead of warning every epoch and doing
nothing, so those fits still slow down when training stalls.
"""

from __future__ import annotations

import logging

import keras

log = logging.getLogger(__name__)


class PlateauSchedule(keras.callbacks.ReduceLROnPlateau):
    monitor: str  # set by the base class; switched to "loss" in fits without validation data

    def __init__(self, factor: float, patience: int):
        super().__init__(monitor="val_loss", mode="min", factor=factor, patience=patience, verbose=1)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None and self.monitor not in logs and "loss" in logs:
            log.info(
                "no %s in this fit (no validation data): the learning rate follows the training loss", self.monitor
            )
            self.monitor = "loss"
        super().on_epoch_end(epoch, logs)
