"""Run one measurement in a fresh process and get its wall time and peak RSS.

A measurement is a function ``module:function`` of ``bench`` that takes
keyword arguments and returns a JSON-able dict. Running each one in its own
process is what makes peak RSS per measurement: ``os.wait4`` returns the
resource usage of exactly that child (and anything it waited for), and no
memory or warm caches carry over from one measurement to the next.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOG_DIR_VARIABLE = "BENCH_LOG_DIR"  # where children's output goes (the terminal when unset)


@dataclass(frozen=True)
class ProcessUsage:
    wall_seconds: float
    peak_rss_mb: float


class MeasurementFailed(RuntimeError):
    """A measurement's process exited with an error (its output: children.log, or the terminal)."""


def run_process(argv: list[str], env: dict | None = None, output=None) -> ProcessUsage:
    """Run ``argv`` to completion (its stdout and stderr to ``output`` when given);
    its wall time and peak resident set size."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=output, stderr=output)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise MeasurementFailed(f"{' '.join(argv)} exited with status {process.returncode}")
    return ProcessUsage(wall, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def run_child(target: str, env: dict | None = None, **kwargs) -> tuple[dict, ProcessUsage]:
    """Run ``bench.<target>`` (``module:function``) in a child Python; its result and usage.
    Its output goes to ``$BENCH_LOG_DIR/children.log`` when that is set; a line per child to stdout."""
    log_dir = os.environ.get(LOG_DIR_VARIABLE)
    log = open(os.path.join(log_dir, "children.log"), "a", encoding="utf-8") if log_dir else None
    with tempfile.NamedTemporaryFile(suffix=".json") as out, log or contextlib.nullcontext():
        if log:
            log.write(f"\n=== {target} {kwargs}\n")
            log.flush()
        argv = [sys.executable, "-m", "bench.child", target, json.dumps(kwargs), out.name]
        usage = run_process(argv, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}, output=log)
        print(f"{target} {_brief(kwargs)}: {usage.wall_seconds:.1f} s, peak RSS {usage.peak_rss_mb:.0f} MB", flush=True)
        with open(out.name, encoding="utf-8") as f:
            return json.load(f), usage


def _brief(kwargs: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in kwargs.items() if k in ("study", "size", "epochs", "variant"))


def main(target: str, kwargs_json: str, out_path: str) -> None:
    module, function = target.split(":")
    result = getattr(importlib.import_module(f"bench.{module}"), function)(**json.loads(kwargs_json))
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(*sys.argv[1:])
