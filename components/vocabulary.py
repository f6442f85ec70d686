"""Documents as ids into a lexicon, and a vocabulary fitted on training rows:
the part of preprocessing that the text studies (imdb, amazon) share.

Reviews are tokenised once (a stateless step); the vocabulary is then
*fitted* by counting token ids in the training rows only, which is a cheap
``bincount``, so cross-validation can refit it per fold without re-tokenising.
Counts from several corpora (the shards of a large source) add up in
:class:`TokenCounts`, so a vocabulary is also fitted in one streaming pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from components import tables
from components.tables import Ragged


@dataclass
class Corpus:
    """Every document as ids into ``lexicon``, plus labels: the stateless part of preprocessing."""

    tokens: Ragged
    lexicon: list
    label: np.ndarray

    def save_to(self, folder: str) -> None:
        """Written under ``folder`` (which must exist), for :meth:`load_from`: a large source's
        second pass reads its shards' corpora back rather than tokenising them again."""
        tables.save(os.path.join(folder, "documents.npz"), {"tokens": self.tokens, "label": self.label})
        tables.save(os.path.join(folder, "lexicon.npz"), {"token": Ragged.from_strings(self.lexicon)})

    @classmethod
    def load_from(cls, folder: str) -> Corpus:
        documents = tables.load(os.path.join(folder, "documents.npz"))
        lexicon = tables.ragged(tables.load(os.path.join(folder, "lexicon.npz")), "token").to_strings()
        return cls(tables.ragged(documents, "tokens"), lexicon, tables.array(documents, "label"))


def intern_tokens(docs: Iterable[Iterable]) -> tuple[Ragged, list]:
    """Each document as ids into a lexicon of every distinct token, in order of
    first appearance. The ids carry no information about labels or frequency."""
    lexicon: dict = {}
    rows = [np.fromiter((lexicon.setdefault(t, len(lexicon)) for t in doc), np.int32) for doc in docs]
    return Ragged.from_rows(rows, np.int32), list(lexicon)


class TokenCounts:
    """Token counts over training rows, added corpus by corpus (each with its own
    lexicon), so a vocabulary can be fitted in one pass over a sharded source."""

    def __init__(self) -> None:
        self._counts: dict = {}

    def add(self, tokens: Ragged, lexicon: list, rows: np.ndarray) -> None:
        counts = np.bincount(tokens.take(rows).values, minlength=len(lexicon))
        for i in np.flatnonzero(counts).tolist():
            token = lexicon[i]
            self._counts[token] = self._counts.get(token, 0) + int(counts[i])

    def most_frequent(self, size: int) -> list:
        """The ``size`` most frequent tokens; ties go to the earlier token in
        sort order, so the vocabulary is reproducible."""
        tokens = list(self._counts)
        counts = np.fromiter(self._counts.values(), np.int64, len(tokens))
        candidates = np.arange(len(tokens))
        if len(tokens) > size > 0:
            # Only tokens at least as frequent as the size-th can be chosen; sorting just those
            # (as Python strings, not a fixed-width array) keeps a large lexicon cheap.
            threshold = np.partition(counts, len(counts) - size)[len(counts) - size]
            candidates = np.flatnonzero(counts >= threshold)
        chosen = sorted(candidates.tolist(), key=lambda i: (-counts[i], str(tokens[i])))[:size]
        return [tokens[i] for i in chosen]


def fit_vocabulary(tokens: Ragged, lexicon: list, train_rows: np.ndarray, size: int) -> list:
    """The ``size`` most frequent tokens over ``train_rows`` (see :meth:`TokenCounts.most_frequent`)."""
    counts = TokenCounts()
    counts.add(tokens, lexicon, train_rows)
    return counts.most_frequent(size)
