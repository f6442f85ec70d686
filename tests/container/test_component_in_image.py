"""One component, ``ingest``, run inside the image with the KFP executor contract.

As the KFP v2 launcher does on a cluster: the component's compiled command and
args are run in the image with an ``executor_input`` JSON; the input is a
mounted folder, and the output artifact is a mounted folder at the local path
the executor derives from its ``minio://`` URI. The test reads the dataset and
``executor_output.json`` back from the host.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from podman import podman

pytestmark = pytest.mark.container

PER_CLASS = 40
ARTIFACT_DIR = "/minio/mlpipeline/v2/artifacts/imdb-container-test/ingest"
OUTPUTS_DIR = "/kfp/outputs"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("kfp-studies")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipelines.cli"]


def _writable_dir(path: Path) -> Path:
    """A host folder the image's non-root user can write to."""
    path.mkdir(parents=True)
    path.chmod(0o777)
    return path


def _output_artifact(name: str, schema: str) -> dict:
    """An output artifact of the executor input, at its ``minio://`` URI under ``ARTIFACT_DIR``."""
    return {
        "artifacts": [
            {
                "name": name,
                "type": {"schemaTitle": schema, "schemaVersion": "0.0.1"},
                "uri": "minio:/" + ARTIFACT_DIR[len("/minio") :] + "/" + name,
                "metadata": {},
            }
        ]
    }


def test_ingest_runs_in_the_image_with_mounted_inputs_and_outputs(image, tmp_path):
    from kfp import compiler

    from components.adapters import build_components

    # The input: a generated sample, made with the project's CLI.
    inputs = tmp_path / "inputs"
    subprocess.run(
        [*_cli(), "sample", "imdb", str(inputs), "--size", str(PER_CLASS)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (source,) = inputs.glob("*.tar.gz")

    # The component's container spec, as compiled against this image.
    ingest = build_components(image).ingest
    compiler.Compiler().compile(ingest, str(tmp_path / "ingest.yaml"))
    ir = yaml.safe_load((tmp_path / "ingest.yaml").read_text())
    (executor,) = ir["deploymentSpec"]["executors"].values()
    container = executor["container"]
    assert container["image"] == image

    executor_input = {
        "inputs": {"parameterValues": {"study": "imdb", "source": f"/inputs/{source.name}"}},
        "outputs": {
            "artifacts": {
                "dataset": _output_artifact("dataset", "system.Dataset"),
                "statistics": _output_artifact("statistics", "system.Artifact"),
            },
            "outputFile": f"{OUTPUTS_DIR}/executor_output.json",
        },
    }
    args = [json.dumps(executor_input) if a == "{{$}}" else a for a in container["args"]]
    assert not [a for a in args if "{{" in a], f"unresolved placeholders in {args}"

    artifacts = _writable_dir(tmp_path / "artifacts")
    outputs = _writable_dir(tmp_path / "outputs")
    run = podman(
        "run",
        "--rm",
        "--network=none",
        "-v",
        f"{inputs}:/inputs:ro",
        "-v",
        f"{artifacts}:{ARTIFACT_DIR}",
        "-v",
        f"{outputs}:{OUTPUTS_DIR}",
        image,
        *container["command"],
        *args,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, f"component failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"

    dataset = artifacts / "dataset"
    assert dataset.is_file() and dataset.stat().st_size > 0
    executor_output = json.loads((outputs / "executor_output.json").read_text())
    (out,) = executor_output["artifacts"]["dataset"]["artifacts"]
    metadata = out["metadata"]
    assert metadata["source"] == f"/inputs/{source.name}"
    assert metadata["source_sha256"] == _sha256(source)
    assert metadata["source_bytes"] == os.path.getsize(source)
    assert metadata["dataset_sha256"] == _sha256(dataset)
    # train and test splits, PER_CLASS reviews per label in each
    assert metadata["records"] == 4 * PER_CLASS
    assert metadata["label_counts"] == {"0": 2 * PER_CLASS, "1": 2 * PER_CLASS}
    # The data's statistics (components.statistics): a JSON file, summarised in the metadata.
    statistics = json.loads((artifacts / "statistics").read_text())
    assert statistics["records"] == 4 * PER_CLASS and metadata["statistics"]["labels"] == statistics["labels"]

    # The dataset is a table the host can read (no pickle) with every record.
    from components import tables

    table = tables.load(str(dataset))
    assert tables.num_rows(table) == 4 * PER_CLASS

    # Written by the image's non-root user, not root.
    assert dataset.stat().st_uid != 0
