"""Drift between this run's data and the champion's, per feature and for the labels.

Two measures on the same bins (this run's histograms are counted on the
champion's edges, see ``components.statistics.compute``):

- Jensen-Shannon distance (base 2): symmetric, bounded in [0, 1], defined
  when a bin is empty on one side. It decides (``drift_threshold``,
  ``label_drift_threshold``); TFDV's drift comparator uses the same
  divergence for numeric features.
- Population stability index: the figure credit-risk teams know (< 0.1
  stable, 0.1-0.25 moderate, > 0.25 major), reported beside it. Empty bins
  get a small floor so it stays finite.

Text studies add the out-of-vocabulary rate against the champion's
vocabulary, compared with the champion's own rate on its data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

PSI_FLOOR = 1e-4


@dataclass(frozen=True)
class Drift:
    feature: str
    js_distance: float
    psi: float
    drifted: bool

    def as_dict(self) -> dict:
        return asdict(self)


def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon distance (base 2) between two count vectors on the same bins."""
    p, q = _shares(p), _shares(q)
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        nonzero = a > 0
        return float(np.sum(a[nonzero] * np.log2(a[nonzero] / m[nonzero])))

    return float(np.sqrt(max(0.0, (kl(p) + kl(q)) / 2)))


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index of ``actual`` against ``expected`` (counts on the same bins)."""
    e, a = np.maximum(_shares(expected), PSI_FLOOR), np.maximum(_shares(actual), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def _shares(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, np.float64)
    total = counts.sum()
    return counts / total if total else counts


def compare(current: dict, champion: dict, threshold: float, label_threshold: float) -> list[Drift]:
    """Drift of every numeric feature both have, and of the label, largest first.
    ``current`` must be binned on ``champion``'s edges."""
    keys = sorted(set(current["labels"]) | set(champion["labels"]), key=int)
    p = np.array([champion["labels"].get(k, 0) for k in keys])
    q = np.array([current["labels"].get(k, 0) for k in keys])
    label_js = js_distance(p, q)
    found = [Drift("label", label_js, psi(p, q), label_js > label_threshold)]
    for name, theirs in champion["numeric"].items():
        mine = current["numeric"].get(name)
        if mine is None or len(mine["histogram"]["counts"]) != len(theirs["histogram"]["counts"]):
            continue
        a, b = np.array(theirs["histogram"]["counts"]), np.array(mine["histogram"]["counts"])
        distance = js_distance(a, b)
        found.append(Drift(name, distance, psi(a, b), distance > threshold))
    return sorted(found, key=lambda d: -d.js_distance)
