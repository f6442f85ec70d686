"""Preprocess: split the raw table, fit the study's transforms on training
rows only, and write model-ready train/validation/test tables."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from components import splits, tables
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
    """Returns the split sizes, each split's class balance (``splits``) and, where the study defines naive baselines
    (e.g. TF-IDF for text), their test scores, fitted on the same training rows."""
    spec = get_study(study)
    p = spec.params.from_mapping(params)
    recipe = spec.recipe()
    raw = tables.load(raw_path)
    labels, group = tables.array(raw, "label"), tables.optional_array(raw, "group")
    split = tables.optional_array(raw, "split")
    check_against_data(p, labels, split, group, seed)
    train_rows, test_rows = splits.train_test_rows(split, labels, p.test_fraction, seed)
    train_rows, val_rows = splits.hold_out(
        train_rows, labels, seed, count=p.validation_rows, fraction=p.validation_fraction, groups=group
    )
    prepared = recipe.prepare(raw)
    state = recipe.fit(prepared, train_rows, p)
    for path, rows in ((out.train, train_rows), (out.validation, val_rows), (out.test, test_rows)):
        encoded = recipe.encode(prepared, rows, state)
        if path == out.test:
            encoded["raw_row"] = rows  # the report reads misclassified rows' raw text through it
        tables.save(path, encoded)
    save_state(out.state, state)
    counts: dict[str, Any] = {"train": len(train_rows), "validation": len(val_rows), "test": len(test_rows)}
    counts["splits"] = {
        name: {"rows": len(rows), "label_counts": tables.value_counts(labels[rows])}
        for name, rows in (("train", train_rows), ("validation", val_rows), ("test", test_rows))
    }
    log.info("split %s; transforms fitted on the %d training rows", counts, len(train_rows))
    baselines = recipe.baselines(prepared, np.concatenate([train_rows, val_rows]), test_rows)
    if baselines:
        counts["baselines"] = baselines
        log.info("baselines on the test rows: %s", baselines)
    return counts
