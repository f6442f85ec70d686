"""Parameters checked against the data they will split, before anything trains.

A study's ``validate()`` checks what a value can be on its own (a fraction
below 1, at least two folds); only the data says whether 10,000 validation
rows or 8 folds fit. ``plan_folds`` runs these checks right after ingest,
before any cross-validation fold trains, and preprocess runs them again before
splitting, so a hold-out or fold count that cannot fit fails in seconds,
naming the parameter, its value and the limit, rather than after training.
"""

from __future__ import annotations

from math import ceil

import numpy as np

from components import splits, tables
from components.studies import ParameterError, TrainingParams


def load_split_columns(raw_path: str) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The raw table's ``label``, ``split`` and ``group`` columns, read without the (large) feature
    columns; from every shard of a sharded table."""
    columns = tables.load_columns(raw_path, ("label", "split", "group"))
    return columns["label"], columns.get("split"), columns.get("group")


def check_against_data(
    p: TrainingParams, labels: np.ndarray, split: np.ndarray | None, groups: np.ndarray | None, seed: int
) -> None:
    """Raise ParameterError when the test, validation or fold split that ``p`` asks for cannot be made."""
    classes = len(np.unique(labels))
    if split is None and p.test_fraction:
        _check_fraction("test_fraction", p.test_fraction, len(labels), classes, "rows")
    train_rows, _ = splits.train_test_rows(split, labels, p.test_fraction, seed)
    n = len(train_rows)
    if p.validation_rows:
        if p.validation_rows >= n:
            raise ParameterError(
                f"validation_rows={p.validation_rows} holds out at least all {n} training rows; "
                f"it must be below {n} (0 holds nothing out)"
            )
        if groups is None and not classes <= p.validation_rows <= n - classes:
            raise ParameterError(
                f"validation_rows={p.validation_rows} cannot be stratified over {classes} classes: "
                f"it must be between {classes} and {n - classes} for {n} training rows"
            )
    if p.validation_fraction and groups is None:
        _check_fraction("validation_fraction", p.validation_fraction, n, classes, "training rows")
    if p.cv_folds:
        _check_folds(p.cv_folds, labels[train_rows], None if groups is None else groups[train_rows])


def _check_fraction(name: str, fraction: float, n: int, classes: int, what: str) -> None:
    """A stratified split of ``fraction`` (rounded up, as scikit-learn does) needs a row per class on each side."""
    held = ceil(fraction * n)
    if held < classes or n - held < classes:
        raise ParameterError(
            f"{name}={fraction:g} holds out {held} of {n} {what}; a stratified split of {classes} classes "
            f"needs between {classes} and {n - classes} rows held out"
        )


def _check_folds(folds: int, labels: np.ndarray, groups: np.ndarray | None) -> None:
    """Every fold needs a member of each class (and, when grouped, a whole group of its own)."""
    values, counts = np.unique(labels, return_counts=True)
    smallest = int(np.argmin(counts))
    if folds > counts[smallest]:
        raise ParameterError(
            f"cv_folds={folds} exceeds the {counts[smallest]} training rows of the smallest class "
            f"(label {values[smallest].item()!r}); it must be at most {counts[smallest]}"
        )
    if groups is not None and folds > len(np.unique(groups)):
        raise ParameterError(
            f"cv_folds={folds} exceeds the {len(np.unique(groups))} groups of the training rows "
            "(a group never straddles folds); it must be at most that"
        )
