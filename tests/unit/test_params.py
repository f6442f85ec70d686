import dataclasses
import logging
import sys

import pytest

from components.studies import STUDIES, ParameterError, TrainingParams, UnknownStudy, discover, get_study
from components.studies.amazon import AmazonParams
from components.studies.base import shared
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
        ({"cv_folds": 1}, "cv_folds must be at least 2, or 0 to skip cross-validation; got 1"),
        ({"variants": "final,16-x-1"}, "variant '16-x-1'"),
        ({"cv_folds": 0, "variants": "final,32-1"}, "cv_folds=0 skips cross-validation, so it needs exactly one"),
        ({"batch_size": 0}, "epochs and batch_size must be positive; got epochs=7, batch_size=0"),
        ({"variants": " , "}, "variants is empty"),
        ({"validation_rows": -1}, "validation_rows must not be negative; got -1"),
        ({"validation_rows": "0.5"}, "'validation_rows' expects int, got '0.5'"),
        ({"validation_fraction": 1}, "validation_fraction is a fraction of the training rows.*got 1.0"),
        (
            {"validation_fraction": 0.2},
            "validation_rows=10000 and validation_fraction=0.2 both hold rows out for validation; "
            "set the one you do not mean to 0",
        ),
        ({"test_fraction": -0.1}, "test_fraction must be at least 0 and below 1; got -0.1"),
    ],
)
def test_bad_parameters_name_the_problem(values, message):
    with pytest.raises(ParameterError, match=message):
        ImdbParams.from_mapping(values)


def test_either_unit_of_validation_hold_out_is_accepted_when_the_other_is_zero():
    p = ImdbParams.from_mapping({"validation_rows": 0, "validation_fraction": "0.25"})
    assert (p.validation_rows, p.validation_fraction) == (0, 0.25)
    p = AmazonParams.from_mapping({"validation_rows": "300", "validation_fraction": 0})
    assert (p.validation_rows, p.validation_fraction) == (300, 0.0)


# What ``validation_size`` meant in each study that had it before it was split by unit (a study added
# later never had the name, so it needs no entry and no RENAMED).
LEGACY_VALIDATION_SIZE = {
    "imdb": ("validation_rows", "200", 200),
    "cifar10": ("validation_rows", "200", 200),
    "digits": ("validation_rows", "200", 200),
    "amazon": ("validation_fraction", "0.3", 0.3),
    "mirai": ("validation_fraction", "0.3", 0.3),
}


@pytest.mark.parametrize("study", sorted(LEGACY_VALIDATION_SIZE))
def test_the_old_name_validation_size_keeps_its_meaning_with_a_deprecation_message(study, caplog):
    new, given, value = LEGACY_VALIDATION_SIZE[study]
    params = get_study(study).params
    # Keeping validation_size working without a message would hide the rename; with one, say what it became.
    with pytest.deprecated_call(match=f"'validation_size' is deprecated; for this study it is '{new}'"):
        with caplog.at_level(logging.WARNING):
            p = params.from_mapping({"validation_size": given, **_other_unit_off(params, new)})
    assert getattr(p, new) == value
    assert f"use {new}={given}" in caplog.text
    with pytest.raises(ParameterError, match=f"'validation_size' is the deprecated name of '{new}'; give only"):
        params.from_mapping({"validation_size": given, new: given})


def _other_unit_off(params, new: str) -> dict:
    other = "validation_fraction" if new == "validation_rows" else "validation_rows"
    return {other: 0} if getattr(params(), other) else {}


def test_the_studies_that_had_validation_size_map_it_to_their_unit():
    for name, (new, _, _) in LEGACY_VALIDATION_SIZE.items():
        assert get_study(name).params.RENAMED == {"validation_size": new}


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_every_study_can_skip_cross_validation_with_one_variant(study):
    params = get_study(study).params
    single = params().variants.split(",")[0]
    assert params.from_mapping({"cv_folds": 0, "variants": single}).cv_folds == 0
    with pytest.raises(ParameterError, match="cv_folds must be at least 2"):
        params.from_mapping({"cv_folds": 1})


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_a_study_redeclares_shared_fields_without_moving_them_to_another_step(study):
    params = get_study(study).params
    assert issubclass(params, TrainingParams)
    steps = {f.name: f.metadata["step"] for f in dataclasses.fields(TrainingParams)}
    for field in params.fields():
        if field.name in steps:
            assert field.metadata["step"] == steps[field.name], field.name


def test_fields_are_listed_by_step():
    order = [f.metadata["step"] for f in get_study("mirai").params.fields()]
    assert order == sorted(order, key=["preprocess", "train", "cross_validate", "evaluate"].index)
    assert order[-1] == "evaluate", "mirai's mc_passes feeds evaluate"


def test_shared_refuses_a_field_the_base_does_not_have():
    with pytest.raises(ValueError, match="'epoch' is not a shared training parameter; expected one of"):
        shared("epoch", 3)


def test_studies_are_discovered_from_their_folders():
    assert sorted(STUDIES) == ["amazon", "cifar10", "digits", "imdb", "mirai"]
    assert all(name == study.name for name, study in STUDIES.items())


@pytest.mark.parametrize(
    "init, message",
    [
        ("X = 1\n", "fakestudies.broken is a study folder but has no STUDY = Study"),
        (
            "from components.studies.imdb import STUDY\n",
            r"fakestudies.broken.STUDY is named 'imdb'; name it after its folder",
        ),
    ],
)
def test_a_half_added_study_folder_is_an_error_naming_it(tmp_path, monkeypatch, init, message):
    root = tmp_path / "fakestudies"
    (root / "broken").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "helpers.py").write_text("")  # a plain module: not a study, skipped
    (root / "_template").mkdir()  # a leading underscore: not a study, skipped
    (root / "_template" / "__init__.py").write_text("")
    (root / "broken" / "__init__.py").write_text(init)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m.split(".")[0] == "fakestudies"]:
        monkeypatch.delitem(sys.modules, name)  # each case imports its own fakestudies
    with pytest.raises(TypeError, match=message):
        discover([str(root)], "fakestudies")


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
