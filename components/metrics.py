"""Classification metrics from labels and predicted probabilities (numpy + scikit-learn)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support, roc_auc_score, roc_curve


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


def _thin(n: int, most: int) -> np.ndarray:
    """At most ``most`` evenly spread indices of ``n`` points, keeping both ends."""
    return np.unique(np.linspace(0, n - 1, min(n, most)).round().astype(int))
