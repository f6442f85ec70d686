"""What the report shows, gathered from the evaluation into plain values.

Rendering (``components.report``) only lays these out, so everything here can
be checked on small known inputs without drawing anything: the curves come
from ``components.metrics``; the misclassified examples are a seeded sample
of truly wrong test rows, each with the model's confidence in its wrong
answer and, for text studies, the raw text it read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from components import metrics, tables

EXAMPLES = 16
TEXT_CHARS = 600


@dataclass(frozen=True)
class Example:
    """One misclassified test row: its classes, the model's confidence in the class it
    predicted, and (text studies) the text, cut to ``TEXT_CHARS``; untrusted, escape it."""

    row: int
    true: str
    predicted: str
    confidence: float
    text: str | None = None


@dataclass(frozen=True)
class Curves:
    """The model's test scores seen as curves (``components.metrics``)."""

    normalized_confusion: np.ndarray
    precision_recall: dict[str, dict]
    reliability: dict


@dataclass(frozen=True)
class ReportData:
    """Everything one evaluation report shows. ``blessing`` and ``champion`` are taken
    as evaluate gives them and shown field by field, whatever fields they have."""

    title: str
    evaluation: dict
    history: dict
    curves: Curves
    examples: list[Example]
    blessing: dict = field(default_factory=dict)
    champion: dict | None = None
    data: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    run: dict = field(default_factory=dict)
    cross_validation: dict = field(default_factory=dict)
    # Draws one test row on a matplotlib Axes (image studies): the report then draws the examples.
    draw_example: Callable[[Any, int], None] | None = None


def misclassified_rows(labels: np.ndarray, predicted: np.ndarray, most: int, seed: int = 0) -> np.ndarray:
    """Up to ``most`` test rows whose prediction really differs from their label, in a seeded sample."""
    wrong = np.flatnonzero(labels.astype(np.int64) != predicted)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(wrong, size=min(most, len(wrong)), replace=False)) if len(wrong) else wrong


def curves(labels: np.ndarray, proba: np.ndarray, evaluation: dict) -> Curves:
    names = evaluation["class_names"]
    return Curves(
        metrics.normalized_confusion(evaluation["confusion_matrix"]),
        metrics.precision_recall(labels, proba, names),
        metrics.reliability(labels, proba),
    )


def examples(
    labels: np.ndarray, proba: np.ndarray, class_names: list[str], texts: Callable[[np.ndarray], list[str]] | None
) -> list[Example]:
    """A sample of misclassified test rows, most confident first. ``texts(rows)``, where
    given, returns those rows' texts (see :func:`raw_texts`)."""
    scores = metrics.class_probabilities(proba)
    predicted = scores.argmax(axis=1)
    rows = misclassified_rows(labels, predicted, EXAMPLES)
    rows = rows[np.argsort(-scores[rows, predicted[rows]], kind="stable")]
    shown = texts(rows) if texts is not None and len(rows) else [None] * len(rows)
    return [
        Example(
            int(r),
            class_names[int(labels[r])],
            class_names[int(predicted[r])],
            float(scores[r, predicted[r]]),
            None if t is None else _shorten(t),
        )
        for r, t in zip(rows, shown, strict=True)
    ]


def raw_texts(test: tables.Table, raw_path: str, column: str) -> Callable[[np.ndarray], list[str]]:
    """The texts of test rows, read from the raw table (``raw_path``) at the raw row number
    preprocess kept in the test table's ``raw_row`` column. The raw table is read only when
    there are rows to show."""

    def texts(rows: np.ndarray) -> list[str]:
        raw_rows = tables.array(test, "raw_row")[rows]
        return tables.ragged(tables.load(raw_path), column).take(raw_rows).to_strings()

    return texts


def _shorten(text: str) -> str:
    """At most ``TEXT_CHARS`` characters, cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= TEXT_CHARS:
        return text
    return text[:TEXT_CHARS].rsplit(" ", 1)[0] + " …"
