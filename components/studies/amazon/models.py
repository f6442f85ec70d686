"""Keras builder for the amazon study's recurrent networks."""

from __future__ import annotations

import keras

from components.studies.amazon.variants import RecurrentVariant

CELLS = {"rnn": keras.layers.SimpleRNN, "gru": keras.layers.GRU, "lstm": keras.layers.LSTM}


def recurrent_classifier(
    variant: RecurrentVariant,
    vocabulary_size: int,
    sequence_length: int,
    learning_rate: float,
    batchnorm_momentum: float,
    name: str,
) -> keras.Model:
    """Token ids -> Embedding (0 masked) -> recurrent layer(s), each followed by
    BatchNorm -> ReLU dense layers with BatchNorm -> sigmoid, as the seed built them."""

    def normalize(x):
        return keras.layers.BatchNormalization(momentum=batchnorm_momentum)(x)

    inputs = keras.Input(shape=(sequence_length,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocabulary_size, variant.embedding, mask_zero=True)(inputs)
    if variant.normalize_embedding:
        x = normalize(x)
    for i, units in enumerate(variant.recurrent):
        layer = CELLS[variant.cell](units, return_sequences=i < len(variant.recurrent) - 1)
        x = keras.layers.Bidirectional(layer)(x) if variant.bidirectional else layer(x)
        x = normalize(x)
    for units in variant.dense:
        x = keras.layers.Dense(units, activation="relu")(x)
        x = normalize(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", dtype="float32", name="positive")(x)
    model = keras.Model(inputs, outputs, name="amazon_" + name.replace("-", "_"))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model
