import pytest

from components.studies import ParameterError, UnknownStudy, get_study
from components.studies.imdb import ImdbParams
from components.studies.imdb.variants import parse_variant


def test_values_from_kfp_or_cli_strings_are_coerced():
    p = ImdbParams.from_mapping({"epochs": "7.0", "learning_rate": "0.01", "fit_on_validation": "false"})
    assert (p.epochs, p.learning_rate, p.fit_on_validation) == (7, 0.01, False)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"epoch": 3}, "unknown parameter.*epoch"),
        ({"epochs": "seven"}, "'epochs' expects int"),
        ({"epochs": "2.5"}, "'epochs' expects int"),
        ({"cv_folds": 1}, "cv_folds must be at least 2"),
        ({"variants": "final,16-x-1"}, "variant '16-x-1'"),
        ({"cv_folds": 0, "variants": "final,32-1"}, "cv_folds=0 skips cross-validation, so it needs exactly one"),
        ({"batch_size": 0}, "epochs and batch_size must be positive"),
        ({"variants": " , "}, "variants is empty"),
    ],
)
def test_bad_parameters_name_the_problem(values, message):
    with pytest.raises(ParameterError, match=message):
        ImdbParams.from_mapping(values)


@pytest.mark.parametrize("study", ["imdb", "digits", "mirai", "cifar10", "amazon"])
def test_every_study_can_skip_cross_validation_with_one_variant(study):
    params = get_study(study).params
    single = params().variants.split(",")[0]
    assert params.from_mapping({"cv_folds": 0, "variants": single}).cv_folds == 0
    with pytest.raises(ParameterError, match="cv_folds must be at least 2"):
        params.from_mapping({"cv_folds": 1})


def test_variants_follow_the_seed():
    final = parse_variant("final")
    assert final.hidden == (16, 8, 4) and final.l2 == 0.001 and final.dropout == 0.4
    assert parse_variant("baseline").hidden == (4, 2)
    tapered = parse_variant("128-64-32-1+l1+dropout0.5")
    assert tapered.hidden == (128, 64, 32) and tapered.l1 == 0.001 and tapered.dropout == 0.5
    with pytest.raises(ParameterError, match="unknown option"):
        parse_variant("16-1+l3")


def test_unknown_study_lists_the_known_ones():
    with pytest.raises(UnknownStudy) as info:
        get_study("mnist")
    assert "imdb" in str(info.value)
