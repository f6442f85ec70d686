"""amazon's preprocessing in the serving graph: review text to padded token ids.

The same steps as :func:`components.studies.amazon.text.tokenize` and
:func:`~components.studies.amazon.text.token_ids`: Python's lowercase, ASCII
punctuation deleted, split where ``str.split`` splits (the whitespace class
comes from Python, ``components.text_graph``), the first ``sequence_length``
tokens looked up (out-of-vocabulary 1), an empty review as one
out-of-vocabulary id, padded with 0.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from components import text_graph
from components.studies.amazon import text

if TYPE_CHECKING:
    import tensorflow as tf

INPUT = "text"


def tokenize(texts: tf.Tensor) -> tf.RaggedTensor:
    """``text.tokenize`` of each string of a 1-D tensor."""
    import tensorflow as tf

    punctuation = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in string.punctuation) + "]"
    words = tf.strings.regex_replace(text_graph.lower(texts), punctuation, "")
    return tf.strings.split(tf.strings.regex_replace(words, f"[{text_graph.whitespace_class()}]+", " "))


def transform(state: dict[str, Any]):
    import tensorflow as tf

    vocabulary = [str(token) for token in state["vocabulary"]]
    length = int(state["sequence_length"])

    class AmazonTransform(tf.Module):
        input_spec = tf.TensorSpec([None], tf.string, name=INPUT)

        def __init__(self) -> None:
            super().__init__(name="amazon_transform")
            keys = tf.constant(vocabulary or [""], tf.string)
            ids = tf.range(text.FIRST_WORD, text.FIRST_WORD + len(vocabulary), dtype=tf.int64)
            values = ids if vocabulary else tf.constant([text.OUT_OF_VOCABULARY], tf.int64)
            initializer = tf.lookup.KeyValueTensorInitializer(keys, values)
            self.ids = tf.lookup.StaticHashTable(initializer, text.OUT_OF_VOCABULARY)

        def __call__(self, texts: tf.Tensor) -> tf.Tensor:
            ids = tf.ragged.map_flat_values(self.ids.lookup, tokenize(texts))[:, :length]
            padded = ids.to_tensor(default_value=text.PADDING, shape=[None, length])
            first = tf.where(ids.row_lengths() == 0, tf.constant(text.OUT_OF_VOCABULARY, tf.int64), padded[:, 0])
            return tf.cast(tf.concat([first[:, None], padded[:, 1:]], axis=1), tf.int32)

    return AmazonTransform()
