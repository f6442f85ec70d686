"""`kfp-studies run` on bad input or Ctrl-C: one clear line naming the step, the problem and where
its log is; nothing registered; the run recorded as failed or interrupted (``runs list``/``show``)."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from pipeline_runs import cross_validation_tasks_run, latest_run, task_started


def _cli(tmp_path, *words):
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *words], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


def _record(run_dir):
    return json.loads((run_dir / "run.json").read_text())


def _run_command(tmp_path, source, *extra):
    return [
        sys.executable,
        "-m",
        "pipelines.cli",
        "run",
        "imdb",
        "--local",
        "--source",
        str(source),
        "--set",
        f"registry_uri={tmp_path / 'reg'}",
        *extra,
    ]


def _run(tmp_path, source, *extra):
    return subprocess.run(
        _run_command(tmp_path, source, *extra), cwd=tmp_path, capture_output=True, text=True, timeout=600
    )


def test_a_malformed_source_fails_in_ingest_with_the_reader_message(tmp_path):
    bad = tmp_path / "aclImdb_v1.tar.gz"
    bad.write_bytes(b"not an archive at all")
    result = _run(tmp_path, bad)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"kfp-studies run: error: step ingest failed: {bad}: not a readable tar archive")
    log = Path(line.split("(log: ")[1].rstrip(")"))
    assert "Traceback" in log.read_text(), "the whole output of the step is in its log"
    assert not (tmp_path / "reg").exists(), "nothing is registered"
    assert result.stdout.splitlines()[0].startswith("ingest ") and len(result.stdout.splitlines()) < 5

    record = _record(log.parent.parent)
    assert record["status"] == "failed" and record["registered"] is None
    assert record["error"].startswith("step ingest failed: ") and record["steps"][0]["log"] == str(log)
    listed = _cli(tmp_path, "runs", "list")
    assert listed.returncode == 0 and " failed " in listed.stdout and record["run"] in listed.stdout
    shown = _cli(tmp_path, "runs", "show", "latest")
    assert shown.returncode == 0 and f"log: {log}" in shown.stdout and "not a readable tar archive" in shown.stdout
    assert "no run 'nope'" in _cli(tmp_path, "runs", "show", "nope").stderr


def test_bad_parameters_are_refused_before_anything_runs(tmp_path, imdb_sample):
    result = _run(tmp_path, imdb_sample, "--set", "cv_folds=1")
    assert result.returncode == 2 and "cv_folds must be at least 2" in result.stderr
    assert not os.path.exists(tmp_path / "out"), "no step ran"


def test_a_hold_out_larger_than_the_data_fails_before_any_fold_trains(tmp_path, imdb_sample):
    result = _run(tmp_path, imdb_sample, "--set", "validation_rows=10000", "--set", "cv_folds=2")
    assert result.returncode == 2, result.stderr
    assert "validation_rows=10000 holds out at least all 600 training rows; it must be below 600" in result.stderr
    assert "Traceback" not in result.stderr
    run_dir = latest_run(tmp_path / "out" / "pipeline-root")
    assert task_started(run_dir, "ingest")
    assert cross_validation_tasks_run(run_dir) == 0 and not list(run_dir.glob("for-loop-*/cross-validate"))
    assert not task_started(run_dir, "train"), "nothing trained"


def test_ctrl_c_prints_one_line_naming_the_partial_outputs_and_records_the_run_as_interrupted(tmp_path, imdb_sample):
    process = subprocess.Popen(
        _run_command(tmp_path, imdb_sample, "--set", "validation_rows=100", "--set", "cv_folds=2"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, which Ctrl-C signals as a whole
    )
    assert process.stdout is not None
    for line in process.stdout:  # the console's first line: ingest is done, preprocess starts
        if line.startswith("ingest "):
            break
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    [line] = stderr.splitlines()
    assert line.startswith("kfp-studies run: interrupted; partial outputs and logs under ")
    run_dir = Path(line.rsplit(" ", 1)[1])
    record = _record(run_dir)
    assert record["status"] == "interrupted" and record["steps"][0]["state"] == "done"
    assert (run_dir / "logs" / "ingest.log").is_file()
