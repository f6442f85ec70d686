"""Evaluate: score the trained model on the held-out test table, score it and the
champion through their serving models on the same raw test records, bless or not,
and write the report."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from components import report, report_data, serving, tables
from components.artifacts import load_model, load_state
from components.blessing import bless
from components.champion import score_champion, serving_accuracy
from components.data_validation import card_entry, load_checks
from components.evaluation_warnings import evaluation_warnings
from components.files import path_sha256
from components.report_data import ReportData
from components.studies import get_study
from components.studies.recipe import Recipe, hook_table
from components.training import evaluate_model, majority_class
from components.version import code_version

if TYPE_CHECKING:
    from matplotlib.axes import Axes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvaluationInputs:
    """The artifacts evaluate reads (paths)."""

    model_dir: str
    train: str
    test: str
    state: str
    history: str
    data_checks: str = ""  # preprocess's data check folder: the report's data check section


@dataclass(frozen=True)
class BlessingPolicy:
    registry_uri: str
    threshold: float
    min_improvement: float
    force_register: bool


@dataclass(frozen=True)
class RunContext:
    """What the report says about the run beyond the test scores: the data's provenance and
    splits (ingest, preprocess), the cross-validation summary (compare_variants), and the
    run's id, image and seed (the target)."""

    run_id: str = ""
    image: str = ""
    seed: int | None = None
    data: dict = field(default_factory=dict)
    cross_validation: dict = field(default_factory=dict)


class Evaluation(NamedTuple):
    """The test metrics, the report's content short of the blessing, and the raw test
    records the serving models take, with their labels (the champion is scored on them)."""

    result: dict
    page: ReportData
    records: np.ndarray
    labels: np.ndarray


def run_evaluate(
    study: str,
    variant: str,
    inputs: EvaluationInputs,
    params: dict,
    baselines: dict,
    context: RunContext = RunContext(),
) -> Evaluation:
    """Score the model on the test table, and its serving SavedModel on the same rows' raw records."""
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
    proba = np.asarray(result.pop("proba"))
    result["test_predictions"] = predicted.tolist()
    result["test_sha256"] = path_sha256(inputs.test)[0]
    records = serving.feed(tables.column(test, serving.SERVING_INPUT))
    result["serving_accuracy"], served = serving_accuracy(
        os.path.join(inputs.model_dir, serving.SERVING_DIR), records, labels
    )
    result["serving_agreement"] = float(np.mean(served == predicted)) if len(predicted) else 1.0
    checks = None
    if inputs.data_checks:
        checks = load_checks(inputs.data_checks)
        result["data_checks"] = card_entry(checks)
    run = {
        "study": study,
        "variant": variant,
        "evaluated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "run id": context.run_id or "not recorded",
        "code version": code_version(),
        "image": context.image or "not recorded",
        "seed": "not recorded" if context.seed is None else context.seed,
        "epochs trained": len(history["loss"]),
        "batch size": result["trained_with"]["batch_size"],
        "learning rate": result["trained_with"]["learning_rate"],
        "training time": f"{sum(history.get('epoch_seconds', [])):.1f} s",
        "test rows": len(labels),
    }
    texts = report_data.serving_texts(records) if recipe.EXAMPLES_ARE_TEXT else None
    page = ReportData(
        title=f"{spec.title}: evaluation",
        evaluation=result,
        history=history,
        curves=report_data.curves(labels, proba, result),
        examples=report_data.examples(labels, proba, list(recipe.CLASS_NAMES), texts),
        data=context.data,
        params=p.as_dict(),
        run=run,
        cross_validation=context.cross_validation,
        draw_example=partial(_draw, recipe, hook_table(test)) if recipe.draws_examples else None,
        data_checks=checks,
    )
    log.info(
        "test accuracy %.4f (serving model %.4f), loss %.4f (majority baseline %.4f; %s)",
        result["accuracy"],
        result["serving_accuracy"],
        result["loss"],
        result["majority_baseline_accuracy"],
        baselines or "no other baselines",
    )
    for warning in evaluation_warnings(result):
        log.warning("%s", warning)
    return Evaluation(result, page, records, labels)


def _draw(recipe: Recipe, test: tables.Table, ax: Axes, row: int) -> None:
    recipe.draw_example(ax, test, row)


def run_evaluate_and_bless(
    study: str,
    variant: str,
    inputs: EvaluationInputs,
    params: dict,
    report_path: str,
    evaluation_path: str,
    policy: BlessingPolicy,
    baselines: dict,
    context: RunContext = RunContext(),
) -> dict:
    """Evaluate, score the registry's champion on the same raw test records through its own
    serving model, and bless against the threshold and that score; the result (metrics plus
    blessing) is written to ``evaluation_path`` as JSON, and the report (to ``report_path`` and
    ``report.html`` beside it) once the blessing is known."""
    result, page, records, labels = run_evaluate(study, variant, inputs, params, baselines, context)
    champion = score_champion(policy.registry_uri, study, records, labels, result["test_sha256"])
    result["blessing"] = bless(
        "accuracy", result["accuracy"], policy.threshold, champion, policy.min_improvement, policy.force_register
    ).as_dict()
    log.info("blessing: %s", result["blessing"]["reason"])
    report.save(
        report.render(
            replace(
                page,
                blessing=result["blessing"],
                champion=report_data.champion_scores(champion, result),
                params={**page.params, **asdict(policy)},
            )
        ),
        report_path,
    )
    with open(evaluation_path, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return result
