"""The whole mirai pipeline under kfp.local.SubprocessRunner on a generated sample."""

from pathlib import Path

from pipeline_runs import assert_full_run, champion_card, latest_run
from serving_check import assert_registered_version_serves_raw_records

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
    run_dir = latest_run(target.pipeline_root)
    assert_full_run(run_dir, variants=FAST["variants"], folds=FAST["cv_folds"])
    assert "| 2x20-sigmoid+bn+mcdropout |" in Path(result.comparison).read_text()

    card = champion_card(target.registry_uri, "mirai")
    assert card["metrics"]["accuracy"] == metrics["accuracy"] and card["params"]["drop_columns"] == 24
    # FAST's variant has Monte-Carlo dropout: its predictions are random draws, in serving too.
    assert_registered_version_serves_raw_records(target.registry_uri, "mirai", run_dir, tmp_path, stochastic=True)
