"""Preprocess: split the raw table, fit the study's transforms on training
rows only, and write model-ready train/validation/test tables."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from components import progress, splits, tables
from components.artifacts import save_state
from components.data_checks import check_against_data
from components.studies import get_study

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreprocessOutputs:
    """Where preprocess writes: three tables and the fitted state (JSON)."""

    train: str
    validation: str
    test: str
    state: str


def run_preprocess(study: str, raw_path: str, params: dict, seed: int, out: PreprocessOutputs) -> dict:
    """Returns the split sizes and, where the study defines naive baselines
    (e.g. TF-IDF for text), their test scores, fitted on the same training rows."""
    spec = get_study(study)
    p = spec.params.from_mapping(params)
    recipe = spec.recipe()
    start = time.monotonic()
    progress.detail("loading the raw table")
    raw = tables.load(raw_path)
    labels, group = tables.array(raw, "label"), tables.optional_array(raw, "group")
    split = tables.optional_array(raw, "split")
    check_against_data(p, labels, split, group, seed)
    train_rows, test_rows = splits.train_test_rows(split, labels, p.test_fraction, seed)
    train_rows, val_rows = splits.hold_out(
        train_rows, labels, seed, count=p.validation_rows, fraction=p.validation_fraction, groups=group
    )
    progress.detail(f"preparing {tables.num_rows(raw):,} records")
    prepared = recipe.prepare(raw)
    progress.detail(f"fitting transforms on {len(train_rows):,} training rows")
    state = recipe.fit(prepared, train_rows, p)
    for name, path, rows in (
        ("train", out.train, train_rows),
        ("validation", out.validation, val_rows),
        ("test", out.test, test_rows),
    ):
        progress.detail(f"encoding {len(rows):,} {name} rows")
        tables.save(path, recipe.encode(prepared, rows, state))
    save_state(out.state, state)
    counts: dict[str, Any] = {"train": len(train_rows), "validation": len(val_rows), "test": len(test_rows)}
    log.info("split %s; transforms fitted on the %d training rows", counts, len(train_rows))
    log.info("preprocessed %s", progress.rate(tables.num_rows(raw), time.monotonic() - start, "records"))
    progress.detail("fitting the baselines")
    baselines = recipe.baselines(prepared, np.concatenate([train_rows, val_rows]), test_rows)
    if baselines:
        counts["baselines"] = baselines
        log.info("baselines on the test rows: %s", baselines)
    progress.result(", ".join(f"{counts[k]:,} {k}" for k in ("train", "validation", "test")) + " rows")
    return counts
