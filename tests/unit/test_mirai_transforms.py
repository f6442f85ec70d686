import numpy as np
import pytest

from components import splits, tables
from components.artifacts import load_state
from components.steps.ingest import run_ingest
from components.steps.preprocess import PreprocessOutputs, run_preprocess
from components.studies.base import ParameterError
from components.studies.mirai import MiraiParams
from components.studies.mirai.recipe import RECIPE as recipe
from components.studies.mirai.sample import write_sample
from components.studies.mirai.transforms import balanced_class_weights, fit_standardizer, standardize

# Column 0 is dropped; column 2 is constant on the training rows (0 and 1).
FEATURES = np.array([[9, 1, 2, 5], [9, 3, 2, 7], [9, 5, 2, 100]], np.float32)


def test_standardiser_is_fitted_on_the_given_rows_only():
    scaler = fit_standardizer(FEATURES, np.array([0, 1]), first_column=1)
    assert scaler["mean"] == [2.0, 2.0, 6.0] and scaler["std"] == [1.0, 1.0, 1.0]
    assert scaler["constant_columns"] == [1]
    # Row 2 (not a training row) is scaled with the training statistics: its 100 moved nothing.
    np.testing.assert_array_equal(standardize(FEATURES, np.array([2, 0]), scaler), [[3, 0, 94], [-1, 0, -1]])


def test_a_constant_column_standardises_to_exact_zeros_not_nan():
    features = np.array([[0.1, 1.0], [0.1, 2.0], [0.1, 4.0]], np.float32)  # 0.1 is inexact in binary
    scaler = fit_standardizer(features, np.arange(3), first_column=0)
    out = standardize(features, np.arange(3), scaler)
    assert not np.isnan(out).any() and (out[:, 0] == 0).all() and out.dtype == np.float32
    np.testing.assert_allclose(out[:, 1], (np.array([1, 2, 4]) - 7 / 3) / np.std([1, 2, 4]), rtol=1e-6)


def test_balanced_class_weights_for_the_seeds_counts():
    labels = np.repeat(np.array([0, 1], np.uint8), [121621, 642516])
    weights = balanced_class_weights(labels)
    assert weights == {0: 764137 / (2 * 121621), 1: 764137 / (2 * 642516)}
    assert weights[0] == pytest.approx(3.14, abs=0.005) and weights[1] == pytest.approx(0.59, abs=0.005)
    assert balanced_class_weights(np.ones(4)) == {0: 1.0, 1: 0.5}


def test_recipe_drops_the_seeds_leading_columns_counting_the_row_index():
    prepared = recipe.prepare({"features": FEATURES, "label": np.array([0, 1, 1], np.uint8)})
    state = recipe.fit(prepared, np.array([0, 1]), MiraiParams(drop_columns=3))  # row index + 2 features
    assert state["features"] == 2 and state["scaler"]["mean"] == [2.0, 6.0]
    table = recipe.encode(prepared, np.array([1, 2]), state)
    np.testing.assert_array_equal(table["features"], [[0, 1], [0, 94]])
    assert table["label"].dtype == np.float32 and table["label"].tolist() == [1, 1]
    with pytest.raises(ParameterError, match="drop_columns=5 leaves no features"):
        recipe.fit(prepared, np.array([0, 1]), MiraiParams(drop_columns=5))


def test_training_extras_give_class_weights_of_the_table_they_are_given():
    train = {"label": np.array([0, 1, 1, 1], np.float32)}
    assert recipe.training_extras(train, MiraiParams()) == {"class_weight": {0: 2.0, 1: 4 / 6}}
    assert recipe.training_extras(train, MiraiParams(class_weights=False)) == {}


def test_preprocess_splits_70_15_15_stratified_and_scales_with_training_statistics_only(tmp_path):
    source = write_sample(str(tmp_path / "src"), per_class=200, seed=2)
    raw_path = str(tmp_path / "raw.npz")
    run_ingest("mirai", source, raw_path)
    out = PreprocessOutputs(*(str(tmp_path / f"{n}.npz") for n in ("train", "val", "test")), str(tmp_path / "s.json"))
    counts = run_preprocess("mirai", raw_path, {}, 42, out)
    raw = tables.load(raw_path)
    total = len(raw["label"])
    assert counts["test"] == pytest.approx(0.15 * total, abs=1)
    assert (
        counts["validation"] == pytest.approx(0.15 * total, abs=2)
        and sum(counts[k] for k in ("train", "validation", "test")) == total
    )
    train, test = tables.load(out.train), tables.load(out.test)
    assert train["features"].shape[1] == 92 and train["features"].dtype == np.float32
    assert test["label"].mean() == pytest.approx(raw["label"].mean(), abs=0.01)  # stratified
    # The state's mean is the training rows' mean, recomputed here from the same seeded splits.
    train_rows, _ = splits.train_test_rows(None, raw["label"], 0.15, 42)
    train_rows, _ = splits.hold_out(train_rows, raw["label"], 42, fraction=MiraiParams().validation_fraction)
    expected = raw["features"][train_rows, 23:].astype(np.float64).mean(axis=0)
    np.testing.assert_allclose(load_state(out.state)["scaler"]["mean"], expected, rtol=1e-9)
    varying = train["features"].std(axis=0) > 0
    np.testing.assert_allclose(train["features"][:, varying].mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(train["features"][:, varying].std(axis=0), 1, atol=1e-3)
    assert not varying.all() and not np.isnan(test["features"]).any()  # the sample's constant feature
