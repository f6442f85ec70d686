import numpy as np

from components.metrics import classification_metrics


def test_binary_metrics_match_hand_computation():
    y = np.array([0, 0, 1, 1, 1])
    proba = np.array([[0.1], [0.7], [0.8], [0.4], [0.9]])
    m = classification_metrics(y, proba, ["neg", "pos"], majority_class=1)
    assert m["confusion_matrix"] == [[1, 1], [1, 2]]
    assert m["accuracy"] == 0.6 and m["majority_baseline_accuracy"] == 0.6
    assert m["per_class"]["pos"]["precision"] == 2 / 3 and m["per_class"]["neg"]["recall"] == 0.5
    assert 0 < m["roc_auc"] <= 1 and max(m["roc_curve"]["thresholds"]) <= 1.0


def test_multiclass_uses_argmax_and_has_no_roc():
    proba = np.eye(3)[[0, 1, 2, 2]]
    m = classification_metrics(np.array([0, 1, 2, 1]), proba, ["a", "b", "c"], majority_class=1)
    assert m["accuracy"] == 0.75 and "roc_auc" not in m
