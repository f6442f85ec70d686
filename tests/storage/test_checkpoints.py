"""Epoch checkpoints round-trip through every storage backend, optimizer state included."""

import numpy as np

from components.checkpoints import EpochCheckpoint


def _model():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def test_checkpoint_restores_model_optimizer_and_history(store):
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    checkpoint = EpochCheckpoint(store.uri("ckpt"))
    assert checkpoint.restore() == (None, 0, {})

    model = _model()
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[checkpoint.callback({}, "float32")])
    restored, epochs, history = checkpoint.restore()
    assert epochs == 3 and len(history["loss"]) == 3
    assert int(restored.optimizer.iterations) == int(model.optimizer.iterations) == 12
    for mine, theirs in zip(model.get_weights(), restored.get_weights(), strict=False):
        np.testing.assert_array_equal(mine, theirs)

    restored.fit(
        x,
        y,
        epochs=4,
        initial_epoch=epochs,
        batch_size=8,
        verbose=0,
        callbacks=[checkpoint.callback(history, "float32")],
    )
    assert checkpoint.restore()[1] == 4 and len(checkpoint.restore()[2]["loss"]) == 4
