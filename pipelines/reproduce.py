"""``make reproduce``: every study on its real data with its documented configuration, each run
recorded, then ``docs/results.md`` written from those records (``pipelines/results_page.py``).

Each study runs as its own ``kfp-studies run`` process: ``os.wait4`` on it gives the peak resident
memory of that process and of every step it waited for (Linux folds a reaped child's peak into its
parent's), per study, which successive runs inside one process could not tell apart. The record is
written before the run starts and again when it ends, so a run that is stopped or still going is
reported as unfinished rather than missing.

Usage: ``python -m pipelines.reproduce [--datasets DIR] [--only STUDY ...] [--set STUDY.KEY=VALUE ...]``;
``--page-only`` rewrites the page from the records already there.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from typing import Any

from pipelines import results_page
from pipelines.reproduction_plan import PLAN, Reproduction

OUT = "out/reproduce"
PAGE = "docs/results.md"


def commit() -> str:
    """The checkout's commit, marked ``+changes`` when the tree differs from it."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=False).stdout.strip()

    head = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def command_line(r: Reproduction, source: str, extra: dict[str, str]) -> list[str]:
    """The ``kfp-studies run`` arguments: the documented overrides, then this invocation's own."""
    args = ["run", r.study, "--local", "--source", source]
    for key, value in {**r.overrides, **extra}.items():
        args += ["--set", f"{key}={value}"]
    return args


def _write(path: str, record: dict) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1)
    os.replace(tmp, path)


def outputs(pipeline_root: str) -> dict[str, Any]:
    """What the run's own outputs hold: evaluate's evaluation JSON, the CV comparison and its means,
    and the variant train fitted with what it trained with. Missing pieces are left out."""
    found: dict[str, Any] = {}

    def one(pattern: str) -> str | None:
        paths = sorted(glob.glob(os.path.join(pipeline_root, "*", pattern)))
        return paths[-1] if paths else None

    if path := one("evaluate/evaluation"):
        with open(path, encoding="utf-8") as f:
            evaluation = json.load(f)
        keep = ("accuracy", "loss", "macro_f1", "majority_baseline_accuracy", "baselines", "trained_with")
        found["evaluation"] = {k: evaluation[k] for k in keep if k in evaluation}
    if path := one("compare-variants/comparison"):
        with open(path, encoding="utf-8") as f:
            found["comparison"] = f.read()
    if path := one("compare-variants/executor_output.json"):
        with open(path, encoding="utf-8") as f:
            executor = json.load(f)
        (metrics,) = executor["artifacts"]["metrics"]["artifacts"]
        means = {
            k.removesuffix(".mean_accuracy"): v for k, v in metrics["metadata"].items() if k.endswith(".mean_accuracy")
        }
        found["cv_means"] = means
        found["chosen"] = executor["parameterValues"]["Output"]
    return found


def reproduce(r: Reproduction, datasets: str, extra: dict[str, str], out: str = OUT) -> dict | None:
    """Run ``r`` and return its record (also in ``OUT/STUDY/record.json``); None when its data is absent."""
    source = os.path.join(datasets, r.data)
    if not os.path.exists(source):
        return None
    folder = os.path.join(out, r.study)
    shutil.rmtree(folder, ignore_errors=True)  # a fresh run: no fold scores or cache from an earlier one
    os.makedirs(folder)
    args = command_line(r, source, extra)
    target = [
        f"target.{k}={os.path.join(folder, k.removesuffix('_uri'))}"
        for k in ("pipeline_root", "registry_uri", "work_uri")
    ]
    record: dict[str, Any] = {
        "study": r.study,
        "command": "kfp-studies " + shlex.join(args),
        "extra": extra,
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        # Timings mean little without the machine's share: its cores and how busy it was at the start.
        "cpus": os.cpu_count(),
        "load_average_at_start": round(os.getloadavg()[0], 1),
        "status": "running",
        "log": os.path.join(folder, "run.log"),
    }
    path = os.path.join(folder, "record.json")
    _write(path, record)
    start = time.perf_counter()
    with open(record["log"], "w", encoding="utf-8") as log:
        argv = [sys.executable, "-m", "pipelines.cli", *args, *(x for t in target for x in ("--set", t))]
        child = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    record["wall_s"] = round(time.perf_counter() - start, 1)
    # Other work may start during a long run: the mean load over its last 15 minutes, and the CPU
    # seconds the run itself used (the run and every step it waited for), which the load does not inflate.
    record["load_average_15min_at_end"] = round(os.getloadavg()[2], 1)
    record["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    record["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux reports KiB
    record["exit_status"] = os.waitstatus_to_exitcode(status)
    record["status"] = "finished" if record["exit_status"] == 0 else "failed"
    record.update(outputs(os.path.join(folder, "pipeline_root")))
    _write(path, record)
    return record


def mark_stopped(study: str, out: str = OUT) -> dict | None:
    """Record that the run in ``OUT/STUDY`` was stopped before it finished (its runner ended by a
    signal leaves the record at "running"): the time it had run and the last epoch its log shows."""
    path = os.path.join(out, study, "record.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        record = json.load(f)
    if record["status"] != "running":
        return record
    started = datetime.datetime.fromisoformat(record["started"])
    record["wall_s"] = round((datetime.datetime.now(datetime.UTC) - started).total_seconds(), 1)
    record["status"] = "stopped"
    with open(record["log"], encoding="utf-8", errors="replace") as f:
        epochs = [line.strip() for line in f if "val_accuracy" in line and "epoch_seconds" in line]
    record["last_epoch"] = epochs[-1] if epochs else ""
    record["epochs_logged"] = len(epochs)
    _write(path, record)
    return record


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pipelines.reproduce", description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets", default=os.environ.get("DATASETS", "../shared/datasets"), help="real-data folder")
    p.add_argument("--only", nargs="+", metavar="STUDY", help="run these studies only (default: all)")
    p.add_argument("--set", action="append", default=[], metavar="STUDY.KEY=VALUE", help="one run's extra override")
    p.add_argument("--page-only", action="store_true", help="rewrite the page from the records, run nothing")
    p.add_argument("--mark-stopped", nargs="+", default=[], metavar="STUDY", help="record these runs as stopped")
    args = p.parse_args(argv)
    known = {r.study for r in PLAN}
    extra: dict[str, dict[str, str]] = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        study, dot, name = key.partition(".")
        if not (sep and dot and study in known and name):
            p.error(f"--set expects STUDY.KEY=VALUE with STUDY one of {', '.join(sorted(known))}; got {item!r}")
        extra.setdefault(study, {})[name] = value
    unknown = sorted(set(args.only or ()) - known)
    if unknown:
        p.error(f"unknown study {', '.join(unknown)}; expected {', '.join(sorted(known))}")
    for study in args.mark_stopped:
        mark_stopped(study)
    if not args.page_only and not args.mark_stopped:
        for r in PLAN:
            if args.only and r.study not in args.only:
                continue
            record = reproduce(r, args.datasets, extra.get(r.study, {}))
            print(
                f"{r.study}: " + (f"{record['status']} in {record['wall_s']} s" if record else "data absent, skipped")
            )
    earlier = ""
    if os.path.exists(PAGE):
        with open(PAGE, encoding="utf-8") as f:
            earlier = f.read()
    with open(PAGE, "w", encoding="utf-8") as f:
        f.write(results_page.render(PLAN, OUT, args.datasets, earlier))
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
