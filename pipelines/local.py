"""Run a study's whole pipeline on this machine with ``kfp.local``."""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import io
import os
import re
import sys
import warnings
from dataclasses import dataclass

from pipelines.compile import build_pipeline
from pipelines.targets import LOCAL, Target

_EXCEPTION_LINE = re.compile(r"^\s*((?:\w+\.)*\w*(?:Error|Exception|Exists|NotFound|Failed|Pickle|Path)): (.+)$")
_FAILED_TASK = re.compile(r"Inner task failed: '([\w-]+)'")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class PipelineFailed(RuntimeError):
    """A step failed; the message names the step and its error, not kfp's traceback."""


class _StdoutTee(io.TextIOBase):
    """Passes the steps' streamed logs through and keeps the last exception line seen."""

    def __init__(self, out):
        self._out = out
        self.last_error = ""

    def write(self, text: str) -> int:
        for line in text.splitlines():
            match = _EXCEPTION_LINE.match(line)
            if match:
                self.last_error = f"{match.group(1)}: {match.group(2)}"
        return self._out.write(text)

    def flush(self) -> None:
        self._out.flush()


@dataclass(frozen=True)
class LocalRun:
    pipeline_root: str
    registry_uri: str
    metrics: dict
    report: str
    comparison: str


def run_local(study: str, source: str, overrides: dict | None = None, target: Target = LOCAL, runner=None) -> LocalRun:
    """Run every step (in subprocesses by default, or with ``runner``), and
    return where the outputs are. Paths in the target are made absolute, since
    steps may run with another working directory or in containers."""
    from kfp import local

    if runner is None:
        # Subprocess runs use this environment, which has the project installed,
        # so kfp's warning about the (container) image does not apply.
        warnings.filterwarnings("ignore", message=".*non-Python base image", category=RuntimeWarning)
    target = dataclasses.replace(
        target,
        pipeline_root=os.path.abspath(target.pipeline_root),
        registry_uri=_absolute(target.registry_uri),
        work_uri=_absolute(target.work_uri),
    )
    local.init(
        runner=runner or local.SubprocessRunner(use_venv=False), pipeline_root=target.pipeline_root, raise_on_error=True
    )
    pipeline = build_pipeline(study, target)
    source = _absolute(source)
    tee = _StdoutTee(sys.stdout)
    try:
        with contextlib.redirect_stdout(tee), _print_restored():
            outputs = pipeline(source=source, **(overrides or {})).outputs
    except RuntimeError as exc:
        task = _FAILED_TASK.search(_ANSI.sub("", str(exc)))
        raise PipelineFailed(
            f"step {task.group(1) if task else '?'} failed: {tee.last_error or exc} "
            f"(its log is above; outputs under {target.pipeline_root})"
        ) from None
    return LocalRun(
        target.pipeline_root,
        (overrides or {}).get("registry_uri", target.registry_uri),
        dict(outputs["metrics"].metadata),
        outputs["report"].metadata.get("html_path", outputs["report"].path),  # report.html, which browsers open
        outputs["comparison"].path,
    )


@contextlib.contextmanager
def _print_restored():
    """Put ``builtins.print`` back after the run.

    kfp.local indents task logs by swapping ``builtins.print`` per task; when
    two ParallelFor iterations run on threads at once, one restores the
    other's indented print, and every later print in this process is indented.
    """
    original = builtins.print
    try:
        yield
    finally:
        builtins.print = original


def _absolute(uri: str) -> str:
    """Plain paths become absolute; URIs (file:// included) are left as they are."""
    return uri if "://" in uri else os.path.abspath(uri)
