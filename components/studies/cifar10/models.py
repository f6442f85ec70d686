"""The seed's CNN for cifar10 and the optimizers it was compared under."""

from __future__ import annotations

import keras

OPTIMIZER_CLASSES = {
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
    "adagrad": keras.optimizers.Adagrad,
    "adadelta": keras.optimizers.Adadelta,
    "adam": keras.optimizers.Adam,
}


def cifar_cnn() -> keras.Model:
    """Two blocks of two 3x3 'same' ReLU convolutions (32 then 64 filters), each
    block max-pooled and dropped out by 0.25, then Dense(512) with dropout 0.5
    and a float32 softmax over the 10 classes: 2,168,362 parameters.

    Every convolution pads 'same', as in the seed's code: that is what its
    8x8x64 flattening and its parameter count need."""
    inputs = keras.Input(shape=(32, 32, 3), dtype="float32", name="image")
    x = inputs
    for block, filters in enumerate((32, 64), start=1):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv1")(x)
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv2")(x)
        x = keras.layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
        x = keras.layers.Dropout(0.25, name=f"block{block}_dropout")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(512, activation="relu", name="dense")(x)
    x = keras.layers.Dropout(0.5, name="dense_dropout")(x)
    outputs = keras.layers.Dense(10, activation="softmax", dtype="float32", name="classes")(x)
    return keras.Model(inputs, outputs, name="cifar10_cnn")


def compiled_cnn(optimizer: str, learning_rate: float) -> keras.Model:
    """A new CNN (fresh weights on every call) with ``optimizer`` at ``learning_rate``
    and categorical cross-entropy; a cyclic-rate callback then drives the rate."""
    model = cifar_cnn()
    model.compile(
        optimizer=OPTIMIZER_CLASSES[optimizer](learning_rate=learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
