"""imdb's tokenizer and its multi-hot column ids.

Each review becomes the sorted set of its vocabulary columns (the vocabulary
comes from ``components.vocabulary``): a multi-hot row stored sparsely, never
as a dense float matrix.
"""

from __future__ import annotations

import re

import numpy as np

from components.tables import Ragged

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
WORD = re.compile(r"[^\W_]+")
# Deleted, not split at: "don't" is one word.
APOSTROPHES = ("'", "\u2019")


def tokenize(text: str) -> list[str]:
    """Lowercase, drop ``<br />`` tags and apostrophes, split on everything else
    that is not a letter or digit: "Don't<br />stop!" -> ['dont', 'stop']."""
    words = _BREAK.sub(" ", text.lower())
    for apostrophe in APOSTROPHES:
        words = words.replace(apostrophe, "")
    return WORD.findall(words)


def multi_hot_columns(tokens: Ragged, lexicon: list, vocabulary: list) -> Ragged:
    """Per document, the sorted distinct vocabulary columns of its tokens."""
    column_of = {token: col for col, token in enumerate(vocabulary)}
    lookup = np.array([column_of.get(t, -1) for t in lexicon], dtype=np.int32)
    cols = lookup[tokens.values] if len(lookup) else np.zeros(0, np.int32)
    rows = np.repeat(np.arange(len(tokens)), tokens.lengths())
    keep = cols >= 0
    rows, cols = rows[keep], cols[keep]
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    first = np.ones(len(cols), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols = rows[first], cols[first]
    splits = np.zeros(len(tokens) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(tokens)), out=splits[1:])
    return Ragged(cols.astype(np.int32), splits)
