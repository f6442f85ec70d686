"""Keras builders for the mirai study's dense networks (the seed's ``build_DNN``)."""

from __future__ import annotations

import keras

from components.studies.mirai.variants import DROPOUT_RATE, DnnVariant

_OPTIMIZERS = {
    "sgd": lambda rate: keras.optimizers.SGD(learning_rate=rate, momentum=0.9),
    "adam": lambda rate: keras.optimizers.Adam(learning_rate=rate),
}


@keras.saving.register_keras_serializable(package="mirai")
class MonteCarloDropout(keras.layers.Dropout):
    """Dropout that stays active at inference (Gal and Ghahramani, 2016), like
    the seed's ``myDropout``: repeated predictions differ, and their spread
    estimates the model's uncertainty."""

    def call(self, inputs, training=None):
        return super().call(inputs, training=True)


def build_dnn(
    input_dim: int,
    n_layers: int,
    n_nodes: int,
    activation: str = "sigmoid",
    optimizer: str = "sgd",
    learning_rate: float = 0.1,
    batch_norm: bool = False,
    dropout: bool = False,
    mc_dropout: bool = False,
) -> keras.Model:
    """``n_layers`` Dense(``n_nodes``, ``activation``) layers, each optionally
    followed by BatchNormalization and by Dropout 0.5 (or Monte-Carlo dropout),
    then Dense(1, sigmoid). SGD has momentum 0.9, as in the seed."""
    inputs = keras.Input(shape=(input_dim,), dtype="float32", name="features")
    x = inputs
    for _ in range(n_layers):
        x = keras.layers.Dense(n_nodes, activation=activation)(x)
        if batch_norm:
            x = keras.layers.BatchNormalization()(x)
        if mc_dropout:
            x = MonteCarloDropout(DROPOUT_RATE)(x)
        elif dropout:
            x = keras.layers.Dropout(DROPOUT_RATE)(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", dtype="float32", name="attack")(x)
    model = keras.Model(inputs, outputs, name="mirai_dnn")
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; expected one of {', '.join(_OPTIMIZERS)}")
    model.compile(optimizer=_OPTIMIZERS[optimizer](learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def dnn_for(variant: DnnVariant, input_dim: int, learning_rate: float) -> keras.Model:
    """The network a variant names; its own ``+lrR`` wins over ``learning_rate`` (the recipe resolves the
    rate first, TrainingParams.for_variant, and passes a variant without one)."""
    return build_dnn(
        input_dim,
        variant.n_layers,
        variant.n_nodes,
        variant.activation,
        variant.optimizer,
        variant.learning_rate or learning_rate,
        variant.batch_norm,
        variant.dropout,
        variant.mc_dropout,
    )


def has_mc_dropout(model: keras.Model) -> bool:
    return any(isinstance(layer, MonteCarloDropout) for layer in model.layers)
