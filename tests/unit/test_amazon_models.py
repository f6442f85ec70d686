import numpy as np
import pytest

from components.studies import ParameterError
from components.studies.amazon import AmazonParams
from components.studies.amazon.recipe import RECIPE as recipe
from components.studies.amazon.variants import VARIANTS, parse_variant
from components.tables import Ragged

STATE = {"vocabulary": ["w"] * 48, "sequence_length": 12}


def test_the_seed_variants_are_known_and_unknown_names_are_refused():
    assert {"rnn", "bi-rnn", "gru", "bi-gru", "lstm", "bi-lstm", "small-gru", "deep-bi-gru", "wide-bi-gru"} == set(
        VARIANTS
    )
    with pytest.raises(ParameterError, match="unknown variant 'bi-transformer'"):
        AmazonParams.from_mapping({"variants": "bi-gru, bi-transformer"})


@pytest.mark.parametrize(
    "values, message",
    [
        ({"validation_fraction": "2000"}, "validation_fraction is a fraction"),
        ({"validation_rows": 500}, "validation_rows=500 and validation_fraction=0.1 both hold rows out"),
        ({"test_fraction": 0}, "test_fraction"),
        ({"max_tokens": 2}, "max_tokens"),
    ],
)
def test_bad_parameters_are_refused(values, message):
    with pytest.raises(ParameterError, match=message):
        AmazonParams.from_mapping(values)


def test_the_default_bigru_is_the_seeds_architecture():
    model = recipe.build_model(STATE, AmazonParams(), "bi-gru")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "Embedding", "Bidirectional", "BatchNormalization", "Dense"]
    embedding, bigru = model.layers[1], model.layers[2]
    assert embedding.input_dim == 50 and embedding.output_dim == 16 and embedding.mask_zero
    assert bigru.forward_layer.units == 64 and model.output.dtype == "float32"
    assert model.layers[3].momentum == 0.9, "moving statistics that settle within a few dozen updates"
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.001)


def test_deep_and_wide_variants_stack_and_keep_their_own_learning_rate():
    deep = recipe.build_model(STATE, AmazonParams(), "deep-bi-gru")
    grus = [layer.forward_layer for layer in deep.layers if type(layer).__name__ == "Bidirectional"]
    assert [g.units for g in grus] == [512, 128, 16] and [g.return_sequences for g in grus] == [True, True, False]
    assert [layer.units for layer in deep.layers if type(layer).__name__ == "Dense"] == [128, 32, 8, 1]
    wide = recipe.build_model(STATE, AmazonParams(learning_rate=0.5), "wide-bi-gru")
    assert float(wide.optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    assert parse_variant("small-gru").embedding == 4


def test_the_plateau_schedule_falls_back_to_training_loss_without_validation():
    import keras

    model = recipe.build_model(STATE, AmazonParams(), "small-gru")
    (schedule,) = recipe.training_extras({}, AmazonParams(plateau_patience=2))["callbacks"]
    schedule.set_model(model)
    schedule.on_train_begin()
    for epoch, loss in enumerate([0.6, 0.7, 0.7, 0.7]):
        schedule.on_epoch_end(epoch, {"loss": loss, "accuracy": 0.5})
    assert schedule.monitor == "loss"
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(0.0005)


def test_the_tfidf_baseline_scores_the_test_rows():
    docs = ["great product, love it", "love this. Great!", "terrible: broke", "junk, terrible waste"] * 5
    prepared = recipe.prepare(
        {
            "text": Ragged.from_strings(docs + ["LOVE it, great", "broke junk"]),
            "label": np.array([1, 1, 0, 0] * 5 + [1, 0], np.uint8),
        }
    )
    scores = recipe.baselines(prepared, np.arange(20), np.array([20, 21]))
    assert scores == {"tfidf_logreg_accuracy": 1.0}
