"""Train: fit the study's model on the preprocessed training table."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from components import progress, tables
from components.artifacts import load_state, save_model
from components.checkpoints import checkpoint_uri
from components.files import path_sha256
from components.serving import export_serving_model
from components.studies import get_study
from components.tables import AnyTable
from components.training import fit_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainInputs:
    """The artifacts train reads (paths): preprocess's tables and fitted state."""

    train: str
    validation: str
    state: str


@dataclass(frozen=True)
class TrainOutputs:
    """Where train writes: the model folder, the learning curves (JSON) and, when given,
    a folder of TensorBoard logs (``tensorboard --logdir`` reads it)."""

    model_dir: str
    history: str
    tensorboard: str = ""


def run_train(
    study: str, variant: str, inputs: TrainInputs, params: dict, seed: int, out: TrainOutputs, work_uri: str = ""
) -> dict:
    """Fit ``variant``, save it and its curves; with ``work_uri``, epochs are
    checkpointed there under an address derived from everything that
    determines the fit, so a rerun of the same task resumes."""
    spec = get_study(study)
    study_params = spec.params.from_mapping(params)
    p = study_params.for_variant(variant)
    recipe = spec.recipe()
    state = load_state(inputs.state)
    train, validation = tables.open_table(inputs.train), tables.open_table(inputs.validation)
    validation_data: AnyTable | None = validation  # scored after each epoch, when there is any
    if p.fit_on_validation:
        train, validation_data = tables.concat_stored([train, validation]), None
    elif tables.num_rows(validation) == 0:
        validation_data = None
    log.info("training %s on %d rows for %d epochs, batch %d", variant, tables.num_rows(train), p.epochs, p.batch_size)
    identity = {
        "task": "train",
        "variant": variant,
        "params": p.as_dict(),
        "seed": seed,
        "data": [path_sha256(path)[0] for path in (inputs.train, inputs.validation, inputs.state)],
    }
    model, curves = fit_model(
        recipe,
        p,
        variant,
        state,
        train,
        validation_data,
        seed,
        checkpoint_uri(work_uri, study, identity),
        out.tensorboard,
    )
    save_model(model, out.model_dir)
    export_serving_model(recipe, model, state, out.model_dir)
    with open(out.history, "w", encoding="utf-8") as f:
        json.dump(curves, f)
    progress.result(f"{variant}: accuracy {curves['accuracy'][-1]:.4f} after {p.epochs} epochs")
    return {
        "variant": variant,
        "train_rows": tables.num_rows(train),
        **study_params.settings_used(variant),
        "final_loss": curves["loss"][-1],
        "final_accuracy": curves["accuracy"][-1],
    }
