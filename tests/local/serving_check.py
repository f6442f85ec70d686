"""Proof that a registered version stands alone (docs/serving.md).

A fresh interpreter that imports TensorFlow and numpy, and never this
project, loads the version's ``saved_model/`` straight from the registry
folder, feeds it the raw test records this run's preprocess kept, and must
predict exactly the classes the evaluate step scored with the Keras model on
the encoded test table.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from pipeline_runs import artifact_json, artifact_path, champion_card, registered_file

from components import serving, tables

# Runs in the fresh interpreter: TensorFlow, numpy and the standard library only.
_CHILD = """
import json, sys
import numpy as np
import tensorflow as tf

saved_model, records_path = sys.argv[1], sys.argv[2]
with np.load(records_path, allow_pickle=False) as npz:
    records = npz["records"]
signature = tf.saved_model.load(saved_model).signatures["serving_default"]
[(name, spec)] = signature.structured_input_signature[1].items()
class_ids, names = [], []
for start in range(0, len(records), 512):
    out = signature(**{name: tf.constant(records[start : start + 512], spec.dtype)})
    class_ids += out["class_id"].numpy().tolist()
    names += [c.decode() for c in out["class_name"].numpy()]
project = sorted(m for m in sys.modules if m.split(".")[0] in ("components", "pipelines"))
print(json.dumps({"input": name, "dtype": spec.dtype.name, "shape": spec.shape.as_list(),
                  "class_id": class_ids, "class_name": names, "project_modules": project}))
"""


def assert_registered_version_serves_raw_records(
    registry_uri: str, study: str, run_dir: Path, tmp: Path, stochastic: bool = False
) -> dict:
    """Run the check on the study's champion; returns what the child saw (signature and predictions).

    ``stochastic``: a Monte-Carlo dropout model draws new dropout masks on every call, in
    evaluate as in serving, so only the count of predictions is compared, not each one."""
    card = champion_card(registry_uri, study)
    test = tables.load(str(artifact_path(run_dir, "preprocess", "test")))
    records = serving.feed(test[serving.SERVING_INPUT])
    if records.dtype == object:
        records = records.astype(bytes)  # fixed-width bytes: loadable without pickle
    np.savez(tmp / f"{study}-records.npz", records=records)
    expected = artifact_json(run_dir, "evaluate", "evaluation")["test_predictions"]
    saved_model = registered_file(registry_uri, card, serving.SERVING_DIR)
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(saved_model), str(tmp / f"{study}-records.npz")],
        capture_output=True,
        text=True,
        cwd=tmp,
        env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"},
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["project_modules"] == [], "the fresh interpreter must not import the project"
    class_names = artifact_json(run_dir, "evaluate", "evaluation")["class_names"]
    assert seen["class_name"] == [class_names[i] for i in seen["class_id"]]
    if stochastic:
        assert len(seen["class_id"]) == len(expected)
    else:
        assert seen["class_id"] == expected, f"{study}: the serving model disagrees with the evaluate step"
    return seen
