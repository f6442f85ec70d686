import keras
import numpy as np
import pytest

from components.studies.mirai import MiraiParams
from components.studies.mirai.models import MonteCarloDropout, build_dnn, has_mc_dropout
from components.studies.mirai.recipe import RECIPE as recipe

STATE = {"features": 6}


def _layers(model, kind):
    return [layer for layer in model.layers if type(layer) is kind]


def test_the_best_variant_is_the_seeds_best_network():
    model = recipe.build_model(STATE, MiraiParams(), "best")
    dense = _layers(model, keras.layers.Dense)
    assert [d.units for d in dense] == [50] * 5 + [1]
    assert {d.activation.__name__ for d in dense} == {"sigmoid"} and dense[-1].dtype_policy.name == "float32"
    assert len(_layers(model, keras.layers.BatchNormalization)) == 5 and not has_mc_dropout(model)
    optimizer = model.optimizer
    assert isinstance(optimizer, keras.optimizers.SGD) and optimizer.momentum == 0.9
    assert float(optimizer.learning_rate) == pytest.approx(0.1)


def test_options_change_the_optimizer_activation_and_dropout():
    model = recipe.build_model(STATE, MiraiParams(learning_rate=0.5), "2x20-relu+adam+lr0.001+dropout")
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.001)
    assert {d.activation.__name__ for d in _layers(model, keras.layers.Dense)[:-1]} == {"relu"}
    assert [d.rate for d in _layers(model, keras.layers.Dropout)] == [0.5, 0.5]
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        build_dnn(6, 1, 4, optimizer="rmsprop")


def test_monte_carlo_dropout_stays_on_at_inference_and_survives_saving(tmp_path):
    x = np.ones((64, 6), np.float32)
    plain = build_dnn(6, 2, 16, dropout=True)
    np.testing.assert_array_equal(plain.predict(x, verbose=0), plain.predict(x, verbose=0))
    mc = build_dnn(6, 2, 16, batch_norm=True, mc_dropout=True)
    assert len(_layers(mc, MonteCarloDropout)) == 2
    assert not np.array_equal(mc.predict(x, verbose=0), mc.predict(x, verbose=0))
    mc.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert has_mc_dropout(loaded) and not np.array_equal(loaded.predict(x, verbose=0), loaded.predict(x, verbose=0))


def test_dataset_batches_float32_rows_with_their_labels_and_shuffles_by_seed():
    table = {"features": np.arange(20, dtype=np.float32).reshape(10, 2), "label": np.arange(10, dtype=np.float32)}
    batches = list(recipe.dataset(table, STATE, 4, shuffle=False, seed=0).as_numpy_iterator())
    assert [len(labels) for _, labels in batches] == [4, 4, 2] and batches[0][0].dtype == np.float32
    np.testing.assert_array_equal(batches[1][0][:, 0], 2 * batches[1][1])  # rows stay with their labels
    order = [
        np.concatenate([y for _, y in recipe.dataset(table, STATE, 4, True, seed).as_numpy_iterator()])
        for seed in (1, 1, 2)
    ]
    assert sorted(order[0]) == list(range(10)) and order[0].tolist() == order[1].tolist() != order[2].tolist()


def test_dataset_draws_a_new_order_every_epoch():
    table = {"features": np.zeros((50, 2), np.float32), "label": np.arange(50, dtype=np.float32)}
    batches = [y for _, y in recipe.dataset(table, STATE, 16, shuffle=True, seed=3, epochs=range(2))]
    first, second = batches[:4], batches[4:]
    assert [len(y) for y in first] == [16, 16, 16, 2]
    assert sorted(np.concatenate(second)) == list(range(50)) and not np.array_equal(
        np.concatenate(first), np.concatenate(second)
    )


def test_monte_carlo_evaluation_reports_mean_and_std_only_for_mc_models():
    test = {
        "features": np.random.default_rng(0).normal(size=(200, 6)).astype(np.float32),
        "label": np.tile([0.0, 1.0], 100).astype(np.float32),
    }
    params = MiraiParams(mc_passes=4)
    assert "not run" in recipe.evaluation_extras(build_dnn(6, 1, 8), STATE, test, params)["mc_dropout"]
    extras = recipe.evaluation_extras(build_dnn(6, 1, 8, mc_dropout=True), STATE, test, params)
    assert extras["mc_dropout_passes"] == 4 and 0 <= extras["mc_dropout_mean_accuracy"] <= 1
    assert extras["mc_dropout_std_accuracy"] > 0
