"""Whether a raw table has rows of every label in every split.

A source that lacks a class in one split (a missing folder, a lost batch)
cannot be evaluated fairly, so readers refuse it once everything is read,
naming the first split with a gap and the labels it lacks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from components.errors import DataError


def check_coverage(
    source: str,
    splits: np.ndarray,
    labels: np.ndarray,
    names: tuple[Sequence[str], Sequence[str]],
    describe: Callable[[str, list[str]], str],
) -> None:
    """Raise ``DataError(source, describe(split, absent))`` for the first split lacking labels.

    ``splits`` and ``labels`` hold codes, indices into ``names`` = (split
    names, label names); ``absent`` lists the missing label names in order.
    """
    split_names, label_names = names
    for code, split in enumerate(split_names):
        present = np.unique(labels[splits == code])
        absent = [name for label, name in enumerate(label_names) if label not in present]
        if absent:
            raise DataError(source, describe(split, absent))
