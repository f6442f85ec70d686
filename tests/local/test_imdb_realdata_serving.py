"""imdb on the real Large Movie Review Dataset: the registered SavedModel, fed the raw
test reviews in a fresh interpreter, predicts what the evaluate step scored."""

import pytest
from pipeline_runs import artifact_json, latest_run
from serving_check import assert_registered_version_serves_raw_records

from pipelines.local import run_local

# Short training: what is checked is that serving and evaluation agree, not the accuracy.
QUICK = {"epochs": 2, "cv_folds": 0, "variants": "final", "threshold": 0.0}


@pytest.mark.realdata
def test_the_registered_model_serves_the_raw_test_reviews_as_evaluate_scored_them(datasets, tmp_path, local_target):
    target = local_target(tmp_path)
    run_local("imdb", str(datasets / "aclImdb_v1.tar.gz"), QUICK, target)
    run_dir = latest_run(target.pipeline_root)
    seen = assert_registered_version_serves_raw_records(target.registry_uri, "imdb", run_dir, tmp_path)
    evaluation = artifact_json(run_dir, "evaluate", "evaluation")
    assert len(seen["class_id"]) == 25_000 and evaluation["serving_accuracy"] == evaluation["accuracy"]
