"""The console of a local run, fed the stream kfp.local writes (banners, step output, progress events)."""

import io
import json
import threading

from components.progress import PREFIX
from pipelines.console import Console, wants_live


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _event(kind, **fields):
    return "    " + PREFIX + json.dumps({"kind": kind, **fields})


def _task(console, clock, name, lines, status="SUCCESS", seconds=2.0):
    """One task as kfp.local prints it, coloured as kfp.local colours it."""
    console.write(f"16:00:00.000 - INFO - Executing task \x1b[96m'{name}'\x1b[0m\n")
    console.write("16:00:00.001 - INFO - Streamed logs:\n\n")
    for line in lines:
        console.write(line + "\n")
    clock.now += seconds
    colour = "\x1b[92m" if status == "SUCCESS" else "\x1b[91m"
    console.write(f"16:00:02.000 - INFO - Task \x1b[96m'{name}'\x1b[0m finished with status {colour}{status}\x1b[0m\n")


def _console(tmp_path, **kwargs):
    out, clock = io.StringIO(), Clock()
    return Console(out, lambda: str(tmp_path / "logs"), clock=clock, **kwargs), out, clock


def test_without_a_terminal_one_plain_line_per_step_and_every_line_in_its_log(tmp_path):
    console, out, clock = _console(tmp_path, live=False)
    console.write("16:00:00.000 - INFO - Running pipeline: \x1b[95m'imdb'\x1b[0m\n")
    _task(
        console, clock, "ingest", ["    I0000 oneDNN custom operations are on", _event("result", text="1,000 records")]
    )
    _task(
        console,
        clock,
        "cross-validate",
        [_event("position", label="final fold 2", index=2, count=4), _event("detail", text="epoch 3/4")]
        + [f"    epoch {i}/4: loss 0.5" for i in range(1, 5)]
        + [_event("result", text="fold accuracy 0.8450")],
        seconds=12.3,
    )
    lines = out.getvalue().splitlines()
    assert lines == [
        f"{'ingest':<38} done        2.0 s  1,000 records",
        f"{'cross-validate 2/4 final fold 2':<38} done         12 s  fold accuracy 0.8450",
    ]
    assert "\x1b" not in out.getvalue()
    log = (tmp_path / "logs" / "cross-validate-2.log").read_text()
    assert "epoch 4/4: loss 0.5" in log and PREFIX not in log and "\x1b" not in log
    assert "oneDNN" in (tmp_path / "logs" / "ingest.log").read_text(), "the noise is kept in the log, not shown"
    console.close_run(str(tmp_path / "logs"))
    assert "Running pipeline: 'imdb'" in (tmp_path / "logs" / "pipeline.log").read_text()


def test_a_failed_step_shows_its_error_alone_when_it_is_the_projects_own(tmp_path):
    console, out, clock = _console(tmp_path, live=False)
    traceback = ["    Traceback (most recent call last):", '      File "x.py", line 1', "    ValueError: inner"]
    _task(console, clock, "ingest", [*traceback, "    components.errors.DataError: a.tar.gz: not a tar"], "FAILURE")
    [step] = console.steps
    assert step.state == "failed" and step.error == "a.tar.gz: not a tar"
    assert out.getvalue().splitlines() == [f"{'ingest':<38} failed      2.0 s  a.tar.gz: not a tar"]
    assert step.log == str(tmp_path / "logs" / "ingest.log")
    _task(console, clock, "train", ["    ValueError: 10 rows cannot give 2 replicas a row"], "FAILURE")
    assert console.steps[1].error == "ValueError: 10 rows cannot give 2 replicas a row"


def test_parallel_tasks_are_told_apart_by_thread_and_lines_split_across_writes_are_joined(tmp_path):
    console, _, clock = _console(tmp_path, live=False)

    def fold(index):
        console.write("16:00:00.000 - INFO - Executing task 'cross-validate'\n")
        console.write(_event("position", label=f"v fold {index}", index=index, count=2) + "\n")
        console.write("    half a ")
        console.write(f"line of fold {index}\n")
        console.write("16:00:02.000 - INFO - Task 'cross-validate' finished with status SUCCESS\n")

    threads = [threading.Thread(target=fold, args=(i,)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    console.close_run(str(tmp_path / "logs"))
    assert sorted(s.title for s in console.steps) == ["cross-validate 1/2 v fold 1", "cross-validate 2/2 v fold 2"]
    for i in (1, 2):
        assert f"half a line of fold {i}" in (tmp_path / "logs" / f"cross-validate-{i}.log").read_text()


def test_on_a_terminal_running_steps_are_redrawn_in_place(tmp_path):
    console, out, clock = _console(tmp_path, live=True)
    console.write("16:00:00.000 - INFO - Executing task 'train'\n")
    console.write(_event("detail", text="epoch 2/7 batch 10/40, ETA 31 s") + "\n")
    clock.now += 5
    console.tick()
    text = out.getvalue()
    assert "\x1b[1F\x1b[J" in text, "the live line is cleared before it is drawn again"
    assert text.rstrip().endswith("5.0 s  epoch 2/7 batch 10/40, ETA 31 s")
    console.close_run(str(tmp_path / "logs"), "stopped")
    assert "stopped" in out.getvalue().splitlines()[-1]


def test_a_long_step_without_a_terminal_prints_a_progress_line_every_interval(tmp_path):
    console, out, clock = _console(tmp_path, live=False, quiet_interval=60)
    console.write("16:00:00.000 - INFO - Executing task 'preprocess'\n")
    console.write(_event("detail", text="encoding 1,000 train rows") + "\n")
    clock.now += 30
    console.tick()
    assert out.getvalue() == ""
    clock.now += 31
    console.tick()
    assert out.getvalue() == f"{'preprocess':<38} running 1 min 01 s  encoding 1,000 train rows\n"


def test_verbose_passes_kfp_local_output_through_without_the_events(tmp_path):
    console, out, clock = _console(tmp_path, verbose=True, live=False)
    _task(console, clock, "ingest", ["    reading x", _event("result", text="3 records")])
    text = out.getvalue()
    assert "Executing task" in text and "reading x" in text and PREFIX not in text


def test_no_color_or_no_terminal_means_no_live_redraw(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert wants_live(Terminal()) and not wants_live(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_live(Terminal())


def test_after_the_run_the_console_drops_what_a_late_task_writes(tmp_path):
    """kfp.local can leave a parallel task running after a failure or Ctrl-C; when its logging
    context ends it puts a handler on this console back on the root logger. Once the run is
    closed, that handler must neither write nor fail on the caller's (now closed) stream."""
    import logging

    clock = Clock()
    with open(tmp_path / "out.txt", "w", encoding="utf-8") as out:
        console = Console(out, lambda: str(tmp_path / "logs"), clock=clock, live=False)
        _task(console, clock, "ingest", ["reading"])
        console.close_run(str(tmp_path / "logs"))
    handler = logging.StreamHandler(console)
    failed = []
    handler.handleError = failed.append  # what logging calls when a write or flush raises
    handler.emit(logging.LogRecord("late", logging.INFO, __file__, 1, "a late fold's line", None, None))
    assert failed == []
    assert not any("a late fold's line" in line for line in console.pipeline_lines)
