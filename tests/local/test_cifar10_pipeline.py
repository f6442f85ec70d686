"""The whole cifar10 pipeline under kfp.local.SubprocessRunner on a generated sample."""

import json

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
    run_dir = next((tmp_path / "root").iterdir())
    steps = sorted(p.parent.name for p in run_dir.glob("*/executor_output.json"))
    assert steps == ["compare-variants", "evaluate", "ingest", "plan-folds", "preprocess", "register", "train"]
    assert len(list(run_dir.glob("for-loop-*/cross-validate/executor_output.json"))) == 2
    assert "| adam |" in open(result.comparison).read()

    history = json.load(open(next(run_dir.glob("train/history"))))
    assert len(history["learning_rate"]) == 3 and history["loss"][-1] < history["loss"][0]
    evaluation = json.load(open(next(run_dir.glob("evaluate/evaluation"))))
    labels = evaluation["extras"]["misclassified_examples"]
    assert all(e["true"] != e["predicted"] for e in labels)
    champion = json.load(open(tmp_path / "reg" / "cifar10" / "champion.json"))
    card = json.load(open(tmp_path / "reg" / "cifar10" / champion["version"] / "model.json"))
    assert card["metrics"]["accuracy"] == result.metrics["accuracy"] and card["params"]["pad_crop"] == 2
