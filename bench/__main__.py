"""``python -m bench``: run every measurement and write the report (``make bench``).

Measurements, in this order (mirai's training reads what ingest at scale wrote):
matmul (the machine's float32 rate), ingest at scale (mirai, and amazon's
every step at the public pair's size), training throughput per
study, pipeline overhead, compile. ``--quick`` runs a small plan for
development and writes under out/bench unless ``--out`` says otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
import time
from datetime import UTC, datetime

from bench import amazon_scale, compile_time, ingest_scale, machine, pipeline_overhead, report, targets, throughput
from bench.child import LOG_DIR_VARIABLE, REPO, run_child
from bench.plan import FULL, QUICK

MEASUREMENTS = ("matmul", "ingest", "training", "pipeline", "compile")


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes, 1 repeat: for development and tests")
    p.add_argument("--repeats", type=int, help="repeats of every measurement (default: the plan's)")
    p.add_argument(
        "--only",
        nargs="+",
        choices=MEASUREMENTS,
        default=list(MEASUREMENTS),
        help="run only these measurements (ingest is needed for mirai's training)",
    )
    p.add_argument("--studies", nargs="+", help="train only these studies (amazon's ingest at scale runs only with it)")
    p.add_argument("--work", default="out/bench", help="scratch folder: samples, tables, runs (default: out/bench)")
    p.add_argument("--out", help="folder for benchmarks.md and .json (default: docs, or out/bench with --quick)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    plan = QUICK if args.quick else FULL
    if args.repeats:
        plan = plan.with_repeats(args.repeats)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    os.environ[LOG_DIR_VARIABLE] = work
    print(
        f"measuring ({plan.name} plan, {plan.repeats} repeats); every child's output: {work}/children.log", flush=True
    )
    started, start = datetime.now(UTC), time.perf_counter()
    results: dict = {
        "command": shlex.join([os.path.relpath(sys.executable, REPO), "-m", "bench", *argv]),
        "plan": plan.name,
        "repeats": plan.repeats,
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "machine": machine.describe(),
        "load_start": machine.load_average(),
        "training": [],
    }
    if "matmul" in args.only:
        results["matmul"] = run_child("training:matmul", size=plan.matmul_size)[0]
    if "ingest" in args.only:
        results["ingest"] = ingest_scale.measure(plan, work)
        if not args.studies or "amazon" in args.studies:
            results["amazon_scale"] = amazon_scale.measure(plan, work)
    if "training" in args.only:
        mirai_input = results.get("ingest", {}).get("training_input")
        trained = tuple(
            s
            for s in plan.studies
            if (not args.studies or s.study in args.studies) and (mirai_input or s.study != "mirai")
        )
        results["training"] = throughput.measure(dataclasses.replace(plan, studies=trained), work, mirai_input)
        results["tensorflow_runtime_rss_mb"] = throughput.runtime_rss_mb()
    if "pipeline" in args.only:
        results["pipeline"] = pipeline_overhead.measure(plan, work)
    if "compile" in args.only:
        results["compile"] = compile_time.measure(plan, work)
    results["load_end"] = machine.load_average()
    results["run_seconds"] = time.perf_counter() - start
    results["targets"] = targets.check(results)
    out = args.out or (work if args.quick else os.path.join(REPO, "docs"))
    os.makedirs(out, exist_ok=True)
    report.write(results, os.path.join(out, "benchmarks.md"), os.path.join(out, "benchmarks.json"))
    print(f"wrote {os.path.join(out, 'benchmarks.md')} and benchmarks.json in {results['run_seconds'] / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
