"""mirai's model-ready tables past ``Recipe.SHARD_ROWS``: written as shards of rows in a seeded
random order, so that training streams them (docs/speed.md) and every window of shards holds both
classes although the capture has its benign rows first; the same rows, state and class weights as
one table, and a fit that takes one optimizer step per batch from them."""

import os

import numpy as np
import pytest

from components import devices, tables
from components.artifacts import load_state
from components.row_batches import batches_per_epoch
from components.steps.ingest import run_ingest
from components.steps.preprocess import PreprocessOutputs, run_preprocess
from components.studies import get_study
from components.studies.mirai.recipe import MiraiRecipe
from components.studies.mirai.sample import write_sample
from components.training import fit_model

PARAMS = {"validation_fraction": 0.1}
SHARD = 100
VARIANT = "2x20-sigmoid+bn+adam"


def _preprocess(tmp_path, raw: str, name: str, shard_rows, monkeypatch) -> PreprocessOutputs:
    monkeypatch.setattr(MiraiRecipe, "SHARD_ROWS", shard_rows)
    out = PreprocessOutputs(*(str(tmp_path / name / part) for part in ("train", "validation", "test", "state.json")))
    run_preprocess("mirai", raw, PARAMS, 42, out)
    return out


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("mirai")
    path = str(folder / "raw.npz")
    run_ingest("mirai", write_sample(str(folder / "source"), per_class=200), path)
    return path


def _sorted_rows(table) -> np.ndarray:
    """The table's rows (features, then label) in a canonical order, to compare as sets."""
    rows = np.column_stack([tables.array(table, "features"), tables.array(table, "label")])
    return rows[np.lexsort(rows.T[::-1])]


def test_past_shard_rows_a_table_is_shards_of_the_same_rows_in_a_mixed_order(tmp_path, raw, monkeypatch):
    sharded = _preprocess(tmp_path, raw, "sharded", SHARD, monkeypatch)
    single = _preprocess(tmp_path, raw, "single", None, monkeypatch)
    with open(sharded.state) as a, open(single.state) as b:
        assert a.read() == b.read(), "the scaler is fitted on the same training rows"
    train = tables.open_table(sharded.train)
    whole = tables.load(single.train)
    assert isinstance(train, tables.Shards) and not tables.is_sharded(single.train)
    assert train.rows == (SHARD,) * (len(train) // SHARD) + ((len(train) % SHARD,) if len(train) % SHARD else ())
    assert np.array_equal(_sorted_rows(train), _sorted_rows(whole))
    # In the file's order the first SHARD training rows are all benign; every shard holds both classes.
    assert set(whole["label"][:SHARD]) == {0.0}
    assert all(set(shard["label"]) == {0.0, 1.0} for shard in train)
    for part in ("validation", "test"):  # each sharded only past SHARD_ROWS
        path = getattr(sharded, part)
        assert tables.is_sharded(path) == (tables.num_rows(tables.load(path)) > SHARD), part


def test_training_streams_the_shards_with_the_class_weights_of_one_table(tmp_path, raw, monkeypatch):
    out = _preprocess(tmp_path, raw, "sharded", SHARD, monkeypatch)
    spec, recipe, state = get_study("mirai"), MiraiRecipe(), load_state(out.state)
    train = tables.open_table(out.train)
    p = spec.params.from_mapping({"epochs": 2, "batch_size": 64, "variants": VARIANT})
    weights = recipe.training_extras(train, p)["class_weight"]
    assert weights == recipe.training_extras(tables.load(out.train), p)["class_weight"]
    batches = list(recipe.dataset(train, state, 64, shuffle=True, seed=3).as_numpy_iterator())
    assert len(batches) == batches_per_epoch(len(train), 64)
    seen = np.concatenate([features for features, _ in batches])
    assert np.array_equal(np.sort(seen, axis=0), np.sort(tables.array(tables.load(out.train), "features"), axis=0))
    asked: list = []  # recorded, not applied: this test process shares its runtime with other tests
    monkeypatch.setattr(devices, "limit_op_threads", asked.append)
    model, curves = fit_model(recipe, p, VARIANT, state, train, tables.open_table(out.validation), 3)
    assert asked == [MiraiRecipe.OP_THREADS] == [1]
    assert int(model.optimizer.iterations.numpy()) == 2 * batches_per_epoch(len(train), 64)
    assert len(curves["val_loss"]) == 2 and all(np.isfinite(curves["loss"]))
    assert os.path.isdir(out.train)


@pytest.mark.parametrize("variant", [VARIANT, "2x20-sigmoid+mcdropout+adam"])
def test_train_and_evaluate_steps_read_sharded_tables(tmp_path, raw, monkeypatch, variant):
    """The test table's shards keep each row's encoded features, raw serving record and label
    together: the serving model, fed the raw records, agrees with the Keras model on every row
    (where the model is deterministic); Monte-Carlo dropout's passes read the test shards too."""
    from components.steps.evaluate import EvaluationInputs, run_evaluate
    from components.steps.train import TrainInputs, TrainOutputs, run_train

    out = _preprocess(tmp_path, raw, "sharded", SHARD, monkeypatch)
    assert tables.is_sharded(out.test)
    params = {**PARAMS, "epochs": 2, "batch_size": 64, "variants": variant, "mc_passes": 3}
    model = TrainOutputs(str(tmp_path / "model"), str(tmp_path / "history.json"))
    run_train("mirai", variant, TrainInputs(out.train, out.validation, out.state), params, 3, model)
    inputs = EvaluationInputs(model.model_dir, out.train, out.test, out.state, model.history)
    evaluation = run_evaluate("mirai", variant, inputs, params, {})
    assert len(evaluation.labels) == len(tables.open_table(out.test))
    if "mcdropout" in variant:
        assert evaluation.result["extras"]["mc_dropout_passes"] == 3
        assert 0.0 <= evaluation.result["extras"]["mc_dropout_mean_accuracy"] <= 1.0
    else:
        assert evaluation.result["serving_agreement"] == 1.0
