"""cifar10 model, cyclic learning rate, range test and evaluation extras."""

import keras
import numpy as np
import pytest

from components.studies import ParameterError
from components.studies.cifar10 import SEED_SGD, Cifar10Params
from components.studies.cifar10.clr import CyclicLR, triangular_lr
from components.studies.cifar10.lr_range import smoothed, suggest_max_lr
from components.studies.cifar10.recipe import RECIPE as recipe
from components.studies.cifar10.recipe import misclassification_summary
from components.studies.cifar10.sample import synthetic_images
from components.training import fit_model


def test_the_seed_cnn_has_2168362_parameters_and_a_float32_softmax():
    model = recipe.build_model({}, Cifar10Params.from_mapping(SEED_SGD), "sgd")
    assert model.count_params() == 2_168_362
    assert model.output_shape == (None, 10) and model.layers[-1].dtype_policy.compute_dtype == "float32"
    assert model.loss == "categorical_crossentropy"
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.001)


@pytest.mark.parametrize(
    "variant, optimizer",
    [
        ("rmsprop", keras.optimizers.RMSprop),
        ("adagrad", keras.optimizers.Adagrad),
        ("adadelta", keras.optimizers.Adadelta),
        ("adam", keras.optimizers.Adam),
    ],
)
def test_every_variant_is_a_fresh_model_with_its_own_optimizer(variant, optimizer):
    first = recipe.build_model({}, Cifar10Params(), variant)
    second = recipe.build_model({}, Cifar10Params(), variant)
    assert isinstance(first.optimizer, optimizer) and first is not second
    assert not np.array_equal(first.layers[1].get_weights()[0], second.layers[1].get_weights()[0])


def test_unknown_variants_and_bad_rates_are_refused():
    with pytest.raises(ParameterError, match="unknown variant 'nadam'"):
        Cifar10Params.from_mapping({"variants": "sgd,nadam", "cv_folds": 2})
    with pytest.raises(ParameterError, match="base_lr <= max_lr"):
        Cifar10Params.from_mapping({"base_lr": "0.1", "max_lr": "0.01"})


@pytest.mark.parametrize(
    "iteration, expected",
    [
        (0, 0.001),
        (40, 0.0055),
        (80, 0.01),
        (120, 0.0055),
        (160, 0.001),
        (200, 0.0055),
        (240, 0.01),
        (320, 0.001),
    ],
)
def test_triangular_rate_at_known_steps(iteration, expected):
    # base 0.001, max 0.01, step size 80 batches (2 epochs of 40,000 images at batch 500 is 160).
    assert triangular_lr(iteration, 0.001, 0.01, 80) == pytest.approx(expected)


def _fit_with_cyclic_lr(epochs: int, initial_epoch: int = 0):
    """Fit a tiny model for 6 batches an epoch under CyclicLR(0.001, 0.01, 4);
    returns the history and the rate the optimizer had before every batch."""
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda b, logs: seen.append(float(model.optimizer.learning_rate.numpy()))
    )
    history = model.fit(
        np.zeros((12, 2)),
        np.zeros(12),
        batch_size=2,
        epochs=epochs,
        initial_epoch=initial_epoch,
        verbose=0,
        callbacks=[CyclicLR(0.001, 0.01, 4), record],
    )
    return history, seen


def test_the_callback_sets_the_rate_before_every_batch():
    history, seen = _fit_with_cyclic_lr(epochs=2)
    assert seen == pytest.approx([triangular_lr(i, 0.001, 0.01, 4) for i in range(12)])
    assert history.history["learning_rate"] == pytest.approx([seen[5], seen[11]])


def test_a_resumed_fit_continues_the_cycle_where_the_lost_run_was():
    _, seen = _fit_with_cyclic_lr(epochs=3, initial_epoch=2)
    assert seen == pytest.approx([triangular_lr(i, 0.001, 0.01, 4) for i in range(12, 18)])


def test_training_that_ends_mid_cycle_is_warned_about(caplog):
    train = {"image": np.zeros((10, 32, 32, 3), np.uint8), "label": np.zeros(10, np.uint8)}
    recipe.training_extras(train, Cifar10Params(epochs=45, clr_step_epochs=3))
    assert "epochs=45 is not a whole number of learning-rate cycles (6 epochs each)" in caplog.text
    caplog.clear()
    recipe.training_extras(train, Cifar10Params(epochs=300, clr_step_epochs=2))
    assert "cycles" not in caplog.text


def test_training_extras_cycle_over_two_epochs_of_batches():
    train = {"image": np.zeros((1001, 32, 32, 3), np.uint8), "label": np.zeros(1001, np.uint8)}
    (clr,) = recipe.training_extras(train, Cifar10Params.from_mapping(SEED_SGD))["callbacks"]
    assert (clr.base_lr, clr.max_lr, clr.step_size) == (0.001, 0.01, 2 * 3)


def test_smoothing_is_a_bias_corrected_moving_average():
    # beta 0.5: 0.5*1 / (1 - 0.5) = 1; (0.5*0.5 + 0.5*3) / (1 - 0.25) = 1.75 / 0.75
    np.testing.assert_allclose(smoothed(np.array([1.0, 3.0]), beta=0.5), [1.0, 1.75 / 0.75])


def test_suggested_max_lr_is_the_minimum_of_the_smoothed_loss():
    lrs = np.linspace(0.001, 0.1, 100)
    losses = 2.3 - 10 * lrs + 200 * np.clip(lrs - 0.05, 0, None) ** 2 * 10
    losses[-3:] = np.nan
    best = lrs[np.argmin(losses[:-3])]
    assert abs(suggest_max_lr(lrs, losses) - best) < 0.01


def _tiny_table(per_class: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10, dtype=np.uint8), per_class)
    images = np.concatenate([synthetic_images(rng, c, per_class) for c in range(10)])
    return {"image": images, "label": labels}


def test_the_range_test_runs_first_and_its_curve_lands_in_the_history():
    train = _tiny_table(4, seed=1)
    p = Cifar10Params(epochs=1, batch_size=20, lr_range_epochs=2)
    model, curves = fit_model(recipe, p, "sgd", {"pad_crop": 0}, train, None, seed=3)
    lrs, losses = curves["lr_range_test_lr"], curves["lr_range_test_loss"]
    assert len(lrs) == len(losses) == 2 * 2
    assert lrs[0] == pytest.approx(0.001) and lrs[-1] == pytest.approx(0.1) and lrs == sorted(lrs)
    assert np.all(np.isfinite(losses))
    assert curves["lr_range_test_suggested_max_lr"][0] in lrs
    assert len(curves["loss"]) == 1


def test_evaluation_extras_describe_real_mistakes():
    labels = np.array([0, 0, 1, 1, 2, 2, 3])
    proba = np.full((7, 10), 0.01)
    for row, (cls, p) in enumerate([(0, 0.9), (1, 0.6), (1, 0.9), (1, 0.5), (2, 0.8), (3, 0.7), (3, 0.9)]):
        proba[row, cls] = p
    extras = misclassification_summary(labels, proba)
    assert extras["class_accuracy.airplane"] == 0.5 and extras["class_accuracy.automobile"] == 1.0
    assert extras["class_accuracy.bird"] == 0.5 and extras["class_accuracy.cat"] == 1.0
    assert extras["class_accuracy.truck"] == 0.0  # absent class: no division by zero
    matrix = np.array(extras["normalized_confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix[0, 1] == 0.5 and matrix[2, 3] == 0.5
    shown = extras["misclassified_examples"]
    assert [e["index"] for e in shown] == [5, 1], "only true mistakes, most confident first"
    assert shown[0] == {"index": 5, "true": "bird", "predicted": "cat", "confidence": 0.7}
    assert all(labels[e["index"]] != proba[e["index"]].argmax() for e in shown)
