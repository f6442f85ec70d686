"""Run a study's whole pipeline on this machine with ``kfp.local``."""
from __future__ import annotations

import dataclasses
import os
import warnings
from dataclasses import dataclass

from pipelines.compile import build_pipeline
from pipelines.targets import LOCAL, Target


@dataclass(frozen=True)
class LocalRun:
    pipeline_root: str
    registry_uri: str
    metrics: dict
    report: str
    comparison: str


def run_local(study: str, source: str, overrides: dict | None = None, target: Target = LOCAL,
              runner=None) -> LocalRun:
    """Run every step (in subprocesses by default, or with ``runner``), and
    return where the outputs are. Paths in the target are made absolute, since
    steps may run with another working directory or in containers."""
    from kfp import local

    if runner is None:
        # Subprocess runs use this environment, which has the project installed,
        # so kfp's warning about the (container) image does not apply.
        warnings.filterwarnings("ignore", message=".*non-Python base image", category=RuntimeWarning)
    target = dataclasses.replace(target, pipeline_root=os.path.abspath(target.pipeline_root),
                                 registry_uri=_absolute(target.registry_uri), work_uri=_absolute(target.work_uri))
    local.init(runner=runner or local.SubprocessRunner(use_venv=False), pipeline_root=target.pipeline_root,
               raise_on_error=True)
    pipeline = build_pipeline(study, target)
    source = _absolute(source)
    outputs = pipeline(source=source, **(overrides or {})).outputs
    return LocalRun(target.pipeline_root, (overrides or {}).get("registry_uri", target.registry_uri),
                    dict(outputs["metrics"].metadata), outputs["report"].path, outputs["comparison"].path)


def _absolute(uri: str) -> str:
    """Plain paths become absolute; URIs (file:// included) are left as they are."""
    return uri if "://" in uri else os.path.abspath(uri)
