"""Score a registered champion on this run's test rows, like with like.

The champion's own serving model (its preprocessing inside) is fetched from
the registry, every file checked against its card, and fed the raw test
records this run's preprocess kept. Whatever goes wrong (a version refused,
a signature that does not take these records) becomes the score's
``problem`` rather than a failed step: the blessing then says so and the
threshold alone decides.
"""

from __future__ import annotations

import logging
import os
import tempfile

import numpy as np

from components import serving
from components.blessing import ChampionScore
from components.registry import Registry

log = logging.getLogger(__name__)


def serving_accuracy(saved_model_dir: str, records: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Accuracy of a serving SavedModel on raw ``records``, and its predicted class ids."""
    predicted = serving.predict(serving.load_signature(saved_model_dir), records)["class_id"]
    return float(np.mean(predicted == labels.astype(np.int64))), predicted


def score_champion(
    registry_uri: str, study: str, records: np.ndarray, labels: np.ndarray, test_sha256: str
) -> ChampionScore | None:
    """The champion's accuracy on ``records``; None when the study has no champion."""
    registry = Registry(registry_uri)
    pointer = registry.champion_pointer(study)
    if pointer is None:
        return None
    version = pointer["version"]
    try:
        with tempfile.TemporaryDirectory(prefix="champion-") as folder:
            registry.download_version(study, version, folder)
            accuracy, _ = serving_accuracy(os.path.join(folder, serving.SERVING_DIR), records, labels)
    except Exception as exc:  # noqa: BLE001 - any failure is reported in the blessing's reason, not raised
        problem = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:400]
        log.warning("champion %s/%s could not be scored on this run's test rows: %s", study, version, problem)
        return ChampionScore(version, None, test_sha256, problem)
    log.info("champion %s/%s scores %.4f on this run's test rows", study, version, accuracy)
    return ChampionScore(version, accuracy, test_sha256)
