"""The whole amazon pipeline under kfp.local.SubprocessRunner on a tiny generated fastText sample."""

import json
import os
from pathlib import Path

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
    run_dir = Path(next(iter(os.scandir(target.pipeline_root))).path)
    steps = sorted(p.parent.name for p in run_dir.glob("*/executor_output.json"))
    assert steps == ["compare-variants", "evaluate", "ingest", "plan-folds", "preprocess", "register", "train"]
    assert len(list(run_dir.glob("for-loop-*/cross-validate/executor_output.json"))) == 2
    ingest = json.load(open(run_dir / "ingest" / "executor_output.json"))
    assert ingest["artifacts"]["dataset"]["artifacts"][0]["metadata"]["records"] == 400
    assert "| gru |" in open(result.comparison).read()
    card = json.load(open(os.path.join(target.registry_uri, "amazon", "champion.json")))
    assert os.path.isfile(os.path.join(target.registry_uri, "amazon", card["version"], "saved_model", "saved_model.pb"))
