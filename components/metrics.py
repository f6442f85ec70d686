"""Classification metrics from labels and predicted probabilities (numpy + scikit-learn)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)


def predicted_classes(proba: np.ndarray) -> np.ndarray:
    """Class ids from a sigmoid column (threshold 0.5) or softmax rows (argmax)."""
    proba = np.asarray(proba)
    if proba.ndim == 1 or proba.shape[1] == 1:
        return (proba.reshape(-1) > 0.5).astype(np.int64)
    return proba.argmax(axis=1)


def classification_metrics(y_true: np.ndarray, proba: np.ndarray, class_names: list[str], majority_class: int) -> dict:
    """Accuracy, per-class and macro precision/recall/F1, the confusion matrix,
    the majority-class baseline and, for two classes, ROC AUC and the ROC curve."""
    y_true = np.asarray(y_true).astype(np.int64).reshape(-1)
    y_pred = predicted_classes(proba)
    labels = list(range(len(class_names)))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    result = {
        "accuracy": float(np.mean(y_pred == y_true)),
        "majority_baseline_accuracy": float(np.mean(y_true == majority_class)),
        "macro_precision": float(precision.mean()),
        "macro_recall": float(recall.mean()),
        "macro_f1": float(f1.mean()),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(class_names, precision, recall, f1, support, strict=False)
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "class_names": list(class_names),
    }
    if len(class_names) == 2 and len(np.unique(y_true)) == 2:
        score = np.asarray(proba).reshape(len(y_true), -1)[:, -1]
        fpr, tpr, thresholds = roc_curve(y_true, score)
        result["roc_auc"] = float(roc_auc_score(y_true, score))
        keep = _thin(len(fpr), 200)
        result["roc_curve"] = {
            "fpr": fpr[keep].tolist(),
            "tpr": tpr[keep].tolist(),
            # roc_curve's first threshold is +inf, which JSON and KFP cannot carry.
            "thresholds": np.minimum(thresholds[keep], 1.0).tolist(),
        }
    return result


def class_probabilities(proba: np.ndarray) -> np.ndarray:
    """One column per class: a sigmoid column ``p`` becomes ``[1 - p, p]``; softmax rows stay as they are."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim == 1 or proba.shape[1] == 1:
        positive = proba.reshape(-1)
        return np.stack([1.0 - positive, positive], axis=1)
    return proba


def normalized_confusion(matrix: list[list[int]]) -> np.ndarray:
    """Each true class's row divided by its count, so rows sum to 1 and small classes
    read as clearly as large ones; a class absent from the test rows keeps a row of zeros."""
    counts = np.asarray(matrix, dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def precision_recall(y_true: np.ndarray, proba: np.ndarray, class_names: list[str]) -> dict[str, dict]:
    """Precision-recall curves with their average precision: for two classes the
    positive (second) class's, otherwise one per class against the rest. A class
    with no test rows has no curve."""
    y_true = np.asarray(y_true).astype(np.int64).reshape(-1)
    scores = class_probabilities(proba)
    wanted = [1] if len(class_names) == 2 else range(len(class_names))
    curves = {}
    for k in wanted:
        positive = y_true == k
        if not positive.any():
            continue
        precision, recall, _ = precision_recall_curve(positive, scores[:, k])
        keep = _thin(len(precision), 200)
        curves[class_names[k]] = {
            "precision": precision[keep].tolist(),
            "recall": recall[keep].tolist(),
            "average_precision": float(average_precision_score(positive, scores[:, k])),
        }
    return curves


def reliability(y_true: np.ndarray, proba: np.ndarray, bins: int = 10) -> dict:
    """How far predicted probabilities can be taken at their word, in equal-width bins.

    For two classes: the predicted probability of the positive class against how
    often rows in that bin are positive. For more: the confidence in the predicted
    class against how often that prediction is right (top-label calibration). Also
    the expected calibration error (the bins' gaps weighted by their rows) and
    every row's score, for a histogram."""
    y_true = np.asarray(y_true).astype(np.int64).reshape(-1)
    scores = class_probabilities(proba)
    if scores.shape[1] == 2:
        score, outcome, what = scores[:, 1], y_true == 1, "predicted probability of the positive class"
    else:
        score, outcome, what = scores.max(axis=1), scores.argmax(axis=1) == y_true, "confidence in the predicted class"
    which = np.minimum((score * bins).astype(np.int64), bins - 1)
    count = np.bincount(which, minlength=bins)
    used = count > 0
    mean_score = np.bincount(which, weights=score, minlength=bins)[used] / count[used]
    observed = np.bincount(which, weights=outcome.astype(np.float64), minlength=bins)[used] / count[used]
    return {
        "score": what,
        "mean_score": mean_score.tolist(),
        "observed": observed.tolist(),
        "rows": count[used].tolist(),
        "ece": float(np.sum(count[used] * np.abs(mean_score - observed)) / len(score)) if len(score) else 0.0,
        "scores": score.tolist(),
    }


def _thin(n: int, most: int) -> np.ndarray:
    """At most ``most`` evenly spread indices of ``n`` points, keeping both ends."""
    return np.unique(np.linspace(0, n - 1, min(n, most)).round().astype(int))
