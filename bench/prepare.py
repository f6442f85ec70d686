"""Child measurements that make training input the way the pipeline does:
write a source (a synthetic sample), ingest it, preprocess it.

The same functions serve the ingest-at-scale measurement (timed, one
process per step as in a pipeline) and the preparation of every study's
training tables (untimed). Outputs are cached by the caller's paths, never
committed (they live under ``out/``).
"""

from __future__ import annotations

import os
import time

from components.steps.ingest import run_ingest
from components.steps.preprocess import PreprocessOutputs, run_preprocess

SEED = 42


def outputs(folder: str) -> PreprocessOutputs:
    """Where preprocess writes in ``folder``."""
    return PreprocessOutputs(
        *(os.path.join(folder, name) for name in ("train.npz", "validation.npz", "test.npz", "state.json"))
    )


def write_source(study: str, folder: str, size: int) -> dict:
    """A synthetic source of ``size`` (the generator's per_class; mirai: rows)."""
    from components.studies import get_study

    size_option = {"rows": size} if study == "mirai" else {"per_class": size}
    return {"source": get_study(study).sampler().write_sample(folder, seed=0, **size_option)}


def ingest(study: str, source: str, raw: str) -> dict:
    start = time.perf_counter()
    summary = run_ingest(study, source, raw)
    return {"seconds": time.perf_counter() - start, "records": summary.records, "source_bytes": summary.source_bytes}


def preprocess(study: str, raw: str, folder: str, params: dict) -> dict:
    start = time.perf_counter()
    counts = run_preprocess(study, raw, params, SEED, outputs(folder))
    return {"seconds": time.perf_counter() - start, "rows": {k: counts[k] for k in ("train", "validation", "test")}}
