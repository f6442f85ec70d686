"""The imdb study's hooks for the generic steps (see components/steps)."""
from __future__ import annotations

import numpy as np

from components.baselines import text_baselines
from components.studies.imdb import ImdbParams, sources, text
from components.studies.imdb.variants import parse_variant
from components.tables import Ragged, Table
from components.vocabulary import Corpus, fit_vocabulary, intern_tokens

CLASS_NAMES = ("negative", "positive")
read = sources.read
baselines = text_baselines  # TF-IDF + logistic regression on the same rows


def prepare(table: Table) -> Corpus:
    if "text" in table:
        tokens, lexicon = intern_tokens(map(text.tokenize, table["text"].to_strings()))
    else:
        # Keras word ids: drop the padding/start/OOV markers, keep real words as tokens.
        ids = table["tokens"]
        tokens, lexicon = intern_tokens(
            (int(i) for i in ids[r] if i >= sources.FIRST_WORD_INDEX) for r in range(len(ids))
        )
    return Corpus(tokens, lexicon, table["label"])


def fit(prepared: Corpus, train_rows: np.ndarray, params: ImdbParams) -> dict:
    """The vocabulary: the ``num_words`` most frequent tokens of the training rows."""
    vocabulary = fit_vocabulary(prepared.tokens, prepared.lexicon, train_rows, params.num_words)
    return {"vocabulary": vocabulary, "num_words": params.num_words}


def encode(prepared: Corpus, rows: np.ndarray, state: dict) -> Table:
    tokens = prepared.tokens.take(rows)
    return {
        "columns": text.multi_hot_columns(tokens, prepared.lexicon, state["vocabulary"]),
        "label": prepared.label[rows].astype(np.float32),
    }


def dataset(table: Table, state: dict, batch_size: int, shuffle: bool, seed: int):
    """Batches of dense float32 multi-hot rows, built per batch from the sparse columns."""
    import tensorflow as tf

    columns = table["columns"]
    ragged = tf.RaggedTensor.from_row_splits(columns.values, columns.row_splits)
    width = int(state["num_words"])
    ds = tf.data.Dataset.from_tensor_slices((ragged, table["label"]))
    if shuffle:
        ds = ds.shuffle(len(table["label"]), seed=seed, reshuffle_each_iteration=True)

    def to_multi_hot(cols, labels):
        indices = tf.stack([cols.value_rowids(), tf.cast(cols.values, tf.int64)], axis=1)
        dense = tf.scatter_nd(indices, tf.ones_like(cols.values, tf.float32), [tf.shape(labels, tf.int64)[0], width])
        return tf.minimum(dense, 1.0), labels

    return ds.batch(batch_size).map(to_multi_hot, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def build_model(state: dict, params: ImdbParams, variant: str):
    from components.studies.imdb.models import dense_classifier

    return dense_classifier(parse_variant(variant), int(state["num_words"]), params.learning_rate)


def training_extras(train: Table, params: ImdbParams) -> dict:
    """No callbacks or class weights: the seed trained with plain ``fit``."""
    return {}
