"""Tokens, sequence length and integer ids for amazon, as Keras' TextVectorization
(``lower_and_strip_punctuation``, ``whitespace``, ``int``) would make them.

Tokenising is stateless and done once; the vocabulary is fitted on training
rows only with imdb's counting helpers (``intern_tokens``, ``fit_vocabulary``).
Ids follow Keras: 0 is padding, 1 out-of-vocabulary, then the vocabulary by
falling frequency. Rows are stored truncated but unpadded (ragged); padding to
the fixed sequence length happens per batch in ``tf.data``.
"""

from __future__ import annotations

import string

import numpy as np

from components.tables import Ragged

PADDING, OUT_OF_VOCABULARY, FIRST_WORD = 0, 1, 2
# Keras deletes (rather than replaces by a space) exactly these ASCII characters.
_DELETE_PUNCTUATION = str.maketrans("", "", string.punctuation)


def tokenize(text: str) -> list[str]:
    """Lowercase, delete ASCII punctuation, split on whitespace:
    "Didn't work.Returned!" -> ['didnt', 'workreturned']."""
    return text.lower().translate(_DELETE_PUNCTUATION).split()


def sequence_length(token_counts: np.ndarray) -> int:
    """The seed's rule, int(mean + 2 std) of the training reviews' token counts:
    long enough for all but the longest few percent of reviews."""
    return max(1, int(np.mean(token_counts) + 2 * np.std(token_counts)))


def token_ids(tokens: Ragged, lexicon: list, vocabulary: list, length: int) -> Ragged:
    """Each row's first ``length`` tokens as ids (Keras truncates at the end).

    A row with no tokens becomes one out-of-vocabulary id: a fully masked
    sequence is rejected by cuDNN's recurrent kernels on GPU."""
    id_of = {token: FIRST_WORD + i for i, token in enumerate(vocabulary)}
    lookup = np.array([id_of.get(token, OUT_OF_VOCABULARY) for token in lexicon], np.int32)
    lengths = tokens.lengths()
    starts = np.repeat(tokens.row_splits[:-1], lengths)
    keep = np.arange(len(tokens.values)) - starts < length
    kept = np.minimum(lengths, length)
    ids = lookup[tokens.values[keep]]
    empty = kept == 0
    if empty.any():
        # An empty row starts where the tokens of the rows before it end.
        ids = np.insert(ids, np.cumsum(kept)[empty], OUT_OF_VOCABULARY)
        kept = np.where(empty, 1, kept)
    splits = np.zeros(len(tokens) + 1, np.int64)
    np.cumsum(kept, out=splits[1:])
    return Ragged(ids.astype(np.int32), splits)
