"""Preemption-safe training: SIGKILL a training process mid-run, rerun it, and it resumes."""

import glob
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from components.steps.ingest import run_ingest
from components.steps.preprocess import PreprocessOutputs, run_preprocess
from components.studies.imdb.sample import write_sample

EPOCHS = 8
TRAIN = """
import sys
from components.steps import configure_task_logging
from components.steps.train import TrainInputs, TrainOutputs, run_train
configure_task_logging()
d, work = sys.argv[1], sys.argv[2]
run_train("imdb", "64-64-1", TrainInputs(f"{d}/train", f"{d}/validation", f"{d}/state"),
          {"epochs": EPOCHS, "batch_size": 4, "fit_on_validation": False}, 1,
          TrainOutputs(f"{d}/model", f"{d}/history.json"), work)
""".replace("EPOCHS", str(EPOCHS))


@pytest.fixture
def prepared(tmp_path):
    source = write_sample(str(tmp_path / "src"), per_class=250, seed=3)
    run_ingest("imdb", source, str(tmp_path / "raw"))
    run_preprocess(
        "imdb",
        str(tmp_path / "raw"),
        {"validation_rows": 50},
        1,
        PreprocessOutputs(*(str(tmp_path / n) for n in ("train", "validation", "test", "state"))),
    )
    return tmp_path


def _progress(work) -> int:
    """Epochs completed according to the one checkpoint under ``work``."""
    found = glob.glob(os.path.join(work, "checkpoints", "imdb", "*", "progress.json"))
    assert len(found) <= 1, found
    try:
        return json.loads(Path(found[0]).read_text())["epoch"] if found else 0
    except json.JSONDecodeError:
        return 0


def _train(folder, work):
    return subprocess.Popen(
        [sys.executable, "-c", TRAIN, str(folder), work], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def test_a_killed_training_resumes_from_its_last_completed_epoch(prepared):
    ckpt = str(prepared / "work")
    first = _train(prepared, ckpt)
    deadline = time.monotonic() + 300
    while _progress(ckpt) < 2:
        assert first.poll() is None, "training ended before it could be killed:\n" + first.stdout.read()
        assert time.monotonic() < deadline, "no checkpoint after 300 s"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    completed = _progress(ckpt)
    assert 2 <= completed < EPOCHS

    second = _train(prepared, ckpt)
    output, _ = second.communicate(timeout=600)
    assert second.returncode == 0, output
    assert f"after epoch {completed}" in output, "resumed from the last completed epoch"
    # components.training.EpochProgress logs "epoch N/M: <metrics> (<time>...)" once an epoch.
    epochs_run = re.findall(rf"epoch (\d+)/{EPOCHS}: ", output)
    assert epochs_run and int(epochs_run[0]) == completed + 1, "not restarted from epoch 1"
    assert len(epochs_run) == EPOCHS - completed, "at most the epoch in progress was lost"
    history = json.loads((prepared / "history.json").read_text())
    assert len(history["loss"]) == EPOCHS and len(history["epoch_seconds"]) == EPOCHS
    assert os.path.isfile(prepared / "model" / "model.keras")
