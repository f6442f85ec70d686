"""Amazon at the public pair's size: every step's peak RSS, and ingest against ``bzip2 -dc``.

The synthetic pair (``kfp-studies sample amazon``, cached under the work
folder) goes through ingest and preprocess, each in its own process as a
pipeline runs them, so each step's peak RSS is its own. Ingest is paired
(``Plan.scale_repeats`` times) with ``bzip2 -dc`` of both files to
``/dev/null`` (the decompression limit); preprocess runs once and its rate is records per
second. Training and evaluation at this size take hours on two cores, so
they are measured on a bounded number of batches (``Plan.scale_batches``)
streamed from the full-size sharded tables by the study's own ``dataset``
hook into its model: their memory does not grow with the table, which is
what the peak RSS shows, and a whole epoch would only add time.
Cross-validation runs the step's own ``run_fold`` for one fold on the
full-size raw table (the fold's vocabulary fitted and its tables encoded in
full), with its fit and its scoring bounded the same way.
"""

from __future__ import annotations

import os
import time

from bench import stats
from bench.child import run_child, run_process
from bench.plan import Plan

VARIANT = "bi-gru"


def source_folder(plan: Plan, work: str) -> str:
    """The cached synthetic pair at the plan's size (written once, reused by later runs)."""
    folder = os.path.join(work, "data", f"amazon-pair-{plan.amazon_per_class}")
    if not os.path.exists(os.path.join(folder, "test.ft.txt.bz2")):
        run_child("amazon_scale:write_pair", folder=folder, per_class=plan.amazon_per_class)
    return folder


def write_pair(folder: str, per_class: int) -> dict:
    from components.studies.amazon.sample import write_sample

    start = time.perf_counter()
    write_sample(folder, format="ft.txt.bz2", per_class=per_class, seed=0)
    return {"seconds": time.perf_counter() - start}


def _bzip2(folder: str) -> float:
    files = " ".join(f"'{os.path.join(folder, name)}'" for name in ("train.ft.txt.bz2", "test.ft.txt.bz2"))
    return run_process(["sh", "-c", f"bzip2 -dc {files} > /dev/null"]).wall_seconds


def measure(plan: Plan, work: str) -> dict:
    source = source_folder(plan, work)
    out = os.path.join(work, "inputs", plan.name, "amazon-scale")
    os.makedirs(out, exist_ok=True)
    raw = os.path.join(out, "raw")
    ingest: dict[str, list] = {"seconds": [], "peak_rss_mb": []}
    bzip2: list[float] = []
    for _ in range(plan.scale_repeats):
        result, usage = run_child("prepare:ingest", study="amazon", source=source, raw=raw)
        ingest["seconds"].append(usage.wall_seconds)
        ingest["peak_rss_mb"].append(usage.peak_rss_mb)
        bzip2.append(_bzip2(source))
    preprocessed, preprocess_usage = run_child(
        "prepare:preprocess", study="amazon", raw=raw, folder=out, params={"max_tokens": 5500}
    )
    steps = {
        "ingest": {"seconds": stats.spread(ingest["seconds"]), "peak_rss_mb": stats.spread(ingest["peak_rss_mb"])},
        "preprocess": _once(preprocess_usage),
    }
    fold, usage = run_child("amazon_scale:cross_validate_bounded", raw=raw, batches=plan.scale_batches)
    steps["cross_validate"] = {**_once(usage), **fold}
    for step in ("train", "evaluate"):
        bounded, usage = run_child(f"amazon_scale:{step}_bounded", folder=out, batches=plan.scale_batches)
        steps[step] = {**_once(usage), **bounded}
    return {
        "records": result["records"],
        "source_bytes": result["source_bytes"],
        "rows": preprocessed["rows"],
        "steps": steps,
        "bzip2_seconds": stats.spread(bzip2),
        "ingest_over_bzip2": stats.paired_ratios(ingest["seconds"], bzip2),
        "preprocess_records_per_second": result["records"] / preprocess_usage.wall_seconds,
        "batches": plan.scale_batches,
        "repeats": plan.scale_repeats,
    }


def _once(usage) -> dict:
    """A step run once, in the shape of the repeated ones (min = median = the one value)."""
    return {"seconds": stats.spread([usage.wall_seconds]), "peak_rss_mb": stats.spread([usage.peak_rss_mb])}


def _tables(folder: str):
    from bench.prepare import outputs
    from components import tables
    from components.artifacts import load_state
    from components.studies import get_study

    files = outputs(folder)
    return get_study("amazon"), load_state(files.state), files, tables


def train_bounded(folder: str, batches: int) -> dict:
    """``batches`` training batches of the default variant, streamed from the full-size training shards."""
    spec, state, files, tables = _tables(folder)
    p = spec.params.from_mapping({})
    recipe = spec.recipe()
    _, seconds = _fit_batches(recipe, p, VARIANT, state, tables.open_table(files.train), 0, batches)
    return {"rows": tables.num_rows(tables.open_table(files.train)), "fit_seconds": seconds}


def _fit_batches(recipe, p, variant: str, state: dict, table, seed: int, batches: int):
    """A fresh model of ``variant`` fitted on the first ``batches`` shuffled batches of ``table``,
    and the fit's seconds."""
    model = recipe.build_model(state, p, variant)
    data = recipe.dataset(table, state, p.batch_size, True, seed).take(batches)
    start = time.perf_counter()
    model.fit(data, epochs=1, verbose=0, shuffle=False)  # the dataset shuffles itself
    return model, time.perf_counter() - start


def evaluate_bounded(folder: str, batches: int) -> dict:
    """Predictions for ``batches`` batches streamed from the full-size test shards, with the test
    labels read whole as evaluation reads them."""
    spec, state, files, tables = _tables(folder)
    p = spec.params.from_mapping({})
    recipe = spec.recipe()
    model = recipe.build_model(state, p, VARIANT)
    test = tables.open_table(files.test)
    labels = tables.array(test, "label")
    start = time.perf_counter()
    model.predict(recipe.dataset(test, state, p.batch_size, False, 0).take(batches), verbose=0)
    return {"rows": len(labels), "predict_seconds": time.perf_counter() - start}


def cross_validate_bounded(raw: str, batches: int) -> dict:
    """Fold 1 of the default variant by the step's own ``run_fold`` on the full-size raw table; only
    ``components.training``'s fit and scoring are replaced, by ``batches`` batches of each."""
    from components import tables, training
    from components.metrics import classification_metrics
    from components.steps.cross_validate import run_fold

    timed: dict[str, float] = {}

    def fit(recipe, p, variant, state, train, validation, seed, checkpoint_uri=""):
        model, timed["fit_seconds"] = _fit_batches(recipe, p, variant, state, train, seed, batches)
        return model, {"epoch_seconds": [timed["fit_seconds"]]}

    def score(recipe, p, model, state, held, majority, extras=True):
        proba = model.predict(recipe.dataset(held, state, p.batch_size, False, 0).take(batches), verbose=0)
        labels = tables.array(held, "label")[: len(proba)]
        return classification_metrics(labels, proba, list(recipe.CLASS_NAMES), majority) | {"loss": 0.0}

    training.fit_model, training.evaluate_model = fit, score  # this child process only
    fold = run_fold("amazon", raw, {"max_tokens": 5500}, VARIANT, 0, 0)
    return {"rows": fold.train_rows, "held_out_rows": fold.held_out_rows, **timed}
