"""The Keras builder for every recurrent network of the digits study."""

from __future__ import annotations

import keras

from components.studies.digits.variants import RecurrentVariant

_CELLS = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}


def recurrent_classifier(variant: RecurrentVariant, points: int, classes: int) -> keras.Model:
    """(points, 2) pen trajectory -> stacked GRU/LSTM layers (each optionally
    bidirectional and followed by Dropout) -> Dense ReLU -> softmax over digits."""
    inputs = keras.Input(shape=(points, 2), dtype="float32", name="trajectory")
    x = inputs
    last = len(variant.units) - 1
    for i, (units, rate) in enumerate(zip(variant.units, variant.dropout, strict=False)):
        layer = _CELLS[variant.cell](
            units, return_sequences=i < last, dropout=variant.cell_dropout, recurrent_dropout=variant.recurrent_dropout
        )
        x = keras.layers.Bidirectional(layer)(x) if variant.bidirectional else layer(x)
        if rate:
            x = keras.layers.Dropout(rate)(x)
    x = keras.layers.Dense(variant.dense, activation="relu")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", dtype="float32", name="digit")(x)
    model = keras.Model(inputs, outputs, name=variant.seed_name)
    model.compile(
        optimizer=keras.optimizers.Nadam(learning_rate=variant.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
