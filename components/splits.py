"""Reproducible train/validation/test row selection.

All selection is by row indices (never copies of data) and stratified by
label, so the class balance of every split matches the source's.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, train_test_split

TRAIN, TEST = 0, 1


def train_test_rows(split: np.ndarray | None, labels: np.ndarray, test_fraction: float, seed: int):
    """The source's own split where it has one, else a stratified, seeded one."""
    rows = np.arange(len(labels))
    if split is not None:
        return rows[split == TRAIN], rows[split == TEST]
    train, test = train_test_split(rows, test_size=test_fraction, stratify=labels, random_state=seed)
    return np.sort(train), np.sort(test)


def carve(rows: np.ndarray, labels: np.ndarray, size: int | float, seed: int, groups: np.ndarray | None = None):
    """Split ``rows`` into (kept, carved), ``size`` rows (or that fraction) carved out, stratified.

    With ``groups`` (e.g. writers), whole groups are carved, so the held-out
    rows measure what the test set measures (people the model never saw); the
    carved size is then the nearest that whole groups allow."""
    if not size:
        return rows, rows[:0]
    if isinstance(size, int) and size >= len(rows):
        raise ValueError(f"cannot hold out {size} of {len(rows)} training rows")
    if groups is None:
        kept, carved = train_test_split(rows, test_size=size, stratify=labels[rows], random_state=seed)
        return np.sort(kept), np.sort(carved)
    wanted = size if isinstance(size, int) else size * len(rows)
    parts = max(2, min(len(np.unique(groups[rows])), round(len(rows) / max(wanted, 1))))
    kept, carved = next(
        StratifiedGroupKFold(n_splits=parts, shuffle=True, random_state=seed).split(rows, labels[rows], groups[rows])
    )
    return np.sort(rows[kept]), np.sort(rows[carved])


def folds(rows: np.ndarray, labels: np.ndarray, k: int, seed: int, groups: np.ndarray | None = None):
    """K (train_rows, held_out_rows) pairs over ``rows``: stratified by label,
    grouped when ``groups`` is given (a group never straddles folds), shuffled with ``seed``."""
    y = labels[rows]
    if groups is None:
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        pairs = splitter.split(rows, y)
    else:
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        pairs = splitter.split(rows, y, groups[rows])
    return [(rows[a], rows[b]) for a, b in pairs]
