"""The amazon study's hooks for the generic steps (the contract: components/studies/recipe.py)."""

from __future__ import annotations

import numpy as np

from components import tables
from components.baselines import text_baselines
from components.row_batches import row_batches
from components.studies.amazon import AmazonParams, sources, text
from components.studies.amazon.variants import parse_variant
from components.studies.recipe import Recipe, TrainingExtras
from components.tables import Table
from components.vocabulary import Corpus, fit_vocabulary, intern_tokens


class AmazonRecipe(Recipe[AmazonParams, Corpus]):
    """Token ids of the training vocabulary, padded per batch, into a recurrent classifier."""

    CLASS_NAMES = ("negative", "positive")
    EXAMPLE_TEXT = "text"

    def read(self, path: str) -> Table:
        return sources.read(path)

    def prepare(self, table: Table) -> Corpus:
        """Every review tokenised once, as ids into a lexicon (imdb's shape, amazon's tokenizer)."""
        tokens, lexicon = intern_tokens(map(text.tokenize, tables.ragged(table, "text").to_strings()))
        return Corpus(tokens, lexicon, tables.array(table, "label"))

    def fit(self, prepared: Corpus, train_rows: np.ndarray, params: AmazonParams) -> dict:
        """The vocabulary (``max_tokens`` minus the padding and OOV ids) and the
        sequence length, both from the training rows only."""
        vocabulary = fit_vocabulary(prepared.tokens, prepared.lexicon, train_rows, params.max_tokens - text.FIRST_WORD)
        length = params.sequence_length or text.sequence_length(prepared.tokens.lengths()[train_rows])
        return {"vocabulary": vocabulary, "sequence_length": length}

    def encode(self, prepared: Corpus, rows: np.ndarray, state: dict) -> Table:
        ids = text.token_ids(
            prepared.tokens.take(rows), prepared.lexicon, state["vocabulary"], int(state["sequence_length"])
        )
        return {"tokens": ids, "label": prepared.label[rows].astype(np.float32)}

    def dataset(self, table: Table, state: dict, batch_size: int, shuffle: bool, seed: int, epochs: range = range(1)):
        """Batches of int32 token ids padded with 0 to the sequence length. Ids
        (not float32) because they index the embedding; padding per batch keeps
        the stored tables ragged. Rows are gathered by row number (``components.row_batches``)."""
        import tensorflow as tf

        ids = tables.ragged(table, "tokens")
        length = int(state["sequence_length"])
        rows = tf.RaggedTensor.from_row_splits(ids.values, ids.row_splits)
        labels = tf.constant(table["label"])

        def pad(idx):
            batch = tf.gather(rows, idx).to_tensor(default_value=text.PADDING, shape=[None, length])
            return batch, tf.gather(labels, idx)

        return (
            row_batches(len(table["label"]), batch_size, shuffle, seed, epochs)
            .map(pad, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE)
        )

    def build_model(self, state: dict, params: AmazonParams, variant: str):
        from components.studies.amazon.models import recurrent_classifier

        spec = parse_variant(variant)
        return recurrent_classifier(
            spec,
            len(state["vocabulary"]) + text.FIRST_WORD,
            int(state["sequence_length"]),
            spec.learning_rate or params.learning_rate,
            params.batchnorm_momentum,
            name=variant,
        )

    def training_extras(self, train: Table, params: AmazonParams) -> TrainingExtras:
        """The seed's ReduceLROnPlateau on the validation loss (training loss where a fit has no validation data)."""
        from components.studies.amazon.schedule import PlateauSchedule

        return {"callbacks": [PlateauSchedule(params.plateau_factor, params.plateau_patience)]}

    def baselines(self, prepared: Corpus, train_rows: np.ndarray, test_rows: np.ndarray) -> dict:
        """TF-IDF + logistic regression on the same rows."""
        return text_baselines(prepared, train_rows, test_rows)


RECIPE = AmazonRecipe()
