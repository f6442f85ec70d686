"""The whole digits pipeline under kfp.local.SubprocessRunner on a tiny generated UNIPEN sample."""

import json
import os
from pathlib import Path

from components.studies.digits.sample import write_sample
from pipelines.local import run_local

# The smallest seed network, with a higher learning rate so a few epochs suffice.
FAST = {"epochs": 6, "batch_size": 32, "cv_folds": 2, "variants": "gru64+lr0.01", "threshold": 0.4}


def test_every_step_runs_on_writer_split_unipen_and_learning_happens(tmp_path, local_target):
    source = write_sample(str(tmp_path / "sample"), format="unipen", per_class=3, seed=0)
    target = local_target(tmp_path)
    result = run_local("digits", source, FAST, target)

    assert result.metrics["accuracy"] > 0.4, "far above the 0.1 of guessing among ten digits"
    run_dir = Path(next(iter(os.scandir(target.pipeline_root))).path)
    steps = sorted(p.parent.name for p in run_dir.glob("*/executor_output.json"))
    assert steps == ["compare-variants", "evaluate", "ingest", "plan-folds", "preprocess", "register", "train"]
    assert len(list(run_dir.glob("for-loop-*/cross-validate/executor_output.json"))) == 2
    ingest = json.load(open(run_dir / "ingest" / "executor_output.json"))
    assert ingest["artifacts"]["dataset"]["artifacts"][0]["metadata"]["records"] == 9 * 10 * 3
    assert "| gru64+lr0.01 |" in open(result.comparison).read()
    assert os.path.isfile(os.path.join(target.registry_uri, "digits", "champion.json"))
