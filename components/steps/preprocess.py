"""Preprocess: split the raw table, fit the study's transforms on training
rows only, and write model-ready train/validation/test tables.

A sharded raw table (a streaming study's) is worked through shard by shard
and its outputs are sharded too (``components.transform_passes``)."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from components import progress, splits, tables
from components.artifacts import save_state
from components.data_validation import DataCheckPolicy, run_checks
from components.split_checks import check_against_data, load_split_columns
from components.studies import get_study
from components.transform_passes import PreparedRaw, baseline_scores, encode_to, fit_state

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreprocessOutputs:
    """Where preprocess writes: three tables and the fitted state (JSON)."""

    train: str
    validation: str
    test: str
    state: str


@dataclass(frozen=True)
class DataCheck:
    """The data check before training: this run's statistics (from ingest), what to
    compare with and do (``policy``), and the folder the check writes."""

    statistics: str
    policy: DataCheckPolicy
    out: str


def run_preprocess(
    study: str, raw_path: str, params: dict, seed: int, out: PreprocessOutputs, data_check: DataCheck | None = None
) -> dict:
    """Returns the split sizes, each split's class balance (``splits``) and, where the study defines naive baselines
    (e.g. TF-IDF for text), their test scores, fitted on the same training rows.
    With ``data_check``, the data is checked against the champion's once the
    transforms are fitted (the vocabulary is part of the schema), before any
    table is written."""
    spec = get_study(study)
    p = spec.params.from_mapping(params)
    recipe = spec.recipe()
    start = time.monotonic()
    labels, split, group = load_split_columns(raw_path)
    check_against_data(p, labels, split, group, seed)
    train_rows, test_rows = splits.train_test_rows(split, labels, p.test_fraction, seed)
    train_rows, val_rows = splits.hold_out(
        train_rows, labels, seed, count=p.validation_rows, fraction=p.validation_fraction, groups=group
    )
    progress.detail(f"preparing {len(labels):,} records")
    with PreparedRaw(recipe, raw_path) as raw:
        progress.detail(f"fitting transforms on {len(train_rows):,} training rows")
        state = fit_state(raw, train_rows, p)
        if data_check:
            with open(data_check.statistics, encoding="utf-8") as f:
                stats = json.load(f)
            run_checks(study, recipe, raw.stored, raw.sample(), state, stats, data_check.policy, data_check.out)
        progress.detail(f"encoding {len(labels):,} rows")
        # The test rows keep their raw records too: evaluate feeds them to the new and the champion's serving models.
        encode_to(
            raw,
            state,
            [(out.train, train_rows), (out.validation, val_rows), (out.test, test_rows)],
            seed,
            with_serving_inputs=(out.test,),
        )
        save_state(out.state, state)
        counts: dict[str, Any] = {"train": len(train_rows), "validation": len(val_rows), "test": len(test_rows)}
        counts["splits"] = {
            name: {"rows": len(rows), "label_counts": tables.value_counts(labels[rows])}
            for name, rows in (("train", train_rows), ("validation", val_rows), ("test", test_rows))
        }
        sizes = {k: counts[k] for k in ("train", "validation", "test")}
        log.info("split %s; transforms fitted on the %d training rows", sizes, len(train_rows))
        log.info("preprocessed %s", progress.rate(len(labels), time.monotonic() - start, "records"))
        progress.detail("fitting the baselines")
        baselines = baseline_scores(raw, np.concatenate([train_rows, val_rows]), test_rows, seed)
        if baselines:
            counts["baselines"] = baselines
            log.info("baselines on the test rows: %s", baselines)
        progress.result(", ".join(f"{counts[k]:,} {k}" for k in ("train", "validation", "test")) + " rows")
    return counts
