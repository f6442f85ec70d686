"""Evaluate: score the trained model on the held-out test table, write a report, and bless or not."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

import keras
import numpy as np

from components import report, tables
from components.blessing import bless
from components.metrics import classification_metrics, predicted_classes
from components.registry import Registry
from components.steps.preprocess import load_state
from components.steps.train import MODEL_FILE
from components.studies import get_study

log = logging.getLogger(__name__)
GRID_SIZE = 16


@dataclass(frozen=True)
class EvaluationInputs:
    """The artifacts evaluate reads (paths)."""

    model_dir: str
    train: str
    test: str
    state: str
    history: str


@dataclass(frozen=True)
class BlessingPolicy:
    registry_uri: str
    threshold: float
    min_improvement: float
    force_register: bool


def majority_class(labels: np.ndarray) -> int:
    values, counts = np.unique(labels.astype(np.int64), return_counts=True)
    return int(values[np.argmax(counts)])


def evaluate_model(recipe, p, model, state: dict, test: dict, majority: int, extras: bool = True) -> dict:
    """Loss and classification metrics on ``test``, plus (with ``extras``) the
    study's own extras (e.g. MC-dropout accuracy) when its recipe defines
    ``evaluation_extras``. ``predicted`` holds the predicted class of every test row."""
    data = recipe.dataset(test, state, p.batch_size, shuffle=False, seed=0)
    loss = model.evaluate(data, verbose=0, return_dict=True)["loss"]
    proba = model.predict(data, verbose=0)
    result = classification_metrics(test["label"], proba, list(recipe.CLASS_NAMES), majority)
    result["loss"] = float(loss)
    result["predicted"] = predicted_classes(proba).tolist()
    if extras and hasattr(recipe, "evaluation_extras"):
        result["extras"] = recipe.evaluation_extras(model, state, test, p)
    return result


def misclassified_rows(labels: np.ndarray, predicted: np.ndarray, most: int, seed: int = 0) -> np.ndarray:
    """Up to ``most`` test rows whose prediction really differs from their label, in a seeded sample."""
    wrong = np.flatnonzero(labels.astype(np.int64) != predicted)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(wrong, size=min(most, len(wrong)), replace=False)) if len(wrong) else wrong


def run_evaluate(
    study: str, variant: str, inputs: EvaluationInputs, params: dict, report_path: str, baselines: dict
) -> dict:
    spec = get_study(study)
    p = spec.params.from_mapping(params)
    recipe = spec.recipe()
    model = keras.models.load_model(os.path.join(inputs.model_dir, MODEL_FILE))
    test = tables.load(inputs.test)
    majority = majority_class(tables.load(inputs.train)["label"])
    result = evaluate_model(recipe, p, model, load_state(inputs.state), test, majority)
    result["baselines"] = baselines
    with open(inputs.history, encoding="utf-8") as f:
        history = json.load(f)
    predicted = np.asarray(result.pop("predicted"))
    examples = None
    if hasattr(recipe, "draw_example"):
        rows = misclassified_rows(test["label"], predicted, GRID_SIZE)
        examples = report.example_grid(
            recipe.draw_example, test, rows, test["label"], predicted, list(recipe.CLASS_NAMES)
        )
    facts = {"study": study, "variant": variant, "test rows": len(test["label"]), "epochs": len(history["loss"])}
    with open(report_path, "w", encoding="utf-8") as f:
        f.write(report.render(f"{spec.title}: evaluation", result, history, facts, examples))
    log.info(
        "test accuracy %.4f, loss %.4f (majority baseline %.4f; %s)",
        result["accuracy"],
        result["loss"],
        result["majority_baseline_accuracy"],
        baselines or "no other baselines",
    )
    return result


def run_evaluate_and_bless(
    study: str,
    variant: str,
    inputs: EvaluationInputs,
    params: dict,
    report_path: str,
    evaluation_path: str,
    policy: BlessingPolicy,
    baselines: dict,
) -> dict:
    """Evaluate, then bless against the threshold and the registry's champion;
    the result (metrics plus blessing) is written to ``evaluation_path`` as JSON."""
    result = run_evaluate(study, variant, inputs, params, report_path, baselines)
    champion = Registry(policy.registry_uri).champion(study)
    result["blessing"] = bless(
        "accuracy", result["accuracy"], policy.threshold, champion, policy.min_improvement, policy.force_register
    ).as_dict()
    log.info("blessing: %s", result["blessing"]["reason"])
    with open(evaluation_path, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return result


def log_to_kfp(result: dict, metrics, classification_metrics) -> None:
    """Scalars into KFP ``Metrics``; confusion matrix and ROC into ``ClassificationMetrics``."""
    for name in (
        "accuracy",
        "loss",
        "majority_baseline_accuracy",
        "macro_precision",
        "macro_recall",
        "macro_f1",
        "roc_auc",
    ):
        if name in result:
            metrics.log_metric(name, result[name])
    for label, m in result["per_class"].items():
        for name in ("precision", "recall", "f1"):
            metrics.log_metric(f"{label}.{name}", m[name])
    for group in ("extras", "baselines"):
        for name, value in result.get(group, {}).items():
            if isinstance(value, (int, float)):
                metrics.log_metric(name, value)
    classification_metrics.log_confusion_matrix(result["class_names"], result["confusion_matrix"])
    if "roc_curve" in result:
        curve = result["roc_curve"]
        classification_metrics.log_roc_curve(curve["fpr"], curve["tpr"], curve["thresholds"])
