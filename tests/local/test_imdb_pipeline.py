"""The whole imdb pipeline under kfp.local.SubprocessRunner on a generated sample."""

import builtins
import json
import os
from pathlib import Path

import pytest

from pipelines.local import run_local

FAST = {
    "epochs": 4,
    "batch_size": 32,
    "validation_rows": 100,
    "cv_folds": 3,
    "variants": "final,32-1",
    "threshold": 0.6,
}
# Cannot learn: one epoch of a tiny network at a negligible learning rate.
WORSE = {
    "epochs": 1,
    "validation_rows": 100,
    "cv_folds": 2,
    "variants": "4-2-1",
    "learning_rate": 1e-7,
    "threshold": 0.0,
}


def _outputs(step_dir) -> dict:
    return json.load(open(step_dir / "executor_output.json"))


@pytest.fixture(scope="module")
def first(tmp_path_factory, imdb_sample, local_target):
    tmp = tmp_path_factory.mktemp("imdb-local")
    target = local_target(tmp)
    return target, run_local("imdb", imdb_sample, FAST, target)


def test_every_step_runs_learning_happens_and_the_model_is_registered(first):
    target, result = first
    assert result.metrics["accuracy"] > 0.8, "well above chance on the planted signal"
    assert builtins.print.__name__ == "print", "kfp.local's per-task indented print must not outlive the run"
    run_dir = Path(next(iter(os.scandir(target.pipeline_root))).path)
    steps = sorted(p.parent.name for p in run_dir.glob("*/executor_output.json"))
    assert steps == ["compare-variants", "evaluate", "ingest", "plan-folds", "preprocess", "register", "train"]
    assert len(list(run_dir.glob("for-loop-*/cross-validate/executor_output.json"))) == 6, (
        "2 variants x 3 folds, each its own task"
    )

    comparison = open(result.comparison).read()
    assert "| final |" in comparison and "| 32-1 |" in comparison
    best = comparison.splitlines()[2].split("|")[1].strip()  # rows are sorted best first
    assert _outputs(run_dir / "compare-variants")["parameterValues"]["Output"] == best
    assert _outputs(run_dir / "train")["artifacts"]["model"]["artifacts"][0]["metadata"]["variant"] == best
    assert "<img" in open(result.report).read()

    champion = json.load(open(os.path.join(target.registry_uri, "imdb", "champion.json")))
    version_dir = os.path.join(target.registry_uri, "imdb", champion["version"])
    card = json.load(open(os.path.join(version_dir, "model.json")))
    assert card["metrics"]["accuracy"] == result.metrics["accuracy"]
    assert card["params"]["epochs"] == 4 and card["params"]["seed"] == 42 and card["run_id"].startswith("imdb-")
    assert card["blessing"]["blessed"] and "no champion" in card["blessing"]["reason"]
    assert os.path.isfile(os.path.join(version_dir, "saved_model", "saved_model.pb"))


def test_a_worse_second_run_is_not_registered_and_says_why(first, imdb_sample):
    target, good = first
    champion_before = json.load(open(os.path.join(target.registry_uri, "imdb", "champion.json")))
    worse = run_local("imdb", imdb_sample, WORSE, target)
    assert worse.metrics["accuracy"] < good.metrics["accuracy"]
    run_dir = Path(max(os.scandir(target.pipeline_root), key=lambda e: e.stat().st_mtime).path)
    evaluation = _outputs(run_dir / "evaluate")
    blessing = evaluation["artifacts"]["evaluation"]["artifacts"][0]["metadata"]
    assert blessing["register"] is False and "does not beat the champion" in blessing["reason"]
    assert not os.path.exists(os.path.join(run_dir, "register"))
    versions = [v for v in os.listdir(os.path.join(target.registry_uri, "imdb")) if v.startswith("v")]
    assert versions == [champion_before["version"]]
    assert json.load(open(os.path.join(target.registry_uri, "imdb", "champion.json"))) == champion_before
