"""Naive baselines printed beside a model, so a score has something to be judged against.

The majority-class baseline comes with every evaluation (components.metrics);
text studies add TF-IDF + logistic regression here, on the same token ids
and the same train/test rows as the model.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression

from components.tables import Ragged


def token_counts(tokens: Ragged, width: int) -> csr_matrix:
    """Bag-of-words counts: row i counts the token ids of document i (duplicates summed)."""
    data = np.ones(len(tokens.values), dtype=np.float32)
    return csr_matrix((data, tokens.values, tokens.row_splits), shape=(len(tokens), width))


def text_baselines(prepared, train_rows: np.ndarray, test_rows: np.ndarray) -> dict:
    """The text studies' ``baselines`` hook: ``prepared`` has every document's
    ``tokens`` (all of them: no vocabulary cut, no truncation) and ``label``."""
    return {"tfidf_logreg_accuracy": tfidf_logistic_regression(prepared.tokens, prepared.label, train_rows, test_rows)}


def tfidf_logistic_regression(
    tokens: Ragged, labels: np.ndarray, train_rows: np.ndarray, test_rows: np.ndarray, seed: int = 0
) -> float:
    """Test accuracy of TF-IDF weighted bag-of-words + logistic regression, fitted on ``train_rows``."""
    width = int(tokens.values.max()) + 1 if len(tokens.values) else 1
    counts = token_counts(tokens, width)
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts[train_rows])
    model = LogisticRegression(max_iter=1000, random_state=seed)
    model.fit(tfidf.transform(counts[train_rows]), labels[train_rows])
    return float(model.score(tfidf.transform(counts[test_rows]), labels[test_rows]))
