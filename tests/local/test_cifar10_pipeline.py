"""The whole cifar10 pipeline under kfp.local.SubprocessRunner on a generated sample."""

from pathlib import Path

from pipeline_runs import artifact_json, assert_full_run, champion_card, latest_run
from serving_check import assert_registered_version_serves_raw_records

from components.studies.cifar10.sample import write_sample
from pipelines.local import run_local

# The seed's CNN on 160 synthetic training images; Adam learns the planted colours in a few epochs.
FAST = {
    "epochs": 3,
    "batch_size": 32,
    "validation_rows": 40,
    "pad_crop": 2,
    "base_lr": 0.0005,
    "max_lr": 0.002,
    "clr_step_epochs": 1,
    "cv_folds": 2,
    "variants": "adam",
    "threshold": 0.5,
}


def test_every_step_runs_learning_happens_and_the_model_is_registered(tmp_path, local_target):
    source = write_sample(str(tmp_path / "sample"), format="jpeg", per_class=20, seed=11)
    target = local_target(tmp_path)
    result = run_local("cifar10", source, FAST, target)

    assert result.metrics["accuracy"] > 0.6, "far above the 0.1 of chance on the planted signal"
    assert 0.0 <= result.metrics["class_accuracy.cat"] <= 1.0
    run_dir = latest_run(target.pipeline_root)
    assert_full_run(run_dir, variants=FAST["variants"], folds=FAST["cv_folds"])
    assert "| adam |" in Path(result.comparison).read_text()

    history = artifact_json(run_dir, "train", "history")
    assert len(history["learning_rate"]) == FAST["epochs"] and history["loss"][-1] < history["loss"][0]
    evaluation = artifact_json(run_dir, "evaluate", "evaluation")
    labels = evaluation["extras"]["misclassified_examples"]
    assert all(e["true"] != e["predicted"] for e in labels)
    card = champion_card(target.registry_uri, "cifar10")
    assert card["metrics"]["accuracy"] == result.metrics["accuracy"] and card["params"]["pad_crop"] == 2
    assert_registered_version_serves_raw_records(target.registry_uri, "cifar10", run_dir, tmp_path)
