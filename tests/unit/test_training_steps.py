"""``fit_model`` on one device: one optimizer step per batch, a resume that equals an
uninterrupted fit, and a precision policy that ends with the fit (mirai, the
quickest study; the GPU paths run every study in tests/gpu_paths)."""

import json
import warnings

import numpy as np
import pytest

from components.studies import get_study
from components.training import batches_per_execution, fit_model

ROWS, BATCH = 29, 12  # three batches an epoch: 12, 12, 5
VARIANT = "2x20-sigmoid+bn+adam"  # Adam: an extra step would show in the weights; no dropout draws


@pytest.fixture(scope="module")
def mirai(tmp_path_factory):
    from components.studies.mirai.sample import write_sample

    spec = get_study("mirai")
    recipe = spec.recipe()
    raw = recipe.read(write_sample(str(tmp_path_factory.mktemp("mirai")), rows=40))
    prepared = recipe.prepare(raw)
    rows = np.arange(ROWS)
    state = recipe.fit(prepared, rows, spec.params.from_mapping({}))
    return spec, recipe, state, recipe.encode(prepared, rows, state)


def _fit(mirai, epochs, checkpoint_uri=""):
    spec, recipe, state, train = mirai
    p = spec.params.from_mapping({"epochs": epochs, "batch_size": BATCH, "variants": VARIANT})
    return fit_model(recipe, p, VARIANT, state, train, None, 3, checkpoint_uri)


def _steps(model) -> int:
    return int(model.optimizer.iterations.numpy())


def test_one_optimizer_step_per_batch_and_no_ran_out_of_data_warning(mirai):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model, curves = _fit(mirai, epochs=2)
    assert _steps(model) == 2 * -(-ROWS // BATCH) == 6
    assert len(curves["loss"]) == 2
    assert not [w for w in caught if "ran out of data" in str(w.message)]


def test_a_fit_resumed_after_epoch_1_equals_an_uninterrupted_one(mirai, tmp_path):
    whole, whole_curves = _fit(mirai, epochs=3)
    _fit(mirai, epochs=1, checkpoint_uri=str(tmp_path / "ckpt"))
    resumed, resumed_curves = _fit(mirai, epochs=3, checkpoint_uri=str(tmp_path / "ckpt"))
    assert _steps(resumed) == _steps(whole) == 9
    for ours, theirs in zip(resumed.get_weights(), whole.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    np.testing.assert_allclose(resumed_curves["loss"], whole_curves["loss"], rtol=1e-5)


def test_mixed_precision_ends_with_the_fit_and_its_checkpoint_resumes_with_loss_scaling(mirai, tmp_path, monkeypatch):
    import keras

    monkeypatch.setenv("TRAINING_PRECISION", "mixed_float16")
    mixed, _ = _fit(mirai, epochs=1, checkpoint_uri=str(tmp_path / "ckpt"))
    assert mixed.layers[1].compute_dtype == "float16" and mixed.layers[-1].compute_dtype == "float32"
    assert isinstance(mixed.optimizer, keras.optimizers.LossScaleOptimizer)
    assert keras.mixed_precision.global_policy().name == "float32"
    fresh = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    assert fresh.layers[0].compute_dtype == "float32"

    monkeypatch.setenv("TRAINING_PRECISION", "float32")
    resumed, curves = _fit(mirai, epochs=2, checkpoint_uri=str(tmp_path / "ckpt"))
    assert isinstance(resumed.optimizer, keras.optimizers.LossScaleOptimizer), "resumed in the precision it began"
    assert resumed.layers[1].compute_dtype == "float16" and len(curves["loss"]) == 2
    assert np.isfinite(curves["loss"]).all()
    assert keras.mixed_precision.global_policy().name == "float32"


def test_progress_one_log_line_an_epoch_with_eta_events_for_the_console_and_no_warning_with_validation(
    mirai, tmp_path, monkeypatch, capsys, caplog
):
    from components import progress

    spec, recipe, state, train = mirai
    p = spec.params.from_mapping({"epochs": 3, "batch_size": BATCH, "variants": VARIANT})
    monkeypatch.setenv(progress.ENV, "1")
    with warnings.catch_warnings(record=True) as caught, caplog.at_level("INFO", logger="components.training"):
        warnings.simplefilter("always")
        fit_model(recipe, p, VARIANT, state, train, train, 3, tensorboard_dir=str(tmp_path / "tb"))
    assert not [w for w in caught if "ran out of data" in str(w.message)], "validation data included"
    epochs = [r.getMessage() for r in caplog.records if r.getMessage().startswith("epoch ")]
    assert [m.split(":")[0] for m in epochs] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert "val_accuracy" in epochs[0] and "ETA" in epochs[0] and "ETA" not in epochs[-1]
    events = [json.loads(line[len(progress.PREFIX) :]) for line in capsys.readouterr().out.splitlines()]
    assert {"kind": "detail", "text": "epoch 3/3 done"} in events
    assert {path.parent.name for path in (tmp_path / "tb").glob("*/events.out.tfevents.*")} == {"train", "validation"}


@pytest.mark.parametrize(
    ("steps", "target", "expected"), [(391, 50, 391), (535, 50, 107), (100, 50, 50), (3, 50, 3), (7, 1, 1)]
)
def test_batches_per_execution_divides_the_epoch_and_reaches_the_target(steps, target, expected):
    assert batches_per_execution(steps, target) == expected


def test_several_batches_per_call_train_exactly_as_one_batch_per_call(mirai, monkeypatch):
    import components.training

    batched, batched_curves = _fit(mirai, epochs=2)
    assert batched.steps_per_execution == 3  # the whole 3-batch epoch in one call
    monkeypatch.setattr(components.training, "EXECUTION_BATCHES", 1)
    single, single_curves = _fit(mirai, epochs=2)
    assert single.steps_per_execution == 1
    assert _steps(batched) == _steps(single) == 6
    for ours, theirs in zip(batched.get_weights(), single.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert batched_curves["loss"] == single_curves["loss"]


def test_the_eta_counts_batches_by_index_when_keras_calls_once_per_execution(monkeypatch, capsys):
    """With ``steps_per_execution`` Keras calls the batch hook once per execution with the index of
    its last batch; counting calls made cifar10's 45-epoch ETA read 110 h instead of about 4 h."""
    from components import progress, training

    clock = [0.0]
    monkeypatch.setattr(training.time, "monotonic", lambda: clock[0])
    monkeypatch.setenv(progress.ENV, "1")
    callback = training.EpochProgress(steps=352, interval=0.0)
    callback.set_params({"epochs": 45})
    callback.on_train_begin()
    callback.on_epoch_begin(0)
    for last in (87, 175):  # two executions of 88 batches, one second a batch
        clock[0] += 88.0
        callback.on_train_batch_end(last)
    events = [json.loads(line[len(progress.PREFIX) :]) for line in capsys.readouterr().out.splitlines()]
    left = 45 * 352 - 176  # batches, at one second each
    assert events[-1] == {"kind": "detail", "text": f"epoch 1/45 batch 176/352, ETA {progress.duration(left)}"}
    assert progress.duration(left) == "4 h 21 min"
