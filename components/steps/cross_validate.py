"""Cross-validate: variants x K folds over the training rows, each fold its own task.

The study's transforms are refitted inside every fold, so no fold's score sees
its own held-out data. Fold scores meet again through storage rather than
through KFP's ``dsl.Collected`` (which ``kfp.local`` cannot run): the plan
names a content-addressed result URI per (variant, fold), each fold task
writes its score there, and the comparison reads them back. One code path
serves clusters and local runs, and identical inputs map to the same URIs, so
cached folds are found again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field

import numpy as np

from components import progress, splits, storage, tables
from components.split_checks import check_against_data, load_split_columns
from components.studies import get_study
from components.transform_passes import PreparedRaw, encode_to, fit_state

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
    # What the variant trained with (TrainingParams.settings_used): epochs, batch size, learning rate.
    settings: dict = field(default_factory=dict)


def run_fold(
    study: str, raw_path: str, params: dict, variant: str, seed: int, fold: int, checkpoint_uri: str = ""
) -> FoldScore:
    """Train and score one fold; the unit of work a cluster can run on its own node.

    Keras is imported here, not at module level: the light steps that plan
    the folds and compare their scores import this module too, and would
    otherwise pay for loading TensorFlow (seconds and hundreds of MB each)."""
    from components.training import evaluate_model, fit_model, majority_class

    spec = get_study(study)
    study_params = spec.params.from_mapping(params)
    p = study_params.for_variant(variant)
    recipe = spec.recipe()
    labels, split, group = load_split_columns(raw_path)
    train_rows, _ = splits.train_test_rows(split, labels, p.test_fraction, seed)
    fit_rows, held_rows = splits.folds(train_rows, labels, p.cv_folds, seed, group)[fold]
    # The fold's tables go through files, as preprocess's do, so a sharded raw table stays on disk.
    with tempfile.TemporaryDirectory(prefix="fold-") as work:
        fit_path, held_path = os.path.join(work, "fit.npz"), os.path.join(work, "held.npz")
        with PreparedRaw(recipe, raw_path) as raw:
            state = fit_state(raw, fit_rows, p)
            encode_to(raw, state, [(fit_path, fit_rows), (held_path, held_rows)], seed)
        fit_table, held_table = tables.open_table(fit_path), tables.open_table(held_path)
        model, curves = fit_model(recipe, p, variant, state, fit_table, None, seed, checkpoint_uri)
        progress.detail(f"scoring the {len(held_rows):,} held-out rows")
        scores = evaluate_model(recipe, p, model, state, held_table, majority_class(labels[fit_rows]), extras=False)
    log.info("%s fold %d/%d: accuracy %.4f", variant, fold + 1, p.cv_folds, scores["accuracy"])
    progress.result(f"fold accuracy {scores['accuracy']:.4f}")
    return FoldScore(
        variant,
        fold,
        scores["accuracy"],
        scores["loss"],
        len(fit_rows),
        len(held_rows),
        float(np.mean(curves["epoch_seconds"])),
        study_params.settings_used(variant),
    )


def announce_fold(study: str, params: dict, variant: str, fold: int) -> None:
    """Tell the console which of the plan's tasks this is (``3/8 final fold 2``); cheap, so a
    task can say it before TensorFlow takes seconds to load."""
    p = get_study(study).params.from_mapping(params)
    index = p.variant_names().index(variant) * p.cv_folds + fold + 1
    progress.position(f"{variant} fold {fold + 1}", index, len(p.variant_names()) * p.cv_folds)


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
            "settings": folds[0].settings,
            "folds": [asdict(s) for s in sorted(folds, key=lambda s: s.fold)],
        }
        for variant, folds in by_variant.items()
    }


def comparison_markdown(summary: dict) -> str:
    """The comparison table, as seed 000 laid it out: model, CV mean (± std), per-fold scores, and
    what each variant trained with (they may differ: ``TrainingParams.for_variant``)."""
    lines = [
        "| model | CV mean (± std) | folds | epochs | batch | learning rate | s/epoch |",
        "|---|---|---|---|---|---|---|",
    ]
    for variant, s in ranked(summary):
        folds = ", ".join(f"{f['accuracy']:.2%}" for f in s["folds"])
        used = s.get("settings") or {}
        rate = used.get("learning_rate")
        lines.append(
            f"| {variant} | {s['mean_accuracy']:.2%} (±{s['std_accuracy']:.2%}) | {folds} | "
            f"{used.get('epochs', '?')} | {used.get('batch_size', '?')} | {'' if rate is None else f'{rate:g}'} | "
            f"{s['seconds_per_epoch']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def ranked(summary: dict) -> list[tuple[str, dict]]:
    """The summary's variants, best mean accuracy first (the table's order, here and in the report)."""
    return sorted(summary.items(), key=lambda kv: -kv[1]["mean_accuracy"])


def best_variant(summary: dict) -> str:
    """The variant with the highest mean accuracy (the first listed wins a tie)."""
    return max(summary, key=lambda v: summary[v]["mean_accuracy"])


def check_data(study: str, raw_path: str, params: dict, seed: int) -> None:
    """Refuse, before any fold trains, hold-outs and fold counts that the data cannot fit (see
    ``components.split_checks``); reads only the label, split and group columns."""
    check_against_data(get_study(study).params.from_mapping(params), *load_split_columns(raw_path), seed)


def plan(study: str, dataset_sha256: str, params: dict, seed: int, work_uri: str) -> list[dict]:
    """One item per (variant, fold), each with the URI its score is written to.

    The URIs derive from everything that determines a score (data, study
    parameters, seed), so a rerun on unchanged inputs finds them again."""
    p = get_study(study).params.from_mapping(params)
    identity = json.dumps({"study": study, "data": dataset_sha256, "params": p.as_dict(), "seed": seed}, sort_keys=True)
    cv_id = hashlib.sha256(identity.encode()).hexdigest()[:16]
    pairs = [(v, k) for v in p.variant_names() for k in range(p.cv_folds)]
    return [
        {"variant": v, "fold": k, "result_uri": storage.join(work_uri, "cv", study, cv_id, f"{i:03d}.json")}
        for i, (v, k) in enumerate(pairs)
    ]


def run_fold_to(
    study: str, raw_path: str, params: dict, variant: str, seed: int, fold: int, result_uri: str
) -> FoldScore:
    """Score one fold and write the score where the plan said. The fold's
    training checkpoints live beside it, under the same content address."""
    score = run_fold(study, raw_path, params, variant, seed, fold, result_uri.removesuffix(".json") + ".checkpoint")
    storage.write_bytes(result_uri, json.dumps(asdict(score)).encode())
    return score


def skipped_comparison(study: str, params: dict) -> tuple[str, str]:
    """With ``cv_folds=0`` the plan is empty: the single variant, and a comparison saying so."""
    p = get_study(study).params.from_mapping(params)
    (variant,) = p.variant_names()
    return variant, (
        f"Cross-validation skipped (cv_folds=0): {variant} was trained without a CV estimate; "
        "the test set still scores it.\n"
    )


def collect(items: list[dict]) -> list[FoldScore]:
    """The fold scores the plan's items point at; a missing one is an error naming it."""
    scores = []
    for item in items:
        try:
            scores.append(FoldScore(**json.loads(storage.read_bytes(item["result_uri"]))))
        except storage.NotFound:
            raise storage.NotFound(
                f"no score for {item['variant']} fold {item['fold']} at {item['result_uri']}; "
                "did its cross-validate task run?",
                uri=item["result_uri"],
            ) from None
    return scores
