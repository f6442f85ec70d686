"""Keras builders for the imdb study's dense networks."""

from __future__ import annotations

import keras

from components.studies.imdb.variants import DenseVariant


def dense_classifier(variant: DenseVariant, input_dim: int, learning_rate: float) -> keras.Model:
    """Multi-hot vector -> ReLU dense layers (optionally regularised, dropped out) -> sigmoid."""
    regularizer = None
    if variant.l1 or variant.l2:
        regularizer = keras.regularizers.L1L2(l1=variant.l1, l2=variant.l2)
    inputs = keras.Input(shape=(input_dim,), dtype="float32", name="multi_hot")
    x = inputs
    for units in variant.hidden:
        x = keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer)(x)
        if variant.dropout:
            x = keras.layers.Dropout(variant.dropout)(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", dtype="float32", name="positive")(x)
    model = keras.Model(inputs, outputs, name="imdb_dense")
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model
