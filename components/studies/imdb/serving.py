"""imdb's preprocessing in the serving graph: review text to the multi-hot row.

The same steps as :func:`components.studies.imdb.text.tokenize` and
:func:`~components.studies.imdb.text.multi_hot_columns`, with the character
classes taken from the Python regular expressions themselves
(``components.text_graph``), so both paths split text at the same characters.
A model trained on Keras' ``imdb.npz`` (word ids, no text) takes each review
as its word ids written in decimal, separated by spaces: its vocabulary is
those ids.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from components import text_graph
from components.studies.imdb import text

if TYPE_CHECKING:
    import tensorflow as tf

INPUT = "text"


def _is_space(char: str) -> bool:
    return re.fullmatch(r"\s", char) is not None


def _is_word(char: str) -> bool:
    return text.WORD.fullmatch(char) is not None


def tokenize(texts: tf.Tensor) -> tf.RaggedTensor:
    """``text.tokenize`` of each string of a 1-D tensor."""
    import tensorflow as tf

    br = f"<br[{text_graph.python_class(_is_space)}]*/?>"
    not_word = f"[^{text_graph.python_class(_is_word)}]+"
    apostrophes = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in text.APOSTROPHES) + "]"
    words = tf.strings.regex_replace(text_graph.lower(texts), br, " ")
    words = tf.strings.regex_replace(words, apostrophes, "")
    return tf.strings.split(tf.strings.regex_replace(words, not_word, " "))


def transform(state: dict[str, Any]):
    import tensorflow as tf

    vocabulary = [str(token) for token in state["vocabulary"]]
    width = int(state["num_words"])

    class ImdbTransform(tf.Module):
        input_spec = tf.TensorSpec([None], tf.string, name=INPUT)

        def __init__(self) -> None:
            super().__init__(name="imdb_transform")
            keys = tf.constant(vocabulary or [""], tf.string)
            values = tf.range(tf.size(keys), dtype=tf.int64) if vocabulary else tf.constant([-1], tf.int64)
            self.columns = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(keys, values), -1)

        def __call__(self, texts: tf.Tensor) -> tf.Tensor:
            columns = tf.ragged.map_flat_values(self.columns.lookup, tokenize(texts))
            rows, cols = columns.value_rowids(), columns.flat_values
            keep = cols >= 0
            indices = tf.stack([tf.boolean_mask(rows, keep), tf.boolean_mask(cols, keep)], axis=1)
            dense = tf.scatter_nd(
                indices, tf.ones_like(indices[:, 0], tf.float32), tf.stack([tf.shape(texts, tf.int64)[0], width])
            )
            return tf.minimum(dense, 1.0)

    return ImdbTransform()
