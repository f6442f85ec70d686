"""``kfp-studies predict``: a registered version's serving model on a user's raw files.

The version (the champion unless one is named) is fetched with every file
checked against its card, and its ``saved_model/`` does all the
preprocessing: only the study's file readers (``components.predict_inputs``)
run here, the very path a deployed model serves.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass

import numpy as np

from components import serving
from components.predict_inputs import READERS
from components.registry import Registry, RegistryError
from components.studies import get_study


@dataclass(frozen=True)
class Predictions:
    study: str
    version: str
    names: list[str]
    class_names: list[str]
    probabilities: np.ndarray
    predicted: list[str]

    def as_json(self) -> str:
        return json.dumps(
            {
                "study": self.study,
                "version": self.version,
                "predictions": [
                    {
                        "input": name,
                        "class": label,
                        "probabilities": dict(zip(self.class_names, map(float, proba), strict=True)),
                    }
                    for name, label, proba in zip(self.names, self.predicted, self.probabilities, strict=True)
                ],
            },
            indent=2,
        )

    def as_table(self) -> str:
        width = max(len("input"), *(len(n) for n in self.names))
        classes = [c[:9] for c in self.class_names]
        lines = [
            f"{self.study} {self.version}",
            f"{'input':{width}}  {'class':10} " + " ".join(f"{c:>9}" for c in classes),
        ]
        for name, label, proba in zip(self.names, self.predicted, self.probabilities, strict=True):
            lines.append(f"{name:{width}}  {label:10} " + " ".join(f"{p:9.4f}" for p in proba))
        return "\n".join(lines)


def predict_files(study: str, registry_uri: str, version: str | None, paths: list[str]) -> Predictions:
    registry = Registry(registry_uri)
    if version is None:
        pointer = registry.champion_pointer(study)
        if pointer is None:
            raise RegistryError(f"{study} has no champion in {registry_uri}; name a version with --version")
        version = pointer["version"]
    with tempfile.TemporaryDirectory(prefix="predict-") as folder:
        registry.download_version(study, version, folder)
        with open(os.path.join(folder, serving.STATE_FILE), encoding="utf-8") as f:
            state = json.load(f)
        names, records = READERS[study](paths, state)
        signature = serving.load_signature(os.path.join(folder, serving.SERVING_DIR))
        out = serving.predict(signature, records)
    class_names = list(get_study(study).recipe().CLASS_NAMES)
    return Predictions(
        study, version, names, class_names, out["probabilities"], [c.decode() for c in out["class_name"]]
    )
