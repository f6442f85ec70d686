import gzip
import os
import tarfile

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from components.studies.mirai import sources
from components.studies.mirai.sample import CONSTANT_FEATURE, FEATURES, FULL_ROWS, class_counts, write_sample


def test_class_counts_keep_the_real_ratio_and_reach_the_full_size():
    assert FULL_ROWS == 764137 and len(FEATURES) == 115
    assert class_counts(per_class=121621) == (121621, 642516) == class_counts(rows=FULL_ROWS)
    assert class_counts(per_class=300) == (300, 1585)
    with pytest.raises(ValueError, match="exactly one of per_class"):
        class_counts(per_class=1, rows=10)


def test_the_default_format_is_the_real_one(tmp_path):
    folder = write_sample(str(tmp_path), per_class=20, seed=1)
    assert sorted(os.listdir(folder)) == ["Mirai_dataset.csv.gz", "Mirai_labels.csv.gz"]
    with gzip.open(os.path.join(folder, "Mirai_dataset.csv.gz"), "rt") as f:
        header, first = f.readline().rstrip("\n").split(","), f.readline().rstrip("\n").split(",")
    assert header == ["", *FEATURES] and len(first) == 116 and first[0] == "0"
    assert any(len(cell) >= 15 for cell in first), "printed at full double precision, as Kitsune is"
    with gzip.open(os.path.join(folder, "Mirai_labels.csv.gz"), "rt") as f:
        assert f.read().splitlines()[:2] == [",x", "0,0"]  # benign rows come first, as in the capture
    table = sources.read(folder)
    assert table["features"].shape == (126, 115) and table["label"].tolist() == [0] * 20 + [1] * 106
    assert (table["features"][:, FEATURES.index(CONSTANT_FEATURE)] == 0).all()


@pytest.mark.parametrize("format", ["csv", "tar"])
@pytest.mark.parametrize("header, index", [(False, False), (True, False), (False, True)])
def test_every_format_and_layout_reads_back_to_the_same_table(tmp_path, format, header, index):
    reference = sources.read(write_sample(str(tmp_path / "ref"), per_class=10, seed=4))
    path = write_sample(str(tmp_path / "x"), format=format, per_class=10, seed=4, header=header, index=index)
    if format == "tar":
        assert tarfile.is_tarfile(path) and os.listdir(tmp_path / "x") == ["Mirai.tar"]
    table = sources.read(path)
    np.testing.assert_array_equal(table["features"], reference["features"])
    np.testing.assert_array_equal(table["label"], reference["label"])


def test_the_planted_signal_is_learnable_after_dropping_the_seeds_columns(tmp_path):
    table = sources.read(write_sample(str(tmp_path), per_class=300, seed=5))
    x, y = table["features"][:, 23:], table["label"]
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1)
    train = np.arange(len(y)) % 3 > 0
    model = LogisticRegression(max_iter=2000).fit(x[train], y[train])
    majority = max(y.mean(), 1 - y.mean())
    assert model.score(x[~train], y[~train]) > majority + 0.05


def test_unknown_formats_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown mirai sample format 'zip'"):
        write_sample(str(tmp_path), format="zip")
