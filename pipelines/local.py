"""Run a study's whole pipeline on this machine with ``kfp.local``.

While it runs, :class:`pipelines.console.Console` stands in for stdout: one
line per step on the console, each step's output in ``logs/`` of the run's
folder; once it is over, whatever its end, the run's record
(``pipelines.runs``) is written beside them.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import datetime
import logging
import os
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Any

from components import progress
from pipelines import warm_steps
from pipelines.compile import build_pipeline
from pipelines.console import Console, Step
from pipelines.parameters import fixing_named_settings
from pipelines.runs import write_record
from pipelines.targets import LOCAL, Target


class PipelineFailed(RuntimeError):
    """A step failed; the message names the step, its error and its log, not kfp's traceback."""


class RunInterrupted(RuntimeError):
    """Ctrl-C: the message says where the partial outputs are."""


@dataclass(frozen=True)
class LocalRun:
    pipeline_root: str
    registry_uri: str
    metrics: dict
    report: str
    comparison: str
    folder: str = ""


class _RunFolder:
    """The run's folder, which kfp.local names (``<pipeline>-<time>``) and creates when the first
    task starts: the newest folder under the pipeline root that was not there before the run."""

    def __init__(self, pipeline_root: str, fallback: str):
        self.root, self.fallback = pipeline_root, fallback
        self._before = set(self._folders())
        self._found: str | None = None

    def _folders(self) -> list[str]:
        return (
            [n for n in os.listdir(self.root) if os.path.isdir(os.path.join(self.root, n))]
            if os.path.isdir(self.root)
            else []
        )

    def find(self) -> str | None:
        if self._found is None:
            new = [os.path.join(self.root, n) for n in self._folders() if n not in self._before]
            self._found = max(new, key=os.path.getmtime) if new else None
        return self._found

    def logs(self) -> str | None:
        folder = self.find()
        return os.path.join(folder, "logs") if folder else None

    def final(self) -> str:
        """The folder, made under the fallback name if the run failed before kfp.local made one."""
        return self.find() or self.fallback


def run_local(
    study: str,
    source: str,
    overrides: dict | None = None,
    target: Target = LOCAL,
    runner=None,
    *,
    verbose: bool = False,
    out=None,
) -> LocalRun:
    """Run every step (in subprocesses by default, or with ``runner``), and
    return where the outputs are. Paths in the target are made absolute, since
    steps may run with another working directory or in containers. ``out``
    (default: stdout) receives the console; ``verbose`` passes kfp.local's
    whole output through instead."""
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
    overrides = fixing_named_settings(overrides or {})  # as the CLI gives them: named settings win
    source = _absolute(source)
    started, clock = datetime.datetime.now(datetime.UTC), time.monotonic()
    folder = _RunFolder(
        target.pipeline_root, os.path.join(target.pipeline_root, f"{study}-{started:%Y-%m-%d-%H-%M-%S-%f}")
    )
    console = Console(out or sys.stdout, folder.logs, verbose=verbose)
    record: dict[str, Any] = {
        "study": study,
        "source": source,
        "target": target.name,
        "parameters": {**_defaults(pipeline), **(overrides or {}), "source": source},
        "started": started.isoformat(timespec="seconds"),
    }
    launcher = warm_steps.installed() if runner is None else contextlib.nullcontext()
    console.start_ticking()
    try:
        with (
            contextlib.redirect_stdout(console),
            _print_restored(),
            _task_logs_kept(console),
            _progress_events(),
            launcher as warm,
        ):
            try:
                outputs = pipeline(source=source, **(overrides or {})).outputs
            finally:
                record["steps_forked"] = warm.forked if warm else 0  # from the warm-steps server
    except KeyboardInterrupt:
        where = _close(console, folder, record, clock, "interrupted")
        raise RunInterrupted(f"interrupted; partial outputs and logs under {where}") from None
    except RuntimeError:
        where = _close(console, folder, record, clock, "failed")
        failed = _failed_step(console)
        if failed is None:
            raise PipelineFailed(f"the run failed; logs under {where}") from None
        raise PipelineFailed(f"{_failure(failed)} (log: {failed.log})") from None
    except BaseException:  # anything else is a bug (or a test's timeout): record the run, keep the traceback
        _close(console, folder, record, clock, "failed")
        raise
    result = LocalRun(
        target.pipeline_root,
        (overrides or {}).get("registry_uri", target.registry_uri),
        dict(outputs["metrics"].metadata),
        outputs["report"].metadata.get("html_path", outputs["report"].path),  # report.html, which browsers open
        outputs["comparison"].path,
        folder.final(),
    )
    record["metrics"] = result.metrics
    record["report"] = result.report
    _close(console, folder, record, clock, "succeeded")
    return result


def _close(console: Console, folder: _RunFolder, record: dict[str, Any], clock: float, status: str) -> str:
    """Write every log and the run's record; returns the run's folder."""
    where = folder.final()
    # A step still open when the pipeline succeeded lost its status line: it succeeded too.
    console.close_run(os.path.join(where, "logs"), "done" if status == "succeeded" else "stopped")
    now = console.clock()
    steps = console.steps
    data = {s.name: s.data for s in steps}
    failed = _failed_step(console)
    record.update(
        run=os.path.basename(where),
        folder=where,
        status=status,
        seconds=round(time.monotonic() - clock, 1),
        registered=data.get("register", {}).get("version"),
        not_registered=None if data.get("evaluate", {}).get("register", True) else data["evaluate"].get("reason"),
        steps=[s.record(now) for s in steps],
        **({"error": _failure(failed)} if failed else {}),
    )
    write_record(where, record)
    return where


def _failed_step(console: Console) -> Step | None:
    return next((s for s in console.steps if s.state == "failed"), None)


def _failure(step: Step) -> str:
    return f"step {step.title} failed: {step.error or 'it exited with an error; see its log'}"


def _defaults(pipeline) -> dict[str, Any]:
    """The pipeline's parameters with their defaults, for the run's record."""
    return {name: spec.default for name, spec in pipeline.component_spec.inputs.items() if spec.default is not None}


@contextlib.contextmanager
def _progress_events():
    """Ask the steps (subprocesses inherit the environment) for their progress events."""
    before = os.environ.get(progress.ENV)
    os.environ[progress.ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(progress.ENV, None)
        else:
            os.environ[progress.ENV] = before


@contextlib.contextmanager
def _task_logs_kept(stream):
    """Keep every task's status lines while tasks run in parallel.

    kfp.local logs each task's start and end through the root logger inside a
    context that replaces its handlers and, on leaving, restores the handlers
    and level it found. When two fold tasks overlap, the first to finish
    restores the level from before the run (WARNING) and the other's
    ``finished`` line is dropped. With INFO and a handler on ``stream`` in
    place for the whole run, whatever a context restores still logs there."""
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    root.handlers = [logging.StreamHandler(stream)]
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.handlers = handlers
        root.setLevel(level)


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
