import os

import numpy as np
import pytest

from components import tables
from components.tables import Ragged


def test_ragged_take_picks_rows_in_order():
    r = Ragged.from_rows([[1, 2], [], [3, 4, 5], [6]], np.int32)
    picked = r.take(np.array([2, 0, 1]))
    assert [list(picked[i]) for i in range(3)] == [[3, 4, 5], [1, 2], []]


def test_ragged_take_across_its_row_chunks_matches_row_by_row(monkeypatch):
    monkeypatch.setattr(tables, "TAKE_ROWS", 3)  # 10 indices: chunks of 3, 3, 3 and 1
    rng = np.random.default_rng(0)
    rows = [rng.integers(0, 256, rng.integers(0, 5)).astype(np.uint8) for _ in range(7)]
    indices = rng.integers(0, 7, 10)
    picked = Ragged.from_rows(rows, np.uint8).take(indices)
    assert picked.values.dtype == np.uint8 and len(picked) == 10
    for got, i in zip((picked[j] for j in range(10)), indices, strict=True):
        np.testing.assert_array_equal(got, rows[i])
    points = Ragged.from_rows([np.full((n, 2), n, np.float64) for n in (2, 0, 3, 1)], np.float64)  # digits' (x, y)
    taken = points.take(np.array([2, 3, 1, 0, 2]))
    assert taken.values.shape == (9, 2) and [len(taken[j]) for j in range(5)] == [3, 1, 0, 2, 3]
    np.testing.assert_array_equal(taken[4], np.full((3, 2), 3.0))


def test_strings_round_trip_through_utf8():
    texts = ["héllo", "", "<br />wörld"]
    assert Ragged.from_strings(texts).to_strings() == texts


def test_concat_offsets_ragged_rows():
    a = {"x": Ragged.from_rows([[1], [2, 3]], np.int32), "y": np.array([0, 1])}
    b = {"x": Ragged.from_rows([[4, 5, 6]], np.int32), "y": np.array([1])}
    both = tables.concat([a, b])
    assert [list(both["x"][i]) for i in range(3)] == [[1], [2, 3], [4, 5, 6]]
    assert list(both["y"]) == [0, 1, 1]


def test_save_load_round_trip_without_pickle(tmp_path):
    path = tmp_path / "t"  # no .npz suffix, as KFP artifact paths have none
    table = {"x": Ragged.from_rows([[1, 2], [3]], np.int32), "label": np.array([0, 1], np.uint8)}
    tables.save(str(path), table)
    loaded = tables.load(str(path))
    assert [list(loaded["x"][i]) for i in range(2)] == [[1, 2], [3]]
    assert loaded["label"].tolist() == [0, 1]
    assert os.listdir(tmp_path) == ["t"], "no temporary file is left behind"


def test_save_refuses_object_columns_and_ragged_mismatch(tmp_path):
    with pytest.raises(TypeError, match="pickle"):
        tables.save(str(tmp_path / "t"), {"x": np.array([[1], [2, 3]], dtype=object)})
    with pytest.raises(ValueError, match="different lengths"):
        tables.save(str(tmp_path / "t"), {"a": np.zeros(2), "b": np.zeros(3)})
    assert os.listdir(tmp_path) == []


def test_load_maps_numeric_columns_read_only_and_reads_the_rest(tmp_path):
    path = str(tmp_path / "t")
    features = np.arange(12, dtype=np.float32).reshape(4, 3)
    table = {"features": features, "names": np.array(["a", "b", "c", "d"]), "empty": np.zeros((4, 0), np.int64)}
    tables.save(path, table)
    loaded = tables.load(path)
    assert not loaded["features"].flags.writeable, "a mapped column cannot be changed by mistake"
    assert loaded["names"].flags.writeable, "strings are read, not mapped"
    for name, column in table.items():
        np.testing.assert_array_equal(loaded[name], column)
        assert loaded[name].dtype == column.dtype and loaded[name].shape == column.shape
    # A table written again is published by a rename: what was loaded keeps the old file's values.
    tables.save(path, {**table, "features": features + 100})
    np.testing.assert_array_equal(loaded["features"], features)
