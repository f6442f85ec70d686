"""The console of a local run: one line per step, and every step's whole output in a log file.

``kfp.local`` streams each step's output, its own banners and the outputs of
every task (raw executor JSON) to ``sys.stdout``, from the thread that runs
the task: a 1,000-row run printed over 1,000 lines. :class:`Console` stands in
for ``sys.stdout`` during the run and sorts that stream by thread: the line
``Executing task 'NAME'`` opens a step on its thread, every later line of the
thread belongs to it, and ``Task 'NAME' finished with status ...`` closes it.
A step's lines go to its log file; the progress events it emits
(``components.progress``) set what its console line shows.

On a terminal the running steps are live lines redrawn in place (plain ANSI
cursor movement), finished steps stay above them. When the output is not a
terminal, or ``NO_COLOR`` is set, nothing is redrawn and no escape code is
written: a line per finished step, and for a long step a progress line every
``quiet_interval`` seconds. ``verbose`` passes every line through as
kfp.local prints it, as before.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from components.progress import PREFIX, duration

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STARTED = re.compile(r"Executing task '([\w-]+)'")
_FINISHED = re.compile(r"Task '([\w-]+)' finished with status (\w+)")
_EXCEPTION_LINE = re.compile(r"^\s*((?:\w+\.)*\w*(?:Error|Exception|Exists|NotFound|Failed|Pickle|Path)): (.+)$")
_OWN_ERROR = "components."  # the project's errors say what to fix: their message alone, as the CLI prints them
_GREEN, _RED, _CYAN, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[36m", "\x1b[0m"
_STATE_COLOUR = {"done": _GREEN, "failed": _RED, "running": _CYAN, "stopped": _RED}


@dataclass
class Step:
    """One task of the run as the console knows it: from its start line to its status line."""

    name: str
    started: float
    number: int  # the how-many-th task of this name, so each gets a log file of its own
    state: str = "running"
    ended: float | None = None
    label: str = ""
    index: int = 0
    count: int = 0
    detail: str = ""
    figure: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    lines: list[str] = field(default_factory=list)
    log: str = ""

    @property
    def title(self) -> str:
        """``cross-validate 3/8 final fold 2``: the task, and for fan-out work which one."""
        return f"{self.name} {self.index}/{self.count} {self.label}" if self.count else self.name

    def seconds(self, now: float) -> float:
        return (self.ended if self.ended is not None else now) - self.started

    def log_name(self) -> str:
        suffix = f"-{self.index}" if self.count else f"-{self.number}" if self.number > 1 else ""
        return re.sub(r"[^\w.+-]+", "_", f"{self.name}{suffix}") + ".log"

    def record(self, now: float) -> dict[str, Any]:
        """What the run's record keeps of the step."""
        return {
            "step": self.title,
            "state": self.state,
            "seconds": round(self.seconds(now), 2),
            "result": self.figure,
            **({"error": self.error} if self.error else {}),
            "log": self.log,
        }


def wants_live(out: TextIO) -> bool:
    """Redraw in place only on a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    return bool(getattr(out, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")


class Console(io.TextIOBase):
    """Stands in for ``sys.stdout`` while kfp.local runs a pipeline (see the module docstring).

    ``logs_dir`` returns the folder for the log files once it exists (the
    run's folder appears only when its first task starts), else ``None``;
    logs wait in memory until it does, at the latest until :meth:`close`."""

    def __init__(
        self,
        out: TextIO,
        logs_dir: Callable[[], str | None],
        *,
        verbose: bool = False,
        live: bool | None = None,
        quiet_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.out, self.logs_dir, self.verbose = out, logs_dir, verbose
        self.live = wants_live(out) if live is None else live
        self.quiet_interval, self.clock = quiet_interval, clock
        self.steps: list[Step] = []
        self.pipeline_lines: list[str] = []
        self._current: dict[int, Step] = {}
        self._partial: dict[int, str] = {}
        self._drawn = 0
        self._shown: dict[int, float] = {}
        self._lock = threading.RLock()
        self._ticking = threading.Event()
        self._ticker: threading.Thread | None = None
        self._over = False

    # -- the stream kfp.local writes to ---------------------------------------------------
    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False  # kfp.local's own colour codes are stripped anyway; tell Keras and others: plain text

    def write(self, text: str) -> int:
        if self._over:
            return len(text)  # see close_run
        thread = threading.get_ident()
        with self._lock:
            pending = self._partial.pop(thread, "") + text
            *lines, rest = pending.split("\n")
            if rest:
                self._partial[thread] = rest
            for line in lines:
                self.feed(line, thread)
        return len(text)

    def flush(self) -> None:
        if not self._over:
            self.out.flush()

    # -- sorting lines into steps ---------------------------------------------------------
    def feed(self, raw: str, thread: int = 0) -> None:
        """One line of output from ``thread``."""
        with self._lock:
            line = _ANSI.sub("", raw)
            stripped = line.strip()
            if stripped.startswith(PREFIX.strip()):
                step = self._current.get(thread)
                if step is not None:
                    self._event(step, json.loads(stripped[len(PREFIX.strip()) :]))
                return
            if self.verbose:
                self.out.write(raw + "\n")
            if started := _STARTED.search(line):
                self._start(started.group(1), thread, line)
                return
            step = self._current.get(thread)
            if step is None:
                self.pipeline_lines.append(line)
                return
            step.lines.append(line)
            if finished := _FINISHED.search(line):
                self._finish(step, thread, "done" if finished.group(2) == "SUCCESS" else "failed")
            elif error := _EXCEPTION_LINE.match(line):
                name, message = error.group(1), error.group(2)
                step.error = message if name.startswith(_OWN_ERROR) else f"{name}: {message}"

    def _start(self, name: str, thread: int, line: str) -> None:
        number = 1 + sum(s.name == name for s in self.steps)
        step = Step(name, self.clock(), number, lines=[line])
        self.steps.append(step)
        self._current[thread] = step
        self._shown[id(step)] = step.started
        self._render()

    def _event(self, step: Step, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        if kind == "position":
            step.label, step.index, step.count = event["label"], event["index"], event["count"]
        elif kind == "detail":
            step.detail = event["text"]
        elif kind == "result":
            step.figure = event["text"]
            step.data.update(event.get("data", {}))
        self._render()

    def _finish(self, step: Step, thread: int, state: str) -> None:
        step.state, step.ended = state, self.clock()
        self._current.pop(thread, None)
        self._write_log(step)
        self._render(finished=step)

    # -- log files --------------------------------------------------------------------------
    def _write_log(self, step: Step, folder: str | None = None) -> None:
        folder = folder or self.logs_dir()
        if folder is None or step.log:
            return
        os.makedirs(folder, exist_ok=True)
        step.log = os.path.join(folder, step.log_name())
        with open(step.log, "w", encoding="utf-8") as f:
            f.write("\n".join(step.lines) + "\n")

    def close_run(self, folder: str, state: str = "stopped") -> None:
        """The run is over: steps still running are marked ``state``, and every log is written
        to ``folder`` (the pipeline's own lines to ``pipeline.log``).

        From then on the console takes writes and drops them. After a failure or Ctrl-C,
        kfp.local may still run a parallel task, whose logging context, on leaving, puts back
        the handlers it found on entry: a handler on this console, left on the root logger
        after the run (``pipelines.local._task_logs_kept``). It must not write to ``out``,
        which the caller may have closed by then."""
        self.stop_ticking()
        with self._lock:
            for thread, partial in list(self._partial.items()):
                self.feed(partial, thread)
            self._partial.clear()
            for step in self.steps:
                if step.state == "running":
                    step.state, step.ended = state, self.clock()
                    self._render(finished=step)
                self._write_log(step, folder)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "pipeline.log"), "w", encoding="utf-8") as f:
                f.write("\n".join(self.pipeline_lines) + "\n")
            self._clear_live()
            self._over = True

    # -- drawing ------------------------------------------------------------------------------
    def line(self, step: Step, now: float) -> str:
        """``cross-validate 2/4 final fold 2   done   12.3 s  fold accuracy 0.8450``."""
        text = step.error if step.state == "failed" and step.error else step.figure
        if step.state == "running":
            text = step.detail
        state = step.state
        if self.live:
            state = f"{_STATE_COLOUR.get(state, '')}{state:<7}{_RESET}"
        else:
            state = f"{state:<7}"
        return f"{step.title:<38} {state} {duration(step.seconds(now)):>9}  {text}".rstrip()

    def _clear_live(self) -> None:
        if self.live and self._drawn:
            self.out.write(f"\x1b[{self._drawn}F\x1b[J")
            self._drawn = 0

    def _render(self, finished: Step | None = None) -> None:
        if self.verbose:
            return
        now = self.clock()
        if not self.live:
            if finished is not None:
                self.out.write(self.line(finished, now) + "\n")
                self.out.flush()
            return
        self._clear_live()
        if finished is not None:
            self.out.write(self.line(finished, now) + "\n")
        width = max(20, shutil.get_terminal_size((100, 24)).columns - 1)
        running = [s for s in self.steps if s.state == "running"]
        for step in running:
            text = self.line(step, now)
            visible = _ANSI.sub("", text)
            if len(visible) > width:
                text = text[: len(text) - (len(visible) - width) - 1] + "…"
            self.out.write(text + "\n")
        self._drawn = len(running)
        self.out.flush()

    def tick(self) -> None:
        """Periodic work: redraw live lines (their durations grow), or, without a terminal,
        a progress line for each step that has run ``quiet_interval`` seconds since the last."""
        with self._lock:
            if self.verbose:
                return
            if self.live:
                self._render()
                return
            now = self.clock()
            for step in self.steps:
                if step.state == "running" and now - self._shown.get(id(step), now) >= self.quiet_interval:
                    self._shown[id(step)] = now
                    self.out.write(self.line(step, now) + "\n")
            self.out.flush()

    def start_ticking(self, interval: float | None = None) -> None:
        """Call :meth:`tick` from a background thread until :meth:`stop_ticking`."""
        every = interval or (0.5 if self.live else 1.0)

        def loop() -> None:
            while not self._ticking.wait(every):
                self.tick()

        self._ticker = threading.Thread(target=loop, daemon=True, name="console")
        self._ticker.start()

    def stop_ticking(self) -> None:
        self._ticking.set()
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join()
