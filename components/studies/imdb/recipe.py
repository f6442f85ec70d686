"""The imdb study's hooks for the generic steps (the contract: components/studies/recipe.py)."""

from __future__ import annotations

import numpy as np

from components import tables
from components.baselines import text_baselines
from components.row_batches import row_batches
from components.studies.imdb import ImdbParams, sources, text
from components.studies.imdb.variants import parse_variant
from components.studies.recipe import Recipe
from components.studies.text_data import TextDataChecks
from components.tables import Ragged, Table
from components.vocabulary import Corpus, fit_vocabulary, intern_tokens


class ImdbRecipe(TextDataChecks, Recipe[ImdbParams, Corpus]):
    """Multi-hot bags of the ``num_words`` most frequent training words into a
    dense classifier. No ``training_extras``: the seed trained with plain ``fit``."""

    CLASS_NAMES = ("negative", "positive")
    EXAMPLES_ARE_TEXT = True
    # Its widest op is a 64 x 10,000 by 10,000 x 16 product; on 2 cores the 25,000 reviews trained at
    # 17,750-21,540 samples/s split over both, 25,817-25,925 on one thread per op (docs/speed.md).
    OP_THREADS = 1

    def read(self, path: str) -> Table:
        return sources.read(path)

    def prepare(self, table: Table) -> Corpus:
        if "text" in table:
            tokens, lexicon = intern_tokens(map(text.tokenize, tables.ragged(table, "text").to_strings()))
        else:
            # Keras word ranks (1 = "the"; the file has no markers): every rank is a word.
            ids = tables.ragged(table, "tokens")
            tokens, lexicon = intern_tokens((int(i) for i in ids[r]) for r in range(len(ids)))
        return Corpus(tokens, lexicon, tables.array(table, "label"))

    def fit(self, prepared: Corpus, train_rows: np.ndarray, params: ImdbParams) -> dict:
        """The vocabulary: the ``num_words`` most frequent tokens of the training rows."""
        vocabulary = fit_vocabulary(prepared.tokens, prepared.lexicon, train_rows, params.num_words)
        return {"vocabulary": vocabulary, "num_words": params.num_words}

    def encode(self, prepared: Corpus, rows: np.ndarray, state: dict) -> Table:
        tokens = prepared.tokens.take(rows)
        return {
            "columns": text.multi_hot_columns(tokens, prepared.lexicon, state["vocabulary"]),
            "label": prepared.label[rows].astype(np.float32),
        }

    def dataset(self, table: Table, state: dict, batch_size: int, shuffle: bool, seed: int, epochs: range = range(1)):
        """Batches of dense float32 multi-hot rows, built per batch from the sparse
        columns of the batch's rows (gathered by row number, see ``components.row_batches``)."""
        import tensorflow as tf

        columns = tables.ragged(table, "columns")
        values, splits = tf.constant(columns.values, tf.int64), tf.constant(columns.row_splits, tf.int64)
        labels = tf.constant(table["label"])
        width = int(state["num_words"])

        def to_multi_hot(rows):
            starts = tf.gather(splits, rows)
            positions = tf.ragged.range(starts, tf.gather(splits, rows + 1))
            indices = tf.stack([positions.value_rowids(), tf.gather(values, positions.flat_values)], axis=1)
            dense = tf.scatter_nd(
                indices, tf.ones_like(indices[:, 0], tf.float32), [tf.shape(rows, tf.int64)[0], width]
            )
            return tf.minimum(dense, 1.0), tf.gather(labels, rows)

        return (
            row_batches(len(table["label"]), batch_size, shuffle, seed, epochs)
            .map(to_multi_hot, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE)
        )

    def build_model(self, state: dict, params: ImdbParams, variant: str):
        from components.studies.imdb.models import dense_classifier

        return dense_classifier(parse_variant(variant), int(state["num_words"]), params.learning_rate)

    def serving_inputs(self, raw: Table, prepared: Corpus, rows: np.ndarray, state: dict) -> Ragged:
        """The reviews' UTF-8 text; for a Keras ``imdb.npz`` source, their word ids in decimal."""
        if "text" in raw:
            return tables.ragged(raw, "text").take(rows)
        ids = tables.ragged(raw, "tokens").take(rows)
        return Ragged.from_strings(" ".join(map(str, ids[r])) for r in range(len(ids)))

    def serving_transform(self, state: dict):
        from components.studies.imdb.serving import transform

        return transform(state)

    def baselines(self, prepared: Corpus, train_rows: np.ndarray, test_rows: np.ndarray) -> dict:
        """TF-IDF + logistic regression on the same rows."""
        return text_baselines(prepared, train_rows, test_rows)


RECIPE = ImdbRecipe()
