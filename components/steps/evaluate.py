"""Evaluate: score the trained model on the held-out test table and write a report."""
from __future__ import annotations

import json
import logging
import os

import keras
import numpy as np

from components import report, tables
from components.blessing import bless
from components.metrics import classification_metrics
from components.registry import Registry
from components.steps.preprocess import load_state
from components.steps.train import MODEL_FILE
from components.studies import get_study

log = logging.getLogger(__name__)


def majority_class(labels: np.ndarray) -> int:
    values, counts = np.unique(labels.astype(np.int64), return_counts=True)
    return int(values[np.argmax(counts)])


def evaluate_model(recipe, p, model, state: dict, test: dict, majority: int) -> dict:
    """Loss and classification metrics on ``test``, plus the study's own extras
    (e.g. MC-dropout accuracy) when its recipe defines ``evaluation_extras``."""
    data = recipe.dataset(test, state, p.batch_size, shuffle=False, seed=0)
    loss = model.evaluate(data, verbose=0, return_dict=True)["loss"]
    proba = model.predict(data, verbose=0)
    result = classification_metrics(test["label"], proba, list(recipe.CLASS_NAMES), majority)
    result["loss"] = float(loss)
    if hasattr(recipe, "evaluation_extras"):
        result["extras"] = recipe.evaluation_extras(model, state, test, p)
    return result


def run_evaluate_and_bless(
    study: str, variant: str, model_dir: str, train_path: str, test_path: str, state_path: str, history_path: str,
    params: dict, report_path: str, evaluation_path: str, registry_uri: str, threshold: float,
    min_improvement: float, force_register: bool,
) -> dict:
    """Evaluate, then bless against the threshold and the registry's champion;
    the result (metrics plus blessing) is written to ``evaluation_path`` as JSON."""
    result = run_evaluate(study, variant, model_dir, train_path, test_path, state_path, history_path, params, report_path)
    champion = Registry(registry_uri).champion(study)
    result["blessing"] = bless("accuracy", result["accuracy"], threshold, champion, min_improvement,
                               force_register).as_dict()
    log.info("blessing: %s", result["blessing"]["reason"])
    with open(evaluation_path, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return result


def log_to_kfp(result: dict, metrics, classification_metrics) -> None:
    """Scalars into KFP ``Metrics``; confusion matrix and ROC into ``ClassificationMetrics``."""
    for name in ("accuracy", "loss", "majority_baseline_accuracy", "macro_precision", "macro_recall",
                 "macro_f1", "roc_auc"):
        if name in result:
            metrics.log_metric(name, result[name])
    for label, m in result["per_class"].items():
        for name in ("precision", "recall", "f1"):
            metrics.log_metric(f"{label}.{name}", m[name])
    for name, value in result.get("extras", {}).items():
        if isinstance(value, (int, float)):
            metrics.log_metric(name, value)
    classification_metrics.log_confusion_matrix(result["class_names"], result["confusion_matrix"])
    if "roc_curve" in result:
        curve = result["roc_curve"]
        classification_metrics.log_roc_curve(curve["fpr"], curve["tpr"], curve["thresholds"])


def run_evaluate(
    study: str, variant: str, model_dir: str, train_path: str, test_path: str, state_path: str, history_path: str,
    params: dict, report_path: str,
) -> dict:
    spec = get_study(study)
    p = spec.params.from_mapping(params)
    recipe = spec.recipe()
    model = keras.models.load_model(os.path.join(model_dir, MODEL_FILE))
    majority = majority_class(tables.load(train_path)["label"])
    result = evaluate_model(recipe, p, model, load_state(state_path), tables.load(test_path), majority)
    with open(history_path, encoding="utf-8") as f:
        history = json.load(f)
    facts = {"study": study, "variant": variant, "test rows": len(tables.load(test_path)["label"]),
             "epochs": len(history.get("loss", []))}
    with open(report_path, "w", encoding="utf-8") as f:
        f.write(report.render(f"{spec.title}: evaluation", result, history, facts))
    log.info("test accuracy %.4f, loss %.4f (majority baseline %.4f)",
             result["accuracy"], result["loss"], result["majority_baseline_accuracy"])
    return result
