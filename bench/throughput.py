"""Training throughput and peak RSS per study: our path against the seed's,
alternating within each repeat (the order flips every repeat, so a drift in
the machine's load favours neither side)."""

from __future__ import annotations

import os

from bench import stats
from bench.child import run_child
from bench.plan import Plan, StudyPlan, real_data_path


def training_input(study: StudyPlan, plan: Plan, work: str) -> tuple[str, str]:
    """The folder of the study's preprocessed tables (made once per plan) and what data it is."""
    real = real_data_path(study)
    kind = f"real: {os.path.basename(real)}" if real else f"synthetic sample (size {study.sample_size})"
    folder = os.path.join(work, "inputs", plan.name, study.study)
    if not os.path.exists(os.path.join(folder, "state.json")):
        source = (
            real
            or run_child(
                "prepare:write_source", study=study.study, folder=os.path.join(folder, "source"), size=study.sample_size
            )[0]["source"]
        )
        raw = os.path.join(folder, "raw.npz")
        run_child("prepare:ingest", study=study.study, source=source, raw=raw)
        run_child("prepare:preprocess", study=study.study, raw=raw, folder=folder, params=study.preprocess)
    return folder, kind


def measure_study(study: StudyPlan, plan: Plan, folder: str, data: str) -> dict:
    sides: dict[str, list[dict]] = {"ours": [], "seed": []}
    for repeat in range(plan.training_repeats(study)):
        order = ("ours", "seed") if repeat % 2 == 0 else ("seed", "ours")
        for side in order:
            result, usage = run_child(
                f"training:{side}", study=study.study, folder=folder, epochs=study.epochs, variant=study.variant
            )
            sides[side].append({**result, "peak_rss_mb": usage.peak_rss_mb, "wall_seconds": usage.wall_seconds})
    rate = {side: [r["samples_per_second"] for r in runs] for side, runs in sides.items()}
    rss = {side: [r["peak_rss_mb"] for r in runs] for side, runs in sides.items()}
    return {
        "study": study.study,
        "variant": study.variant,
        "data": data,
        "epochs": study.epochs,
        "timed_epochs": study.epochs - 1,
        "samples_per_epoch": sides["ours"][0]["samples_per_epoch"],
        "parameters": sides["ours"][0]["parameters"],
        "samples_per_second": {side: stats.spread(v) for side, v in rate.items()},
        "peak_rss_mb": {side: stats.spread(v) for side, v in rss.items()},
        "throughput_ratio": stats.paired_ratios(rate["ours"], rate["seed"]),
        "rss_ratio": stats.paired_ratios(rss["ours"], rss["seed"]),
        "training_flops_per_sample": sides["ours"][0]["training_flops_per_sample"],
        "runs": sides,
    }


def runtime_rss_mb() -> float:
    """Peak RSS of a process that only imports TensorFlow and Keras and trains a tiny model."""
    return run_child("training:runtime")[1].peak_rss_mb


def measure(plan: Plan, work: str, mirai_input: str) -> list[dict]:
    results = []
    for study in plan.studies:
        if study.study == "mirai":
            folder, data = mirai_input, f"synthetic full-format CSV ({study.sample_size} rows), via ingest at scale"
        else:
            folder, data = training_input(study, plan, work)
        results.append(measure_study(study, plan, folder, data))
    return results
