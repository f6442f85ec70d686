"""`kfp-studies run` on bad input: one clear line naming the step and the problem, nothing registered."""

import os
import subprocess
import sys

from pipeline_runs import cross_validation_tasks_run, latest_run, task_started


def _run(tmp_path, source, *extra):
    cmd = [
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
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)


def test_a_malformed_source_fails_in_ingest_with_the_reader_message(tmp_path):
    bad = tmp_path / "aclImdb_v1.tar.gz"
    bad.write_bytes(b"not an archive at all")
    result = _run(tmp_path, bad)
    assert result.returncode == 2
    assert result.stderr.startswith("kfp-studies run: error: step ingest failed: components.errors.DataError: ")
    assert f"{bad}: not a readable tar archive" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "reg").exists(), "nothing is registered"


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
