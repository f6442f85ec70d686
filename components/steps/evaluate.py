"""Evaluate: score the trained model on the held-out test table, write a report, and bless or not."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import partial

import numpy as np

from components import report, report_data, tables
from components.artifacts import load_model, load_state
from components.blessing import bless
from components.registry import Registry
from components.report_data import ReportData
from components.studies import get_study
from components.training import evaluate_model, majority_class
from components.version import code_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvaluationInputs:
    """The artifacts evaluate reads (paths). ``raw`` is the ingested table: the report
    shows the text of misclassified rows from it, for studies that name a text column."""

    model_dir: str
    train: str
    test: str
    state: str
    history: str
    raw: str = ""


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


def run_evaluate(
    study: str,
    variant: str,
    inputs: EvaluationInputs,
    params: dict,
    baselines: dict,
    context: RunContext = RunContext(),
) -> tuple[dict, ReportData]:
    """The test metrics, and the report's content short of the blessing (which follows)."""
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
    result.pop("predicted")
    proba, labels = np.asarray(result.pop("proba")), tables.array(test, "label")
    texts = None
    if recipe.EXAMPLE_TEXT and inputs.raw and "raw_row" in test:
        texts = report_data.raw_texts(test, inputs.raw, recipe.EXAMPLE_TEXT)
    run = {
        "study": study,
        "variant": variant,
        "evaluated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "run id": context.run_id or "not recorded",
        "code version": code_version(),
        "image": context.image or "not recorded",
        "seed": "not recorded" if context.seed is None else context.seed,
        "epochs trained": len(history["loss"]),
        "training time": f"{sum(history.get('epoch_seconds', [])):.1f} s",
        "test rows": len(labels),
    }
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
        draw_example=partial(_draw, recipe, test) if recipe.draws_examples else None,
    )
    log.info(
        "test accuracy %.4f, loss %.4f (majority baseline %.4f; %s)",
        result["accuracy"],
        result["loss"],
        result["majority_baseline_accuracy"],
        baselines or "no other baselines",
    )
    return result, page


def _draw(recipe, test: tables.Table, ax, row: int) -> None:
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
    """Evaluate, then bless against the threshold and the registry's champion;
    the result (metrics plus blessing) is written to ``evaluation_path`` as JSON, and
    the report (to ``report_path`` and ``report.html`` beside it) once the blessing is known."""
    result, page = run_evaluate(study, variant, inputs, params, baselines, context)
    champion = Registry(policy.registry_uri).champion(study)
    result["blessing"] = bless(
        "accuracy", result["accuracy"], policy.threshold, champion, policy.min_improvement, policy.force_register
    ).as_dict()
    log.info("blessing: %s", result["blessing"]["reason"])
    report.save(
        report.render(
            replace(
                page,
                blessing=result["blessing"],
                champion=champion and {**champion, "source": "its registry card, scored on its own run's test rows"},
                params={**page.params, **asdict(policy)},
            )
        ),
        report_path,
    )
    with open(evaluation_path, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return result
