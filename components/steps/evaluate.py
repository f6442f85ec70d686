"""Evaluate: score the trained model on the held-out test table, score it and the
champion through their serving models on the same raw test records, write a
report, and bless or not."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

import numpy as np

from components import report, report_data, serving, tables
from components.artifacts import load_model, load_state
from components.blessing import bless
from components.champion import score_champion, serving_accuracy
from components.comparison_report import baseline_losses
from components.data_validation import card_entry, load_checks
from components.files import path_sha256
from components.studies import get_study
from components.studies.recipe import hook_table
from components.training import evaluate_model, majority_class

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
    data_checks: str = ""  # preprocess's data check folder: the report's data section


@dataclass(frozen=True)
class BlessingPolicy:
    registry_uri: str
    threshold: float
    min_improvement: float
    force_register: bool


def misclassified_rows(labels: np.ndarray, predicted: np.ndarray, most: int, seed: int = 0) -> np.ndarray:
    """Up to ``most`` test rows whose prediction really differs from their label, in a seeded sample."""
    wrong = np.flatnonzero(labels.astype(np.int64) != predicted)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(wrong, size=min(most, len(wrong)), replace=False)) if len(wrong) else wrong


def run_evaluate(
    study: str,
    variant: str,
    inputs: EvaluationInputs,
    params: dict,
    report_path: str,
    baselines: dict,
    policy: BlessingPolicy | None = None,
) -> dict:
    """Score the model on the test table, then its serving SavedModel and (with a
    ``policy``) the registry's champion on the same raw test records, bless, and
    write the report with both models side by side."""
    spec = get_study(study)
    p = spec.params.from_mapping(params)
    recipe = spec.recipe()
    model = load_model(inputs.model_dir)
    test = tables.open_table(inputs.test)
    labels = tables.array(test, "label")
    majority = majority_class(tables.load_columns(inputs.train, ["label"])["label"])
    result = evaluate_model(recipe, p, model, load_state(inputs.state), test, majority)
    result["baselines"] = baselines
    result["trained_with"] = p.settings_used(variant)  # the variant's own settings may differ from p's
    with open(inputs.history, encoding="utf-8") as f:
        history = json.load(f)
    predicted = np.asarray(result.pop("predicted"))
    result["test_predictions"] = predicted.tolist()
    result["test_sha256"] = path_sha256(inputs.test)[0]
    records = serving.feed(tables.column(test, serving.SERVING_INPUT))
    result["serving_accuracy"], served = serving_accuracy(
        os.path.join(inputs.model_dir, serving.SERVING_DIR), records, labels
    )
    result["serving_agreement"] = float(np.mean(served == predicted)) if len(predicted) else 1.0
    if policy is not None:
        champion = score_champion(policy.registry_uri, study, records, labels, result["test_sha256"])
        result["blessing"] = bless(
            "accuracy", result["accuracy"], policy.threshold, champion, policy.min_improvement, policy.force_register
        ).as_dict()
    examples = None
    if recipe.draws_examples:
        rows = misclassified_rows(labels, predicted, GRID_SIZE)
        names = list(recipe.CLASS_NAMES)
        examples = report.example_grid(recipe.draw_example, hook_table(test), rows, labels, predicted, names)
    data_section = None
    if inputs.data_checks:
        checks = load_checks(inputs.data_checks)
        result["data_checks"] = card_entry(checks)
        data_section = report_data.section(checks)
    facts = {
        "study": study,
        "variant": variant,
        "test rows": tables.num_rows(test),
        "epochs": len(history["loss"]),
        "batch size": result["trained_with"]["batch_size"],
        "learning rate": result["trained_with"]["learning_rate"],
    }
    with open(report_path, "w", encoding="utf-8") as f:
        f.write(report.render(f"{spec.title}: evaluation", result, history, facts, examples, data_section))
    log.info(
        "test accuracy %.4f (serving model %.4f), loss %.4f (majority baseline %.4f; %s)",
        result["accuracy"],
        result["serving_accuracy"],
        result["loss"],
        result["majority_baseline_accuracy"],
        baselines or "no other baselines",
    )
    for warning in baseline_losses(result):
        log.warning("%s", warning)
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
    """Evaluate, then bless against the threshold and the registry's champion scored on
    the same test rows; the result (metrics plus blessing) is written to ``evaluation_path`` as JSON."""
    result = run_evaluate(study, variant, inputs, params, report_path, baselines, policy)
    log.info("blessing: %s", result["blessing"]["reason"])
    with open(evaluation_path, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return result
