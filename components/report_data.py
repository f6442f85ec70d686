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

from components import metrics
from components.blessing import ChampionScore

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
    # The data check against the champion's data (components.data_validation), when one ran.
    data_checks: dict | None = None


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
    given, returns those rows' texts (see :func:`serving_texts`)."""
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


def serving_texts(records: np.ndarray) -> Callable[[np.ndarray], list[str]]:
    """The texts of test rows from their serving inputs (the reviews' UTF-8 bytes, as the
    serving signature takes them; ``components.serving.feed``)."""
    return lambda rows: [bytes(records[r]).decode("utf-8", "replace") for r in rows]


def champion_scores(champion: ChampionScore | None, evaluation: dict) -> dict | None:
    """The champion as the report's comparison shows it: its score on this run's test rows
    through its own serving model, or why it has none."""
    if champion is None:
        return None
    if champion.value is None:
        return {"version": champion.version, "metrics": {}, "source": f"could not be scored: {champion.problem}"}
    return {
        "version": champion.version,
        "metrics": {"accuracy": champion.value},
        "source": f"its serving model on this run's test rows (sha256 {evaluation['test_sha256'][:12]}…)",
    }


def _shorten(text: str) -> str:
    """At most ``TEXT_CHARS`` characters, cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= TEXT_CHARS:
        return text
    return text[:TEXT_CHARS].rsplit(" ", 1)[0] + " …"
