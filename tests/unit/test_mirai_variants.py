import pytest

from components.studies.base import ParameterError
from components.studies.mirai import MiraiParams
from components.studies.mirai.variants import DnnVariant, parse_variant


@pytest.mark.parametrize(
    "name, expected",
    [
        ("best", DnnVariant(5, 50, "sigmoid", batch_norm=True)),
        ("5x50-sigmoid+bn", DnnVariant(5, 50, "sigmoid", batch_norm=True)),
        ("best+mcdropout", DnnVariant(5, 50, "sigmoid", batch_norm=True, mc_dropout=True)),
        ("2x20-sigmoid", DnnVariant(2, 20, "sigmoid")),
        ("4x50-relu", DnnVariant(4, 50, "relu")),
        ("2x20-sigmoid+adam+lr0.001", DnnVariant(2, 20, "sigmoid", optimizer="adam", learning_rate=0.001)),
        ("2x20-sigmoid+dropout", DnnVariant(2, 20, "sigmoid", dropout=True)),
        (" 2x20-tanh+sgd+lr1e-2 ", DnnVariant(2, 20, "tanh", learning_rate=0.01)),
    ],
)
def test_variant_names(name, expected):
    assert parse_variant(name) == expected


@pytest.mark.parametrize(
    "name, message",
    [
        ("5x50", "expected '<layers>x<nodes>-<activation>'"),
        ("0x50-relu", "expected '<layers>x<nodes>-<activation>'"),
        ("2x20-softmax", "activation one of sigmoid, relu, tanh"),
        ("2x20-relu+l2", "unknown option 'l2'"),
        ("2x20-relu+lr0", "unknown option 'lr0'"),
        ("2x20-relu+dropout+mcdropout", "choose one of dropout and mcdropout"),
    ],
)
def test_bad_variant_names_say_what_is_expected(name, message):
    with pytest.raises(ParameterError, match=message):
        parse_variant(name)


def test_defaults_are_the_seeds_best_run_and_split():
    p = MiraiParams()
    assert parse_variant(p.variants) == parse_variant("best")
    assert (p.epochs, p.batch_size, p.learning_rate, p.class_weights, p.cv_folds) == (20, 1000, 0.1, True, 10)
    assert p.drop_columns == 24 and p.mc_passes == 100
    # 15% test, then 15% of all rows for validation: 70/15/15.
    assert p.test_fraction == 0.15 and p.validation_fraction * (1 - p.test_fraction) == pytest.approx(0.15)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"variants": "best,3x3"}, "variant '3x3'"),
        ({"drop_columns": "0"}, "drop_columns must be at least 1"),
        ({"validation_fraction": "1.0"}, "validation_fraction is a fraction"),
        ({"test_fraction": "0"}, "test_fraction must be between 0 and 1"),
        ({"mc_passes": "0"}, "must be positive"),
    ],
)
def test_parameters_are_validated(values, message):
    with pytest.raises(ParameterError, match=message):
        MiraiParams.from_mapping(values)
