"""Ingest at scale: mirai's full-size synthetic CSV through our ingest and
preprocess, against the decompression limit (``gzip -dc file > /dev/null``),
alternating within each repeat, and against pandas.read_csv of the whole
file in the first ``Plan.reference_repeats`` (no goal is checked against it).

Ours is timed as a pipeline runs it: two processes (ingest, then
preprocess), wall time summed (interpreter start and imports included),
peak RSS the larger of the two. Its output is also mirai's training input.
"""

from __future__ import annotations

import os

from bench import stats
from bench.child import run_child, run_process
from bench.plan import Plan

DATA_FILE = "Mirai_dataset.csv.gz"


def pandas_read(path: str) -> dict:
    import pandas as pd

    frame = pd.read_csv(path)
    return {"rows": len(frame), "columns": frame.shape[1]}


def source_folder(plan: Plan, work: str) -> str:
    """The cached synthetic pair at the plan's size (written once, reused by later runs)."""
    rows = plan.study("mirai").sample_size
    folder = os.path.join(work, "data", f"mirai-{rows}")
    if not os.path.exists(os.path.join(folder, "Mirai_labels.csv.gz")):
        run_child("prepare:write_source", study="mirai", folder=folder, size=rows)
    return folder


def measure(plan: Plan, work: str) -> dict:
    source = source_folder(plan, work)
    data_file = os.path.join(source, DATA_FILE)
    out = os.path.join(work, "inputs", plan.name, "mirai")
    os.makedirs(out, exist_ok=True)
    raw = os.path.join(out, "raw.npz")
    runs: dict[str, dict[str, list]] = {k: {"seconds": [], "peak_rss_mb": []} for k in ("ours", "pandas", "gzip")}
    inner: dict[str, list] = {"ingest": [], "preprocess": []}
    for repeat in range(plan.repeats):
        ingested, ingest_usage = run_child("prepare:ingest", study="mirai", source=source, raw=raw)
        preprocessed, preprocess_usage = run_child(
            "prepare:preprocess", study="mirai", raw=raw, folder=out, params=plan.study("mirai").preprocess
        )
        inner["ingest"].append(ingested["seconds"])
        inner["preprocess"].append(preprocessed["seconds"])
        runs["ours"]["seconds"].append(ingest_usage.wall_seconds + preprocess_usage.wall_seconds)
        runs["ours"]["peak_rss_mb"].append(max(ingest_usage.peak_rss_mb, preprocess_usage.peak_rss_mb))
        if repeat < plan.reference_repeats:
            _, usage = run_child("ingest_scale:pandas_read", path=data_file)
            runs["pandas"]["seconds"].append(usage.wall_seconds)
            runs["pandas"]["peak_rss_mb"].append(usage.peak_rss_mb)
        usage = run_process(["sh", "-c", f"gzip -dc '{data_file}' > /dev/null"])
        runs["gzip"]["seconds"].append(usage.wall_seconds)
        runs["gzip"]["peak_rss_mb"].append(usage.peak_rss_mb)
    return {
        "rows": ingested["records"],
        "gzip_bytes": os.path.getsize(data_file),
        "runs": {name: {k: stats.spread(v) for k, v in run.items()} for name, run in runs.items()},
        "in_process_seconds": {step: stats.spread(v) for step, v in inner.items()},
        "ours_over_gzip": stats.paired_ratios(runs["ours"]["seconds"], runs["gzip"]["seconds"]),
        "ours_over_pandas": stats.paired_ratios(
            runs["ours"]["seconds"][: len(runs["pandas"]["seconds"])], runs["pandas"]["seconds"]
        ),
        "training_input": out,
    }
