"""Documents as ids into a lexicon, and a vocabulary fitted on training rows:
the part of preprocessing that the text studies (imdb, amazon) share.

Reviews are tokenised once (a stateless step); the vocabulary is then
*fitted* by counting token ids in the training rows only, which is a cheap
``bincount``, so cross-validation can refit it per fold without re-tokenising.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from components.tables import Ragged


@dataclass
class Corpus:
    """Every document as ids into ``lexicon``, plus labels: the stateless part of preprocessing."""

    tokens: Ragged
    lexicon: list
    label: np.ndarray


def intern_tokens(docs: Iterable[Iterable]) -> tuple[Ragged, list]:
    """Each document as ids into a lexicon of every distinct token, in order of
    first appearance. The ids carry no information about labels or frequency."""
    lexicon: dict = {}
    rows = [np.fromiter((lexicon.setdefault(t, len(lexicon)) for t in doc), np.int32) for doc in docs]
    return Ragged.from_rows(rows, np.int32), list(lexicon)


def fit_vocabulary(tokens: Ragged, lexicon: list, train_rows: np.ndarray, size: int) -> list:
    """The ``size`` most frequent tokens over ``train_rows``; ties go to the
    earlier token in sort order so the vocabulary is reproducible."""
    counts = np.bincount(tokens.take(train_rows).values, minlength=len(lexicon))
    seen = np.flatnonzero(counts)
    keys = np.array([str(lexicon[i]) for i in seen])
    order = np.lexsort((keys, -counts[seen]))[:size]
    return [lexicon[i] for i in seen[order]]
