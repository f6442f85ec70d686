"""The history of local runs: a ``run.json`` in each run's folder, and reading them back.

kfp.local leaves a folder per run under the pipeline root but nothing that
says whether the run succeeded, what it was given or what it produced, so a
failed or interrupted run looked like a good one. :func:`write_record` is
called once the run is over, whatever its end; ``runs list`` and ``runs
show`` read the records back.
"""

from __future__ import annotations

import json
import os
from typing import Any

from components.files import atomic_write
from components.studies import ParameterError

RECORD = "run.json"
STATUSES = ("succeeded", "failed", "interrupted")


def write_record(folder: str, record: dict[str, Any]) -> str:
    """Write ``record`` as the run's ``run.json`` (whole or not at all); returns its path."""
    path = os.path.join(folder, RECORD)
    text = json.dumps(record, indent=2, sort_keys=True, default=str) + "\n"
    atomic_write(path, lambda f: f.write(text.encode()))
    return path


def read_records(pipeline_root: str) -> list[dict[str, Any]]:
    """Every run recorded under ``pipeline_root``, oldest first (folders without a record are skipped)."""
    if not os.path.isdir(pipeline_root):
        return []
    records = []
    for name in os.listdir(pipeline_root):
        path = os.path.join(pipeline_root, name, RECORD)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                records.append(json.load(f))
    return sorted(records, key=lambda r: r.get("started", ""))


def find_record(pipeline_root: str, run: str) -> dict[str, Any]:
    """The record of ``run``: its folder name, a unique prefix of it, or ``latest``."""
    records = read_records(pipeline_root)
    if not records:
        raise ParameterError(f"no recorded runs under {pipeline_root}")
    if run == "latest":
        return records[-1]
    matches = [r for r in records if r["run"] == run] or [r for r in records if r["run"].startswith(run)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(r["run"] for r in records[-5:])
    if not matches:
        raise ParameterError(f"no run {run!r} under {pipeline_root}; recent runs: {known}")
    raise ParameterError(f"{run!r} matches {len(matches)} runs; give more of the name ({known})")


def summary_line(record: dict[str, Any]) -> str:
    """One row of ``runs list``: run, status, start, duration, accuracy, and what was registered."""
    accuracy = record.get("metrics", {}).get("accuracy")
    score = f"{accuracy:.4f}" if isinstance(accuracy, (int, float)) else "-"
    return (
        f"{record['run']:<44} {record['status']:<11} {record.get('started', '')[:19]:<19} "
        f"{record.get('seconds', 0):>8.1f} {score:>8}  {outcome(record)}"
    )


def outcome(record: dict[str, Any]) -> str:
    """What became of the model: the version registered, or why none was."""
    if record.get("registered"):
        return f"registered {record['registered']}"
    if record["status"] != "succeeded":
        return record.get("error", "") or record["status"]
    return f"not registered: {record.get('not_registered') or 'no reason recorded'}"


HEADER = f"{'run':<44} {'status':<11} {'started (UTC)':<19} {'seconds':>8} {'accuracy':>8}  outcome"
