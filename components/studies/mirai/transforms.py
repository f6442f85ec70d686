"""What preprocessing learns from the training rows: feature scaling and class weights.

Both are fitted on training rows only (the seed standardised all rows
before splitting, which leaks the test rows' statistics into training).
Statistics are accumulated in float64 over chunks of rows, so a 535,000 x 92
training split is never copied whole and large Kitsune values (variances
near 1e9) do not lose precision.
"""

from __future__ import annotations

import numpy as np

# 8,192 rows x 92 columns in float64 is a 6 MB temporary, which glibc serves again from memory it
# has; 65,536 rows (48 MB) took fresh pages for every temporary, 4 of the 10 s of mirai's preprocess.
CHUNK_ROWS = 8192


def _chunks(rows: np.ndarray):
    for start in range(0, len(rows), CHUNK_ROWS):
        yield rows[start : start + CHUNK_ROWS]


def fit_standardizer(features: np.ndarray, rows: np.ndarray, first_column: int) -> dict:
    """Per-column mean and (population) standard deviation of ``features[rows, first_column:]``.

    A column that is constant on these rows gets std 1 and its exact value as
    mean, so it standardises to exact zeros rather than to NaN (0/0) or to
    rounding noise divided by a tiny std."""
    if len(rows) == 0:
        raise ValueError("cannot fit a standardiser on zero rows")
    width = features.shape[1] - first_column
    total, low, high = np.zeros(width), np.full(width, np.inf), np.full(width, -np.inf)
    for chunk in _chunks(rows):
        x = features[chunk, first_column:].astype(np.float64)
        total += x.sum(axis=0)
        low, high = np.minimum(low, x.min(axis=0)), np.maximum(high, x.max(axis=0))
    mean = total / len(rows)
    squares = np.zeros(width)
    for chunk in _chunks(rows):
        squares += ((features[chunk, first_column:] - mean) ** 2).sum(axis=0)
    std = np.sqrt(squares / len(rows))
    constant = low == high
    mean[constant], std[constant] = low[constant], 1.0
    return {
        "first_column": first_column,
        "mean": mean.tolist(),
        "std": std.tolist(),
        "constant_columns": np.flatnonzero(constant).tolist(),
    }


def standardize(features: np.ndarray, rows: np.ndarray, scaler: dict) -> np.ndarray:
    """``(features[rows, first_column:] - mean) / std`` as float32, built chunk by chunk."""
    first = scaler["first_column"]
    mean, std = np.asarray(scaler["mean"]), np.asarray(scaler["std"])
    out = np.empty((len(rows), len(mean)), np.float32)
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        out[start : start + len(chunk)] = (features[chunk, first:] - mean) / std
    return out


def balanced_class_weights(labels: np.ndarray, classes: int = 2) -> dict[int, float]:
    """``n / (classes * count)`` per class, as scikit-learn's 'balanced' weights:
    each class then carries the same total weight. A class absent from
    ``labels`` gets weight 1 (it has no rows to weigh)."""
    counts = np.bincount(np.asarray(labels).astype(np.int64), minlength=classes)
    return {c: float(len(labels) / (classes * n)) if n else 1.0 for c, n in enumerate(counts)}
