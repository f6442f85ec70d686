"""Compile: ``kfp-studies compile --all`` in a fresh process, which must not import TensorFlow.

The child runs the CLI's own entry point, then asserts that neither
TensorFlow nor Keras was imported; the wall time measured from outside
includes interpreter start-up and imports, as a user experiences it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from bench import stats
from bench.child import run_child
from bench.plan import Plan

HEAVY = ("tensorflow", "keras")


def compile_all(out: str) -> dict:
    start = time.perf_counter()
    from pipelines.cli import main

    status = main(["compile", "--all", "-o", out])
    seconds = time.perf_counter() - start
    imported = [name for name in HEAVY if name in sys.modules]
    if status != 0 or imported:
        raise SystemExit(f"compile --all: status {status}, imported {imported}")
    return {"in_process_seconds": seconds, "pipelines": len(os.listdir(out)), "heavy_imports": imported}


def measure(plan: Plan, work: str) -> dict:
    walls, inner, rss = [], [], []
    for _ in range(plan.repeats):
        with tempfile.TemporaryDirectory(dir=work) as out:
            result, usage = run_child("compile_time:compile_all", out=out)
        walls.append(usage.wall_seconds)
        inner.append(result["in_process_seconds"])
        rss.append(usage.peak_rss_mb)
    return {
        "wall_seconds": stats.spread(walls),
        "in_process_seconds": stats.spread(inner),
        "pipelines": result["pipelines"],
        "imports_tensorflow": False,
        "peak_rss_mb": stats.spread(rss),
    }
