"""The whole amazon pipeline under kfp.local.SubprocessRunner on a tiny generated fastText sample."""

from pathlib import Path

from pipeline_runs import artifact_metadata, assert_full_run, champion_card, latest_run, registered_file
from serving_check import assert_registered_version_serves_raw_records

from components.studies.amazon.sample import write_sample
from pipelines.local import run_local

# One GRU(64) at a higher learning rate and small batches, so a few epochs on 400 reviews suffice.
FAST = {"epochs": 8, "batch_size": 16, "learning_rate": 0.01, "cv_folds": 2, "variants": "gru", "threshold": 0.7}


def test_every_step_runs_on_a_bz2_fasttext_file_and_learning_happens(tmp_path, local_target):
    source = write_sample(str(tmp_path / "sample"), format="ft.txt.bz2", per_class=200, seed=0)
    target = local_target(tmp_path)
    result = run_local("amazon", source, FAST, target)

    assert result.metrics["accuracy"] > 0.8, "well above chance on the planted signal"
    assert result.metrics["tfidf_logreg_accuracy"] > 0.8, "the baseline is printed beside the model"
    run_dir = latest_run(target.pipeline_root)
    assert_full_run(run_dir, variants=FAST["variants"], folds=FAST["cv_folds"])
    assert artifact_metadata(run_dir, "ingest", "dataset")["records"] == 444, "400 training and 44 test reviews"
    assert "| gru |" in Path(result.comparison).read_text()
    card = champion_card(target.registry_uri, "amazon")
    assert registered_file(target.registry_uri, card, "saved_model/saved_model.pb").is_file()
    assert_registered_version_serves_raw_records(target.registry_uri, "amazon", run_dir, tmp_path)
