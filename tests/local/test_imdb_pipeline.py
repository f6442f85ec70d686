"""The whole imdb pipeline under kfp.local.SubprocessRunner on a generated sample."""
import dataclasses
import json
import os

from pipelines.local import run_local
from pipelines.targets import LOCAL

FAST = {"epochs": 4, "batch_size": 32, "validation_size": 100, "cv_folds": 2, "threshold": 0.6}


def test_every_step_runs_learning_happens_and_the_model_is_registered(tmp_path, imdb_sample):
    target = dataclasses.replace(LOCAL, pipeline_root=str(tmp_path / "root"), registry_uri=str(tmp_path / "reg"))
    result = run_local("imdb", imdb_sample, FAST, target)

    assert result.metrics["accuracy"] > 0.8, "well above chance on the planted signal"
    run_dir = next((tmp_path / "root").iterdir())
    steps = sorted(p.name for p in run_dir.iterdir())
    assert steps == ["cross-validate", "evaluate", "ingest", "preprocess", "register", "train"]
    for step in steps:
        assert (run_dir / step / "executor_output.json").is_file() or any((run_dir / step).iterdir())
    assert "| model | CV mean" in open(result.comparison).read()
    assert "<img" in open(result.report).read()

    champion = json.load(open(tmp_path / "reg" / "imdb" / "champion.json"))
    version_dir = tmp_path / "reg" / "imdb" / champion["version"]
    card = json.load(open(version_dir / "model.json"))
    assert card["metrics"]["accuracy"] == result.metrics["accuracy"]
    assert card["params"]["epochs"] == 4 and card["params"]["seed"] == 42 and card["run_id"].startswith("imdb-")
    assert os.path.isfile(version_dir / "saved_model" / "saved_model.pb")
