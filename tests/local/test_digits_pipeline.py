"""The whole digits pipeline under kfp.local.SubprocessRunner on a tiny generated UNIPEN sample."""

from pathlib import Path

from pipeline_runs import artifact_metadata, assert_full_run, champion_card, latest_run
from serving_check import assert_registered_version_serves_raw_records

from components.studies.digits.sample import write_sample
from pipelines.local import run_local

# The smallest seed network, with a higher learning rate so a few epochs suffice.
FAST = {"epochs": 6, "batch_size": 32, "cv_folds": 2, "variants": "gru64+lr0.01", "threshold": 0.4}


def test_every_step_runs_on_writer_split_unipen_and_learning_happens(tmp_path, local_target):
    source = write_sample(str(tmp_path / "sample"), format="unipen", per_class=3, seed=0)
    target = local_target(tmp_path)
    result = run_local("digits", source, FAST, target)

    assert result.metrics["accuracy"] > 0.4, "far above the 0.1 of guessing among ten digits"
    run_dir = latest_run(target.pipeline_root)
    assert_full_run(run_dir, variants=FAST["variants"], folds=FAST["cv_folds"])
    assert artifact_metadata(run_dir, "ingest", "dataset")["records"] == 9 * 10 * 3
    assert "| gru64+lr0.01 |" in Path(result.comparison).read_text()
    champion_card(target.registry_uri, "digits")  # one was promoted
    assert_registered_version_serves_raw_records(target.registry_uri, "digits", run_dir, tmp_path)
