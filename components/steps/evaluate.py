"""Evaluate: score the trained model on the held-out test table, write a report, and bless or not."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import numpy as np

from components import report, report_data, tables
from components.artifacts import load_model, load_state
from components.blessing import bless
from components.data_validation import card_entry, load_checks
from components.registry import Registry
from components.studies import get_study
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
    study: str, variant: str, inputs: EvaluationInputs, params: dict, report_path: str, baselines: dict
) -> dict:
    spec = get_study(study)
    p = spec.params.from_mapping(params)
    recipe = spec.recipe()
    model = load_model(inputs.model_dir)
    test = tables.load(inputs.test)
    majority = majority_class(tables.array(tables.load(inputs.train), "label"))
    result = evaluate_model(recipe, p, model, load_state(inputs.state), test, majority)
    result["baselines"] = baselines
    with open(inputs.history, encoding="utf-8") as f:
        history = json.load(f)
    predicted = np.asarray(result.pop("predicted"))
    examples = None
    if recipe.draws_examples:
        labels = tables.array(test, "label")
        rows = misclassified_rows(labels, predicted, GRID_SIZE)
        examples = report.example_grid(recipe.draw_example, test, rows, labels, predicted, list(recipe.CLASS_NAMES))
    data_section = None
    if inputs.data_checks:
        checks = load_checks(inputs.data_checks)
        result["data_checks"] = card_entry(checks)
        data_section = report_data.section(checks)
    facts = {"study": study, "variant": variant, "test rows": len(test["label"]), "epochs": len(history["loss"])}
    with open(report_path, "w", encoding="utf-8") as f:
        f.write(report.render(f"{spec.title}: evaluation", result, history, facts, examples, data_section))
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
