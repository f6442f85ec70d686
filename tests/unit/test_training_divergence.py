"""A loss that stops being a number ends the fit with an error naming the epoch (components.training.StopOnNaN)."""

import keras
import numpy as np
import pytest

from components.training import DivergedError, StopOnNaN


def test_a_loss_that_becomes_nan_stops_training_naming_the_epoch():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e30), loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32") * 1e3
    y = x.sum(axis=1, keepdims=True)
    seen = []
    epochs = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    with pytest.raises(
        DivergedError, match=r"the training loss became (nan|inf) at epoch 1, batch \d+; training stopped"
    ):
        model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[StopOnNaN(), epochs])
    assert seen == [], "no epoch ended (so no checkpoint saved a diverged model)"


def test_a_finite_loss_trains_every_epoch():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-3), loss="mse")
    x = np.ones((16, 4), "float32")
    history = model.fit(x, x.sum(axis=1), epochs=3, verbose=0, callbacks=[StopOnNaN()])
    assert len(history.history["loss"]) == 3
