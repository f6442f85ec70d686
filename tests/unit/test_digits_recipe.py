import dataclasses

import numpy as np
import pytest

from components import splits
from components.studies import ParameterError
from components.studies.digits import DigitsParams
from components.studies.digits.recipe import RECIPE as recipe
from components.studies.digits.sample import write_sample
from components.studies.digits.variants import VARIANTS, parse_variant


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    return recipe.read(write_sample(str(tmp_path_factory.mktemp("digits")), format="dmd", per_class=2, seed=5))


def _rows(ds) -> tuple[np.ndarray, np.ndarray]:
    batches = list(ds.as_numpy_iterator())
    return np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches])


def test_encode_resamples_every_row_to_the_state_points_as_float32(raw):
    prepared = recipe.prepare(raw)
    state = recipe.fit(prepared, np.arange(10), DigitsParams(points=30))
    table = recipe.encode(prepared, np.array([4, 0]), state)
    assert table["xy"].shape == (2, 30, 2) and table["xy"].dtype == np.float32
    assert table["label"].tolist() == raw["label"][[4, 0]].tolist()
    assert recipe.encode(prepared, np.array([], int), state)["xy"].shape == (0, 30, 2)


def test_only_training_input_gets_the_reversed_copies(raw):
    prepared = recipe.prepare(raw)
    state = recipe.fit(prepared, np.arange(len(raw["label"])), DigitsParams())
    table = recipe.encode(prepared, np.arange(6), state)

    xy, label = _rows(recipe.dataset(table, state, 4, shuffle=True, seed=1))
    expected = np.concatenate([table["xy"], table["xy"][:, ::-1]])
    assert len(xy) == 12 and label.dtype == np.int32
    assert sorted(map(bytes, xy)) == sorted(map(bytes, expected))

    xy, label = _rows(recipe.dataset(table, state, 4, shuffle=False, seed=1))
    assert np.array_equal(xy, table["xy"]) and np.array_equal(label, table["label"])

    off = recipe.fit(prepared, np.arange(6), DigitsParams(reverse_augment=False))
    assert len(_rows(recipe.dataset(table, off, 4, shuffle=True, seed=1))[0]) == 6


def test_cv_folds_never_share_a_writer_and_reversed_copies_stay_with_their_fold(raw):
    train_rows, _ = splits.train_test_rows(raw["split"], raw["label"], 0.0, seed=0)
    prepared = recipe.prepare(raw)
    state = recipe.fit(prepared, train_rows, DigitsParams())
    for fit_rows, held_rows in splits.folds(train_rows, raw["label"], 3, seed=42, groups=raw["group"]):
        assert not set(raw["group"][fit_rows]) & set(raw["group"][held_rows])
        fit, held = recipe.encode(prepared, fit_rows, state), recipe.encode(prepared, held_rows, state)
        seen = set(map(bytes, _rows(recipe.dataset(fit, state, 64, shuffle=True, seed=0))[0]))
        assert seen == set(map(bytes, np.concatenate([fit["xy"], fit["xy"][:, ::-1]])))
        assert not seen & set(map(bytes, np.concatenate([held["xy"], held["xy"][:, ::-1]])))


def test_variants_by_short_or_seed_name_with_an_optional_learning_rate():
    assert parse_variant("RegularizedDeepGRU") == parse_variant("deep_gru") == VARIANTS["deep_gru"]
    assert parse_variant("gru64").learning_rate == 0.002
    tuned = parse_variant("gru4x64+lr0.0005")
    assert tuned.learning_rate == 0.0005 and tuned.units == (64, 64, 64, 64)
    with pytest.raises(ParameterError, match="expected one of deep_gru"):
        parse_variant("gru65")
    with pytest.raises(ParameterError, match="unknown option 'dropout'"):
        parse_variant("gru64+dropout")
    own = parse_variant("deep_gru+epochs80+batch600")
    assert (own.epochs, own.batch_size) == (80, 600) and parse_variant("deep_gru").epochs is None
    with pytest.raises(ParameterError, match="unknown option 'epochs0'"):
        parse_variant("gru64+epochs0")


def test_the_cudnn_twin_is_the_same_network_without_recurrent_dropout():
    seed, twin = parse_variant("deep_lstm"), parse_variant("deep_lstm+cudnn")
    assert seed.recurrent_dropout == 0.01 and twin.recurrent_dropout == 0.0
    assert dataclasses.replace(twin, recurrent_dropout=seed.recurrent_dropout) == seed
    assert parse_variant("deep_bilstm+cudnn+lr0.001").learning_rate == 0.001


def test_parameters_default_to_the_two_hour_comparison_and_the_seed_preset_names_every_network():
    p = DigitsParams()
    assert (p.points, p.epochs, p.batch_size, p.cv_folds) == (50, 40, 300, 3)
    assert [(parse_variant(v).seed_name, p.settings_used(v)["epochs"]) for v in p.variant_names()] == [
        ("Regularized64GRU", 30),
        ("Regularized4x64GRU", 20),
    ]
    seed = DigitsParams.from_mapping(DigitsParams.PRESETS["seed"])
    assert [parse_variant(v).seed_name for v in seed.variant_names()] == [
        "RegularizedDeepGRU",
        "RegularizedDeepLSTM",
        "RegularizedDeepBidirectionalLSTM",
        "Regularized1024GRU",
        "Regularized64GRU",
        "Regularized4x64GRU",
    ]
    # The seed's epochs per network: 40 (the study's), 64GRU 80, 1024GRU 20.
    assert [seed.settings_used(v)["epochs"] for v in seed.variant_names()] == [40, 40, 40, 20, 80, 40]
    with pytest.raises(ParameterError, match="variant 'lstm9'"):
        DigitsParams.from_mapping({"variants": "gru64,lstm9"})
    with pytest.raises(ParameterError, match="points"):
        DigitsParams.from_mapping({"points": "1"})
