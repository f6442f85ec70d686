"""The whole imdb pipeline under kfp.local.SubprocessRunner on a generated sample."""

import builtins
import json
from pathlib import Path

import pytest
from pipeline_runs import (
    artifact_json,
    artifact_metadata,
    assert_full_run,
    champion_card,
    latest_run,
    output_parameter,
    registered_file,
    task_started,
)
from serving_check import assert_registered_version_serves_raw_records

from components.registry import Registry
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


@pytest.fixture(scope="module")
def first(tmp_path_factory, imdb_sample, local_target):
    tmp = tmp_path_factory.mktemp("imdb-local")
    target = local_target(tmp)
    return target, run_local("imdb", imdb_sample, FAST, target)


def test_every_step_runs_learning_happens_and_the_model_is_registered(first, tmp_path):
    target, result = first
    assert result.metrics["accuracy"] > 0.8, "well above chance on the planted signal"
    assert builtins.print.__name__ == "print", "kfp.local's per-task indented print must not outlive the run"
    run_dir = latest_run(target.pipeline_root)
    assert_full_run(run_dir, variants=FAST["variants"], folds=FAST["cv_folds"])

    comparison = Path(result.comparison).read_text()
    assert "| final |" in comparison and "| 32-1 |" in comparison
    best = comparison.splitlines()[2].split("|")[1].strip()  # rows are sorted best first
    assert output_parameter(run_dir, "compare-variants") == best
    assert artifact_metadata(run_dir, "train", "model")["variant"] == best
    assert "<img" in Path(result.report).read_text()

    card = champion_card(target.registry_uri, "imdb")
    assert card["metrics"]["accuracy"] == result.metrics["accuracy"]
    assert card["params"]["epochs"] == 4 and card["params"]["seed"] == 42 and card["run_id"].startswith("imdb-")
    assert card["blessing"]["blessed"] and "no champion" in card["blessing"]["reason"]
    assert registered_file(target.registry_uri, card, "saved_model/saved_model.pb").is_file()
    assert_registered_version_serves_raw_records(target.registry_uri, "imdb", run_dir, tmp_path)


def test_the_run_is_recorded_with_a_log_per_step_and_tensorboard_logs(first):
    target, result = first
    run_dir = Path(result.folder)
    assert run_dir == latest_run(target.pipeline_root)
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "succeeded" and record["study"] == "imdb" and record["run"] == run_dir.name
    assert record["registered"] == champion_card(target.registry_uri, "imdb")["version"]
    assert record["metrics"]["accuracy"] == result.metrics["accuracy"] and record["parameters"]["epochs"] == 4
    folds = [s for s in record["steps"] if s["step"].startswith("cross-validate")]
    assert sorted(s["step"] for s in folds)[0] == "cross-validate 1/6 final fold 1" and len(folds) == 6
    assert all(s["state"] == "done" and s["result"].startswith("fold accuracy ") for s in folds)
    for step in record["steps"]:
        assert Path(step["log"]).parent == run_dir / "logs" and "Executing task" in Path(step["log"]).read_text()
    train_log = (run_dir / "logs" / "train.log").read_text()
    assert "epoch 1/4: accuracy " in train_log and "ETA" in train_log and "epoch 4/4: " in train_log
    assert "ran out of data" not in train_log
    assert "oneDNN custom operations" not in train_log, "TensorFlow's start-up lines are silenced"
    events = list((run_dir / "train" / "tensorboard").glob("*/events.out.tfevents.*"))
    assert {e.parent.name for e in events} == {"train"}, "fit_on_validation: no validation scalars"


def test_a_worse_second_run_is_not_registered_and_says_why(first, imdb_sample):
    target, good = first
    registry = Registry(target.registry_uri)
    champion_before = registry.champion_pointer("imdb")
    worse = run_local("imdb", imdb_sample, WORSE, target)
    assert worse.metrics["accuracy"] < good.metrics["accuracy"]
    run_dir = latest_run(target.pipeline_root)
    blessing = artifact_metadata(run_dir, "evaluate", "evaluation")
    assert blessing["register"] is False and "does not beat the champion" in blessing["reason"]
    # Like with like: the champion was re-scored on this run's test rows (the same sample, seed and so
    # rows as the first run's), through its own serving model, so it scores what it scored then.
    evaluation = artifact_json(run_dir, "evaluate", "evaluation")
    reason = blessing["reason"]
    assert f"{worse.metrics['accuracy']:.4f}" in reason and champion_before["version"] in reason
    assert f"({good.metrics['accuracy']:.4f} on the same test rows (sha256 {evaluation['test_sha256']}))" in reason
    assert not task_started(run_dir, "register")
    assert champion_before is not None and registry.versions("imdb") == [champion_before["version"]]
    assert registry.champion_pointer("imdb") == champion_before
    record = json.loads((run_dir / "run.json").read_text())
    assert record["registered"] is None and "does not beat the champion" in record["not_registered"]
