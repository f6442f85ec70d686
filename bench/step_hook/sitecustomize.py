"""Timestamps from inside each pipeline step's process, for the overhead breakdown.

``bench.pipeline_overhead`` puts this folder on PYTHONPATH and names a log
file in BENCH_STEP_LOG; Python then imports this module at start-up in every
process of the run. It acts only in kfp's step processes
(``kfp.dsl.executor_main``) and appends one JSON line per step: when the
process started (from /proc), when Python reached site start-up, how long
importing kfp took, when the step's function started and ended, the time
spent reading and writing tables (artifact I/O), whether TensorFlow was
imported, and when the process began to exit. In a local run's warm-steps
server (``pipelines.warm_steps``), which forks the steps instead, it installs
the same in each forked step, whose process starts at the fork.
"""

import os
import time

_LOG = os.environ.get("BENCH_STEP_LOG")


def _process_start() -> float:
    """This process's start as a Unix time: its start tick after boot (/proc/self/stat)
    against the time since boot now (/proc/uptime), both to 10 ms."""
    now = time.time()
    with open("/proc/self/stat") as f:
        ticks = float(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return now - (uptime - ticks / os.sysconf("SC_CLK_TCK"))


def _command_line() -> bytes:
    with open("/proc/self/cmdline", "rb") as f:
        return f.read()


def _install(log_path: str, forked: bool = False) -> None:
    import atexit
    import functools
    import inspect
    import json
    import sys

    record = {"process_start": _process_start(), "site": time.time(), "table_io_seconds": 0.0, "forked": forked}
    from kfp.dsl import executor

    from components import tables

    record["kfp_imported"] = time.time()

    def timed_io(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                record["table_io_seconds"] += time.perf_counter() - start

        return wrapper

    tables.load, tables.save = timed_io(tables.load), timed_io(tables.save)
    original_init = executor.Executor.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        function = self.func
        record["task"] = function.__name__

        @functools.wraps(function)
        def timed(*a, **k):
            record["function_start"] = time.time()
            try:
                return function(*a, **k)
            finally:
                record["function_end"] = time.time()

        timed.__signature__ = inspect.signature(function)  # kfp reads the arguments from it
        self.func = timed

    executor.Executor.__init__ = init

    def write() -> None:
        record["exit"] = time.time()
        record["imported_tensorflow"] = not forked and "tensorflow" in sys.modules
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    atexit.register(write)


if _LOG and b"kfp.dsl.executor_main" in _command_line():
    _install(_LOG)
elif _LOG and b"pipelines.warm_steps" in _command_line():
    os.register_at_fork(after_in_child=lambda: _install(_LOG, forked=True))
