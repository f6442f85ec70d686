"""The whole mirai pipeline under kfp.local.SubprocessRunner on a generated sample."""

import json

from components.studies.mirai.sample import write_sample
from pipelines.local import run_local

# Small and quick: a Monte-Carlo dropout variant, so the evaluate step (a fresh
# process) must rebuild the custom layer from model.keras and run MC passes.
FAST = {
    "epochs": 8,
    "batch_size": 32,
    "cv_folds": 2,
    "variants": "2x20-sigmoid+bn+mcdropout",
    "mc_passes": 5,
    "threshold": 0.88,
}


def test_every_step_runs_learning_happens_and_the_model_is_registered(tmp_path, local_target):
    source = write_sample(str(tmp_path / "sample"), format="tar", per_class=300, seed=7)
    target = local_target(tmp_path)
    result = run_local("mirai", source, FAST, target)

    metrics = result.metrics
    assert metrics["accuracy"] > metrics["majority_baseline_accuracy"] + 0.04, "well above the majority class"
    assert metrics["roc_auc"] > 0.9
    assert metrics["mc_dropout_passes"] == 5 and 0 < metrics["mc_dropout_std_accuracy"] < 0.05
    run_dir = next((tmp_path / "root").iterdir())
    steps = sorted(p.parent.name for p in run_dir.glob("*/executor_output.json"))
    assert steps == ["compare-variants", "evaluate", "ingest", "plan-folds", "preprocess", "register", "train"]
    assert len(list(run_dir.glob("for-loop-*/cross-validate/executor_output.json"))) == 2, "one task per fold"
    assert "| 2x20-sigmoid+bn+mcdropout |" in open(result.comparison).read()

    champion = json.load(open(tmp_path / "reg" / "mirai" / "champion.json"))
    card = json.load(open(tmp_path / "reg" / "mirai" / champion["version"] / "model.json"))
    assert card["metrics"]["accuracy"] == metrics["accuracy"] and card["params"]["drop_columns"] == 24
