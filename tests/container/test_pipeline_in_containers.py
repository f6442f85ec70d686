"""The whole imdb pipeline with kfp.local.DockerRunner, every step in the image.

The runner talks to podman's Docker-compatible socket (``docker_host``), with
the shim from ``podman.py``. Containers run as the image's non-root user with
no network. The runner mounts only the pipeline root (at the same path), so
the source and every storage location of the target (registry, work) live
under it, and it is writable by that user.
"""

import dataclasses
import json
import os
import shutil
import time

import pytest
from podman import containers_kept_until_exited

pytestmark = pytest.mark.container

# Tiny: one variant, two folds (each task is a container start with a TensorFlow import).
FAST = {"epochs": 4, "batch_size": 32, "validation_rows": 100, "cv_folds": 2, "variants": "final", "threshold": 0.6}
CORE_STEPS = {"ingest", "preprocess", "train", "evaluate", "register"}


def test_imdb_pipeline_runs_every_step_in_the_image(image, docker_host, tmp_path, imdb_sample):
    from kfp import local

    from pipelines.local import run_local
    from pipelines.targets import LOCAL

    root = tmp_path / "root"
    root.mkdir()
    root.chmod(0o777)  # the steps run as the image's non-root user
    source = root / "inputs" / os.path.basename(imdb_sample)
    source.parent.mkdir()
    shutil.copy(imdb_sample, source)
    # Every storage location of the target (registry, work, ...) under the root.
    uris = {
        f.name: str(root / f.name.removesuffix("_uri")) for f in dataclasses.fields(LOCAL) if f.name.endswith("_uri")
    }
    target = dataclasses.replace(LOCAL, image=image, pipeline_root=str(root), **uris)

    start = time.perf_counter()
    with containers_kept_until_exited() as launched:
        result = run_local("imdb", str(source), FAST, target, runner=local.DockerRunner(network_mode="none"))
    elapsed = time.perf_counter() - start
    print(f"\nimdb pipeline in containers: {elapsed:.1f} s wall")

    # Every task ran as a KFP executor in a container of this image, and succeeded.
    run_dir = next(p for p in root.iterdir() if p.name.startswith("imdb-"))
    tasks = list(run_dir.glob("**/executor_output.json"))
    assert CORE_STEPS <= {p.parent.name for p in tasks}
    assert len(launched.launches) == len(tasks) >= len(CORE_STEPS) + FAST["cv_folds"]
    for launch in launched.launches:
        assert launch.image == image and launch.exit_code == 0
        assert "kfp.dsl.executor_main" in " ".join(launch.command)

    # The metrics: learning happened on the planted signal.
    assert result.metrics["accuracy"] > 0.8, result.metrics
    assert 0.0 <= result.metrics["loss"] < 1.0, result.metrics
    assert "| final |" in open(result.comparison).read()
    assert "<img" in open(result.report).read()

    # The model was registered, by the image's non-root user, with the run's image.
    champion_file = root / "registry" / "imdb" / "champion.json"
    champion = json.loads(champion_file.read_text())
    card = json.loads((root / "registry" / "imdb" / champion["version"] / "model.json").read_text())
    assert card["metrics"]["accuracy"] == result.metrics["accuracy"]
    assert card["image"] == image
    assert champion_file.stat().st_uid != 0
