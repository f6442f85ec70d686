"""The seed notebooks' way of feeding Keras, reimplemented in plain Keras.

Each function turns the same model-ready training table our path trains on
into what the notebook handed to ``model.fit``, the way the notebook built
it. The network, batch size, callbacks and class weights are the study's
own (``recipe.build_model`` / ``training_extras``): the architecture is not
what is compared, so building it twice would only risk comparing two
different networks. What differs is the data path:

- imdb: ``vectorize_sequences`` into a dense float64 (rows x 10,000) matrix;
- mirai: ``X.astype(float)``, a float64 matrix, to ``model.fit``;
- cifar10: ``ImageDataGenerator(samplewise_center, samplewise_std_normalization,
  horizontal_flip).flow(x, one_hot_y, batch_size)`` (per-image work in numpy);
- digits: ``np.array`` of the trajectories (float64), time-reversed copies
  appended, to ``model.fit``;
- amazon: ``TextVectorization`` output, an eager int64 (rows x sequence
  length) tensor padded with 0, to ``model.fit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class SeedFeed:
    """What the notebook passed to ``model.fit``: ``x``, ``y`` (None with a
    generator), ``batch_size`` (None with a generator) and the samples per epoch."""

    x: Any
    y: Any
    batch_size: int | None
    samples: int


def vectorize_sequences(sequences, dimension: int) -> np.ndarray:
    """The imdb notebook's encoder, verbatim in effect: float64 zeros, 1 where a word occurs."""
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


def imdb(train: dict, state: dict, batch_size: int) -> SeedFeed:
    columns = train["columns"]
    x = vectorize_sequences([columns[i] for i in range(len(columns))], int(state["num_words"]))
    return SeedFeed(x, np.asarray(train["label"]).astype("float32"), batch_size, len(x))


def mirai(train: dict, state: dict, batch_size: int) -> SeedFeed:
    x = train["features"].astype(float)
    return SeedFeed(x, train["label"].astype(int), batch_size, len(x))


def cifar10(train: dict, state: dict, batch_size: int) -> SeedFeed:
    import keras
    import tensorflow as tf

    data = tf.keras.preprocessing.image.ImageDataGenerator(
        samplewise_center=True, samplewise_std_normalization=True, horizontal_flip=True
    )
    images = train["image"]
    data.fit(images)
    y = keras.utils.to_categorical(train["label"], 10)
    return SeedFeed(data.flow(images, y, batch_size=batch_size), None, None, len(images))


def digits(train: dict, state: dict, batch_size: int) -> SeedFeed:
    x = np.array(train["xy"].tolist())  # the notebook's np.array(dataset.train_data): float64
    y = np.array(train["label"].tolist())
    if state["reverse_augment"]:
        x, y = np.concatenate([x, x[:, ::-1]]), np.concatenate([y, y])
    return SeedFeed(x, y, batch_size, len(x))


def amazon(train: dict, state: dict, batch_size: int) -> SeedFeed:
    import tensorflow as tf

    ids = train["tokens"]
    x = np.zeros((len(ids), int(state["sequence_length"])), np.int64)
    for i in range(len(ids)):
        row = ids[i][: x.shape[1]]
        x[i, : len(row)] = row
    return SeedFeed(tf.convert_to_tensor(x), tf.convert_to_tensor(train["label"]), batch_size, len(x))


# One per study; tests/contract/test_study_contract.py fails for a study without one.
FEEDS = {"imdb": imdb, "mirai": mirai, "cifar10": cifar10, "digits": digits, "amazon": amazon}
