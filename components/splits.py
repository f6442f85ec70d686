"""Reproducible train/validation/test row selection.

All selection is by row indices (never copies of data) and stratified by
label, so the class balance of every split matches the source's.

scikit-learn is imported by the functions that split, not with this module:
the step that only compares cross-validation scores imports this module (via
``components.steps.cross_validate``) and would spend half a second or more of
its few loading scikit-learn for nothing.
"""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)

TRAIN, TEST = 0, 1


def train_test_rows(split: np.ndarray | None, labels: np.ndarray, test_fraction: float, seed: int):
    """The source's own split where it has one, else a stratified, seeded one of ``test_fraction``."""
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(labels))
    if split is not None:
        if test_fraction:
            log.info("the source has its own train/test split; test_fraction=%g is not used", test_fraction)
        return rows[split == TRAIN], rows[split == TEST]
    if not test_fraction:
        raise ValueError(
            "the source has no train/test split of its own and test_fraction is 0; "
            "set test_fraction to the fraction of rows to hold out for testing"
        )
    train, test = train_test_split(rows, test_size=test_fraction, stratify=labels, random_state=seed)
    return np.sort(train), np.sort(test)


def hold_out(
    rows: np.ndarray,
    labels: np.ndarray,
    seed: int,
    *,
    count: int = 0,
    fraction: float = 0.0,
    groups: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Split ``rows`` into (kept, held_out), stratified: ``count`` rows or ``fraction`` of them held out
    (at most one of the two non-zero; both zero holds nothing out).

    With ``groups`` (e.g. writers), whole groups are held out, so the held-out
    rows measure what the test set measures (people the model never saw); the
    held-out size is then the nearest that whole groups allow."""
    from sklearn.model_selection import StratifiedGroupKFold, train_test_split

    if count and fraction:
        raise ValueError(f"hold out either {count} rows or a fraction {fraction} of them, not both")
    if count and count >= len(rows):
        raise ValueError(f"cannot hold out {count} of {len(rows)} training rows")
    if not (count or fraction):
        return rows, rows[:0]
    if groups is None:
        size: int | float = count or fraction
        kept, held = train_test_split(rows, test_size=size, stratify=labels[rows], random_state=seed)
        return np.sort(kept), np.sort(held)
    wanted = count or fraction * len(rows)
    parts = max(2, min(len(np.unique(groups[rows])), round(len(rows) / max(wanted, 1))))
    kept, held = next(
        StratifiedGroupKFold(n_splits=parts, shuffle=True, random_state=seed).split(rows, labels[rows], groups[rows])
    )
    return np.sort(rows[kept]), np.sort(rows[held])


def folds(rows: np.ndarray, labels: np.ndarray, k: int, seed: int, groups: np.ndarray | None = None):
    """K (train_rows, held_out_rows) pairs over ``rows``: stratified by label,
    grouped when ``groups`` is given (a group never straddles folds), shuffled with ``seed``."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    y = labels[rows]
    if groups is None:
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        pairs = splitter.split(rows, y)
    else:
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        pairs = splitter.split(rows, y, groups[rows])
    return [(rows[a], rows[b]) for a, b in pairs]
