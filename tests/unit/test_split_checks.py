"""Parameters checked against the data's counts (components.split_checks), before anything trains."""

import re

import numpy as np
import pytest

from components.split_checks import check_against_data, load_split_columns
from components.studies import ParameterError, get_study

# 100 rows with the source's own split: 80 training rows (60 of class 0, 20 of class 1), 20 test rows.
LABELS = np.array([0] * 60 + [1] * 20 + [0] * 10 + [1] * 10)
SPLIT = np.array([0] * 80 + [1] * 20)


def _check(labels=LABELS, split=SPLIT, groups=None, **values):
    params = get_study("imdb").params.from_mapping({"validation_rows": 0, "cv_folds": 2, **values})
    check_against_data(params, labels, split, groups, seed=0)


def test_parameters_that_fit_the_data_pass():
    _check(validation_rows=78, cv_folds=20)
    _check(validation_fraction=0.5, cv_folds=0, variants="32-1")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"validation_rows": 10000},
            "validation_rows=10000 holds out at least all 80 training rows; it must be below 80",
        ),
        ({"validation_rows": 80}, "validation_rows=80 holds out at least all 80 training rows"),
        ({"validation_rows": 1}, "validation_rows=1 cannot be stratified over 2 classes: it must be between 2 and 78"),
        ({"validation_fraction": 0.99}, "validation_fraction=0.99 holds out 80 of 80 training rows"),
        (
            {"cv_folds": 21},
            "cv_folds=21 exceeds the 20 training rows of the smallest class (label 1); it must be at most 20",
        ),
    ],
)
def test_a_split_the_data_cannot_give_names_the_parameter_its_value_and_the_limit(values, expected):
    with pytest.raises(ParameterError, match=re.escape(expected)):
        _check(**values)


def test_a_test_fraction_that_leaves_no_rows_is_refused():
    with pytest.raises(ParameterError, match=r"test_fraction=0.001 holds out 1 of 100 rows; .* needs between 2 and 98"):
        _check(split=None, test_fraction=0.001)
    _check(split=None, test_fraction=0.2, cv_folds=2)


def test_grouped_folds_are_limited_by_the_groups():
    groups = np.arange(100) % 3  # three writers
    with pytest.raises(ParameterError, match=r"cv_folds=4 exceeds the 3 groups of the training rows"):
        _check(groups=groups, cv_folds=4)
    _check(groups=groups, cv_folds=3)


def test_only_the_split_columns_are_read(tmp_path):
    path = tmp_path / "raw.npz"
    np.savez(path, label=LABELS, split=SPLIT, text=np.array(["x"] * 100))
    labels, split, groups = load_split_columns(str(path))
    assert split is not None and groups is None
    assert labels.tolist() == LABELS.tolist() and split.tolist() == SPLIT.tolist()
