"""Progress events a step emits for the console of a local run.

A local run (``pipelines.local``) turns each step's flood of output into one
live line; for that it needs to know where a step is (``cross-validate 3/8
final fold 2``), how far it has got (``epoch 4/7, ETA 9 s``) and what it
produced (``1,000 records``). Steps say so with :func:`position`,
:func:`detail` and :func:`result`, which print one machine-readable line
each, but only when the run asked for them by setting :data:`ENV`: on a
cluster nothing extra reaches the step's log. Human-readable lines stay the
job of ``logging``.

:class:`ByteProgress` reports how far a reader has got through its source
without the reader's help: it samples the bytes this process has read
(``/proc/self/io``), so every study's reader is covered as it is.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

ENV = "KFP_STUDIES_PROGRESS"
PREFIX = "kfp-studies-progress "


def enabled() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


def emit(kind: str, **fields: Any) -> None:
    """One event line on stdout, flushed at once so the console sees it while the step runs."""
    if enabled():
        sys.stdout.write(PREFIX + json.dumps({"kind": kind, **fields}) + "\n")
        sys.stdout.flush()


def position(label: str, index: int, count: int) -> None:
    """Which of ``count`` like tasks this is (1-based), and what it works on."""
    emit("position", label=label, index=index, count=count)


def detail(text: str) -> None:
    """How far the step has got; replaces the previous detail."""
    emit("detail", text=text)


def result(text: str, **data: Any) -> None:
    """The step's key figure, shown when it ends; ``data`` is kept in the run's record."""
    emit("result", text=text, data=data)


def duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``1 h 02 min``: short enough for a status line."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _bytes_read() -> int | None:
    """Bytes this process has read through system calls so far, where Linux tells."""
    try:
        with open("/proc/self/io", encoding="ascii") as f:
            for line in f:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class ByteProgress:
    """While the ``with`` block runs, a ``detail`` every ``interval`` seconds: how much of a
    source of ``total`` bytes has been read, at what rate, and the time left.

    Counting the process's reads counts every file it reads, so the share can
    run ahead of the source on a small one; it is capped at 100%. A compressed
    source is read at its compressed size, which is what ``total`` is."""

    def __init__(self, what: str, total: int, interval: float = 1.0):
        self.what, self.total, self.interval = what, total, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._report, daemon=True)

    def __enter__(self) -> ByteProgress:
        self._start, self._base = time.monotonic(), _bytes_read()
        if enabled() and self._base is not None and self.total > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _report(self) -> None:
        while not self._stop.wait(self.interval):
            now = _bytes_read()
            if now is None or self._base is None:
                return
            done = min(now - self._base, self.total)
            elapsed = time.monotonic() - self._start
            rate = done / elapsed if elapsed else 0.0
            left = f", ETA {duration((self.total - done) / rate)}" if rate and done < self.total else ""
            detail(f"{self.what} {done / self.total:.0%} of {_size(self.total)}, {_size(rate)}/s{left}")


def _size(n: float) -> str:
    if n < 1000:
        return f"{n:.0f} B"
    for unit in ("KB", "MB"):
        n /= 1000
        if n < 1000:
            return f"{n:.1f} {unit}"
    return f"{n / 1000:.1f} GB"


def rate(count: int, seconds: float, unit: str) -> str:
    """``25,000 records in 7.1 s (3,521 records/s)``."""
    per_second = f" ({count / seconds:,.0f} {unit}/s)" if seconds > 0 else ""
    return f"{count:,} {unit} in {duration(seconds)}{per_second}"
