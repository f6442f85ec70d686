"""The GPU training paths on CPU stand-ins, every study: mirrored over 2 and 3 logical
CPU devices, and mixed float16. One subprocess per path (``run_paths.py``), since
the CPU is split into logical devices before TensorFlow initialises.

Each study fits 2 epochs with an uneven last batch (29 rows, batch 12) and, on
the mirrored paths, a last batch smaller than the replica count (25 rows), validates and is scored
on 7 rows (a first batch that does not split evenly), then resumes its
checkpoint for a third epoch on the other path. Before this test existed the
mirrored path crashed on uneven first batches (keras-team/keras#19246) and
trained BatchNorm models to NaN on an empty replica batch
(/work/shared/reviews/gpu-paths-on-cpu.md, F1 and F2)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("run_paths.py")
STUDIES = ("imdb", "amazon", "cifar10", "digits", "mirai")
PATHS = {
    "2 replicas": ["--replicas", "2"],
    "3 replicas": ["--replicas", "3"],
    "mixed_float16": ["--precision", "mixed_float16"],
}


@pytest.fixture(scope="module", params=list(PATHS))
def path_results(request):
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parents[2]), "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("TRAINING_PRECISION", None)
    env.pop("TRAINING_DEVICES", None)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *PATHS[request.param]], capture_output=True, text=True, env=env, timeout=1800
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULTS ")]
    assert done.returncode == 0 and lines, f"{request.param} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return request.param, json.loads(lines[-1].removeprefix("RESULTS "))


@pytest.mark.parametrize("study", STUDIES)
def test_every_study_trains_evaluates_and_resumes_on_the_path(path_results, study):
    path, results = path_results
    result = results[study]
    assert result["strategy_replicas"] == (int(path.split()[0]) if "replicas" in path else 1)
    mixed = path == "mixed_float16"
    cases = ("uneven",) if mixed else ("uneven", "too_small")
    assert sorted(result) == sorted([*cases, "strategy_replicas"])
    for case in cases:
        fit, resumed = result[case], result[case]["resumed"]
        for run in (fit, resumed):
            assert run["finite_weights"] and run["finite_loss"], (case, run)
            assert run["optimizer_steps"] == run["expected_steps"], (case, run)
            assert run["global_policy_after"] == "float32", "the policy ends with the fit"
            assert run["output_dtype"] == "float32"
            # a resume keeps the precision it was trained in, loss scaling included
            assert run["loss_scaling"] is mixed and run["hidden_compute_dtype"] == ("float16" if mixed else "float32")
        assert fit["test_loss_finite"] and fit["predictions"] == 7
        assert resumed["epochs"] == 3
