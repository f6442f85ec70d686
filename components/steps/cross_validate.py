"""Cross-validate: K folds over the training rows, the study's transforms
refitted inside every fold, so no fold's score sees its own held-out data."""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import numpy as np

from components import splits, tables
from components.steps.evaluate import evaluate_model, majority_class
from components.steps.train import fit_model
from components.studies import get_study

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoldScore:
    variant: str
    fold: int
    accuracy: float
    loss: float
    train_rows: int
    held_out_rows: int
    seconds_per_epoch: float


def run_fold(study: str, raw_path: str, params: dict, variant: str, seed: int, fold: int) -> FoldScore:
    """Train and score one fold; the unit of work a cluster can run on its own node."""
    spec = get_study(study)
    p = spec.params.from_mapping(params)
    recipe = spec.recipe()
    raw = tables.load(raw_path)
    labels = raw["label"]
    train_rows, _ = splits.train_test_rows(raw.get("split"), labels, getattr(p, "test_fraction", 0.0), seed)
    fit_rows, held_rows = splits.folds(train_rows, labels, p.cv_folds, seed, raw.get("group"))[fold]
    prepared = recipe.prepare(raw)
    state = recipe.fit(prepared, fit_rows, p)
    fit_table, held_table = recipe.encode(prepared, fit_rows, state), recipe.encode(prepared, held_rows, state)
    model, curves = fit_model(recipe, p, variant, state, fit_table, None, seed)
    scores = evaluate_model(recipe, p, model, state, held_table, majority_class(labels[fit_rows]))
    log.info("%s fold %d/%d: accuracy %.4f", variant, fold + 1, p.cv_folds, scores["accuracy"])
    return FoldScore(variant, fold, scores["accuracy"], scores["loss"], len(fit_rows), len(held_rows),
                     float(np.mean(curves["epoch_seconds"])))


def summarize(scores: list[FoldScore]) -> dict:
    """Per variant: mean and standard deviation of fold accuracy, and the folds themselves."""
    by_variant: dict[str, list[FoldScore]] = {}
    for score in scores:
        by_variant.setdefault(score.variant, []).append(score)
    return {
        variant: {
            "mean_accuracy": float(np.mean([s.accuracy for s in folds])),
            "std_accuracy": float(np.std([s.accuracy for s in folds])),
            "seconds_per_epoch": float(np.mean([s.seconds_per_epoch for s in folds])),
            "folds": [asdict(s) for s in sorted(folds, key=lambda s: s.fold)],
        }
        for variant, folds in by_variant.items()
    }


def comparison_markdown(summary: dict) -> str:
    """The comparison table, as seed 000 laid it out: model, CV mean (± std), per-fold scores."""
    lines = ["| model | CV mean (± std) | folds | s/epoch |", "|---|---|---|---|"]
    for variant, s in sorted(summary.items(), key=lambda kv: -kv[1]["mean_accuracy"]):
        folds = ", ".join(f"{f['accuracy']:.2%}" for f in s["folds"])
        lines.append(f"| {variant} | {s['mean_accuracy']:.2%} (±{s['std_accuracy']:.2%}) | {folds} | "
                     f"{s['seconds_per_epoch']:.2f} |")
    return "\n".join(lines) + "\n"


def parse_variants(variants: str) -> list[str]:
    names = [v.strip() for v in variants.split(",") if v.strip()]
    if not names:
        raise ValueError("no variants to compare: give a comma-separated list of variant names")
    return names


def best_variant(summary: dict) -> str:
    """The variant with the highest mean accuracy (the first listed wins a tie)."""
    return max(summary, key=lambda v: summary[v]["mean_accuracy"])


def run_cross_validation(study: str, raw_path: str, params: dict, seed: int) -> dict:
    """Every fold of every listed variant, in this process."""
    p = get_study(study).params.from_mapping(params)
    return summarize([
        run_fold(study, raw_path, params, variant, seed, k)
        for variant in parse_variants(p.variants)
        for k in range(p.cv_folds)
    ])
