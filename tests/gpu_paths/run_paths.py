"""Every study's fit and evaluation on one CPU stand-in of a GPU path, in one process.

Run as a script (``python tests/gpu_paths/run_paths.py --replicas 3``), because
the CPU can be split into logical devices only before TensorFlow initialises:
``--replicas N`` splits it into N and has ``components.devices`` mirror over
them (``TRAINING_DEVICES=cpus``); ``--precision mixed_float16`` forces the
mixed-precision path a GPU of compute capability 7.0+ takes. Prints one JSON
object: per study and case, what the test in this folder asserts on.

Each study trains on its generated sample, 2 epochs of batch 12, on
``UNEVEN`` rows (the last batch does not split evenly over 2 or 3 replicas)
and ``TOO_SMALL`` rows (the last batch has fewer rows than replicas), with
a 7-row validation and test table (a first batch that splits unevenly), then
resumes the checkpoint for a third epoch on the other path (float32 after
mixed precision; one device after mirroring).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

UNEVEN, TOO_SMALL, HELD_OUT = 29, 25, 7
BATCH = 12
PARAMS: dict[str, dict] = {
    "imdb": {"variants": "final"},
    "amazon": {"variants": "bi-gru"},
    "cifar10": {"variants": "sgd", "clr_step_epochs": 1, "lr_range_epochs": 1},
    "digits": {"variants": "gru64"},
    "mirai": {},
}


def _sample(study: str, out: str) -> str:
    from importlib import import_module

    write_sample = import_module(f"components.studies.{study}.sample").write_sample
    sizes = {"imdb": {"per_class": 12}, "amazon": {"per_class": 25}, "cifar10": {"per_class": 5}, "mirai": {"rows": 60}}
    return write_sample(out, **sizes.get(study, {}))


def _finite(model) -> bool:
    return all(np.isfinite(np.asarray(w, np.float64)).all() for w in model.get_weights())


def _describe(model, curves: dict, steps: int) -> dict:
    import keras

    return {
        "finite_weights": _finite(model),
        "finite_loss": bool(np.isfinite(curves["loss"]).all() and np.isfinite(curves["val_loss"]).all()),
        "optimizer_steps": int(np.asarray(model.optimizer.iterations.numpy())),
        "expected_steps": steps,
        "loss_scaling": isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer),
        "hidden_compute_dtype": model.layers[1].compute_dtype,
        "output_dtype": model.layers[-1].compute_dtype,
        "global_policy_after": keras.mixed_precision.global_policy().name,
    }


def run_study(study: str, work: str, replicas: int, precision: str) -> dict:
    from components import devices
    from components.studies import get_study
    from components.training import evaluate_model, fit_model, replica_batch_size, replica_steps

    spec = get_study(study)
    recipe = spec.recipe()
    raw = recipe.read(_sample(study, os.path.join(work, study, "sample")))
    prepared = recipe.prepare(raw)
    order = np.random.default_rng(0).permutation(len(raw["label"]))
    if len(order) < UNEVEN + HELD_OUT:
        raise ValueError(f"{study}: the sample has {len(order)} rows, fewer than {UNEVEN + HELD_OUT}")
    # Named as fixed: they win over a variant's own epochs and batch size (TrainingParams.for_variant).
    fixed = {"fixed_settings": "epochs,batch_size"}
    p = spec.params.from_mapping({**PARAMS[study], **fixed, "epochs": 2, "batch_size": BATCH})
    state = recipe.fit(prepared, order[:UNEVEN], p)
    variant = p.variant_names()[0]
    held = recipe.encode(prepared, order[UNEVEN : UNEVEN + HELD_OUT], state)
    result: dict = {}
    # A last batch smaller than the replica count only means something with replicas.
    cases = {"uneven": UNEVEN, "too_small": TOO_SMALL} if replicas > 1 else {"uneven": UNEVEN}
    for case, rows in cases.items():
        train = recipe.encode(prepared, order[:rows], state)
        uri = os.path.join(work, study, case, "checkpoint")
        model, curves = fit_model(recipe, p, variant, state, train, held, 0, uri)
        steps = 2 * replica_steps(rows, replica_batch_size(BATCH, replicas), replicas)
        scores = evaluate_model(recipe, p, model, state, held, 0, extras=False)
        result[case] = _describe(model, curves, steps) | {
            "test_loss_finite": bool(np.isfinite(scores["loss"])),
            "predictions": len(scores["predicted"]),
        }
        # the other path resumes the checkpoint: float32 after mixed, one device after mirroring
        os.environ["TRAINING_PRECISION"] = "float32"
        os.environ.pop("TRAINING_DEVICES", None)
        third = spec.params.from_mapping({**PARAMS[study], **fixed, "epochs": 3, "batch_size": BATCH})
        resumed, resumed_curves = fit_model(recipe, third, variant, state, train, held, 0, uri)
        result[case]["resumed"] = _describe(resumed, resumed_curves, steps + replica_steps(rows, BATCH, 1))
        result[case]["resumed"]["epochs"] = len(resumed_curves["loss"])
        _set_path(replicas, precision)
    result["strategy_replicas"] = devices.training_devices().replicas
    return result


def _set_path(replicas: int, precision: str) -> None:
    os.environ["TRAINING_PRECISION"] = precision
    if replicas > 1:
        os.environ["TRAINING_DEVICES"] = "cpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--studies", default=",".join(PARAMS))
    args = parser.parse_args()
    if args.replicas > 1:
        # oneDNN's CPU convolution, replicated over logical CPU devices, reads the
        # wrong input ("input depth must be evenly divisible by filter depth: 3 vs
        # 32" in cifar10's second convolution); GPUs do not use oneDNN.
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
    import tensorflow as tf

    if args.replicas > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args.replicas)
    _set_path(args.replicas, args.precision)
    with tempfile.TemporaryDirectory() as work:
        results = {study: run_study(study, work, args.replicas, args.precision) for study in args.studies.split(",")}
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
