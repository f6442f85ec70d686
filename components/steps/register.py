"""Register: publish a blessed model version, with its card, to the registry."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from components.data_validation import add_to_version
from components.registry import Registry
from components.serving import SERVING_DIR
from components.studies import Params, RunParams, get_study
from components.version import code_version
from components.vertex_models import Session, VertexModels, VertexModelSettings, authorized_session

log = logging.getLogger(__name__)
CARD_METRICS = ("accuracy", "serving_accuracy", "loss", "roc_auc", "macro_f1", "majority_baseline_accuracy")


@dataclass(frozen=True)
class RegisterInputs:
    """What register reads: the model folder, the report and the evaluation
    (paths), and the ingested dataset's metadata (its source and checksums)."""

    model_dir: str
    report: str
    evaluation: str
    dataset: dict[str, Any]
    data_checks: str = ""  # preprocess's data check folder: statistics and schema go into the version


def model_card(evaluation: dict, dataset: dict, params: dict, image: str, run_id: str) -> dict:
    """What a person needs to trust or reproduce this version (the registry
    adds the study, version, timestamp and file checksums)."""
    return {
        "metrics": {k: evaluation[k] for k in CARD_METRICS if k in evaluation},
        **({"data_checks": evaluation["data_checks"]} if "data_checks" in evaluation else {}),
        "blessing": evaluation["blessing"],
        "dataset": {
            k: dataset.get(k) for k in ("source", "source_sha256", "source_bytes", "records", "dataset_sha256")
        },
        "params": params,
        # What the chosen variant trained with; its own settings may differ from params (for_variant).
        "trained_with": evaluation.get("trained_with", {}),
        "code_version": code_version(),
        "image": image,
        "run_id": run_id,
    }


def run_register(
    study: str,
    inputs: RegisterInputs,
    params: dict,
    registry_uri: str,
    image: str,
    run_id: str,
    vertex: VertexModelSettings | None = None,
    session: Session | None = None,
) -> str:
    """Publish a blessed (or forced) model with its card; ``image`` and ``run_id`` go on the card.

    With ``vertex`` settings (vertex targets) the version's SavedModel is also uploaded to the
    Vertex AI Model Registry, as the champion when this registration made it one; ``session``
    is the HTTP session to use (default: the run's Application Default Credentials)."""
    with open(inputs.evaluation, encoding="utf-8") as f:
        evaluation = json.load(f)
    if not evaluation["blessing"]["register"]:
        raise ValueError(f"refusing to register an unblessed model: {evaluation['blessing']['reason']}")
    spec = get_study(study)
    typed = {
        **spec.params.from_mapping({k: v for k, v in params.items() if k in _names(spec.params)}).as_dict(),
        **RunParams.from_mapping({k: v for k, v in params.items() if k in _names(RunParams)}).as_dict(),
    }
    card = model_card(evaluation, inputs.dataset, typed, image, run_id)
    with tempfile.TemporaryDirectory() as staging:
        shutil.copytree(inputs.model_dir, staging, dirs_exist_ok=True)
        shutil.copyfile(inputs.report, os.path.join(staging, "report.html"))
        if inputs.data_checks:  # data validation's hook: data/statistics.json and data/schema.json
            add_to_version(inputs.data_checks, staging)
        registry = Registry(registry_uri)
        version = registry.register(study, staging, card, promote=_still_better(evaluation))
    log.info("registered %s version %s in %s", study, version, registry_uri)
    if vertex is not None:
        champion = (registry.champion_pointer(study) or {}).get("version") == version
        artifact_uri = registry.file_uri(study, version, SERVING_DIR)
        VertexModels(vertex, session or authorized_session()).publish(
            study, version, artifact_uri, registry.card(study, version), champion=champion
        )
    return version


def _names(params: type[Params]) -> set[str]:
    return {f.name for f in params.fields()}


def _still_better(evaluation: dict) -> Callable[[dict | None], tuple[bool, str]]:
    """Promote over the champion that evaluate scored on the same test rows (or over
    none); a champion that landed since was not scored on them, so only then do the
    cards' accuracies (each on its own test data) decide. Forced registrations always promote."""
    blessing = evaluation["blessing"]
    mine = evaluation["accuracy"]
    forced = blessing["forced"] and not blessing["blessed"]
    scored = (blessing.get("champion") or {}).get("version")

    def decide(champion: dict | None) -> tuple[bool, str]:
        if forced or champion is None or champion["version"] == scored:
            return True, blessing["reason"]
        theirs = float(champion["metrics"]["accuracy"])
        landed = f"champion {champion['version']} landed after evaluation, unscored on this run's test rows"
        if mine > theirs:
            return True, f"{blessing['reason']}; {landed}, and its card's accuracy {theirs:.4f} is lower"
        return False, f"{landed}: its card's accuracy {theirs:.4f} is not below this model's {mine:.4f}"

    return decide
