"""What a finished kfp.local run left behind, read by what the tests mean.

The tests say which task and which output they look at; where kfp.local keeps
them (``<pipeline_root>/<run>/<task>/executor_output.json``, loops under
``for-loop-*``) and the shape of that JSON are known here only. Registered
models are read through the registry's own API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from components.registry import Registry

# The tasks of every study's pipeline outside the cross-validation loop, sorted.
PIPELINE_TASKS = ["compare-variants", "evaluate", "ingest", "plan-folds", "preprocess", "register", "train"]


def latest_run(pipeline_root: str | Path) -> Path:
    """The folder of the newest run under a pipeline root."""
    return max((p for p in Path(pipeline_root).iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)


def tasks_run(run_dir: Path) -> list[str]:
    """The tasks outside loops that finished, sorted."""
    return sorted(p.parent.name for p in run_dir.glob("*/executor_output.json"))


def task_started(run_dir: Path, task: str) -> bool:
    """Whether a task outside loops was started at all (a task a condition skipped never is)."""
    return (run_dir / task).exists()


def cross_validation_tasks_run(run_dir: Path) -> int:
    """How many cross-validate tasks (one per variant and fold) finished."""
    return len(list(run_dir.glob("for-loop-*/cross-validate/executor_output.json")))


def assert_full_run(run_dir: Path, *, variants: str, folds: int) -> None:
    """Every task ran, and cross-validation ran one task for each of ``variants`` (comma-separated) and folds."""
    assert tasks_run(run_dir) == PIPELINE_TASKS
    expected = len(variants.split(",")) * folds
    assert cross_validation_tasks_run(run_dir) == expected, f"{variants} x {folds} folds, each its own task"


def _executor_output(run_dir: Path, task: str) -> dict:
    return json.loads((run_dir / task / "executor_output.json").read_text())


def output_parameter(run_dir: Path, task: str, name: str = "Output") -> Any:
    """A parameter a task returned (a plain return value is named ``Output``)."""
    return _executor_output(run_dir, task)["parameterValues"][name]


def _artifact(run_dir: Path, task: str, artifact: str) -> dict:
    [written] = _executor_output(run_dir, task)["artifacts"][artifact]["artifacts"]
    return written


def artifact_metadata(run_dir: Path, task: str, artifact: str) -> dict:
    """The metadata a task set on one of its output artifacts."""
    return _artifact(run_dir, task, artifact)["metadata"]


def artifact_path(run_dir: Path, task: str, artifact: str) -> Path:
    """Where a task's output artifact is (a file or folder)."""
    return Path(_artifact(run_dir, task, artifact)["uri"])


def artifact_json(run_dir: Path, task: str, artifact: str) -> Any:
    """The content of a task's output artifact that is a JSON file."""
    return json.loads(Path(_artifact(run_dir, task, artifact)["uri"]).read_text())


def champion_card(registry_uri: str, study: str) -> dict:
    """The card of the study's champion; the run must have promoted one."""
    card = Registry(registry_uri).champion(study)
    assert card is not None, f"no champion of {study} in {registry_uri}"
    return card


def registered_file(registry_uri: str, card: dict, relative: str) -> Path:
    """A file of a registered version, where the registry's layout puts it (docs/storage.md)."""
    return Path(registry_uri, card["study"], card["version"], relative)
