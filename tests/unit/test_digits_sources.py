import io
import json
import tarfile
import zipfile

import numpy as np
import pytest

from components.errors import DataError
from components.studies.digits import sources
from components.studies.digits.sample import FORMATS, write_sample
from components.studies.digits.traces import TEST_WRITER_FRACTION

HEADER = '.INCLUDE dene.doc\n.LEXICON "0" "1" "2" "3" "4" "5" "6" "7" "8" "9"\n.HIERARCHY DIGIT\n\n'


def _segment(label, writer, strokes, index=0):
    text = f'.SEGMENT DIGIT {index} ? "{label}"\n.COMMENT {label} {writer} 7\n'
    for stroke in strokes:
        text += ".PEN_DOWN\n" + "".join(f" {x} {y}\n" for x, y in stroke) + ".PEN_UP\n.DT 100\n"
    return text + "\n"


def _write(path, text):
    path.write_text(text)
    return str(path)


def test_unipen_strokes_are_concatenated_in_order_with_label_and_writer(tmp_path):
    text = HEADER + _segment(4, 2, [[(1, 2), (3, 4)], [(5, 6)]]) + _segment(7, 1, [[(9, 9), (8, 8)]], 1)
    table = sources.read(_write(tmp_path / "digits", text))
    assert table["label"].tolist() == [4, 7]
    assert table["xy"][0].tolist() == [[1, 2], [3, 4], [5, 6]]
    assert table["xy"][1].tolist() == [[9, 9], [8, 8]]
    assert table["xy"].values.dtype == np.float32
    # writers "digits/1" and "digits/2", numbered in sorted order
    assert table["group"].tolist() == [1, 0]


def test_pendigits_folder_keeps_the_official_split_and_writers_restarting_at_1_stay_apart(tmp_path):
    _write(tmp_path / "pendigits-train", HEADER + _segment(0, 1, [[(0, 0), (1, 1)]]) + _segment(1, 2, [[(0, 1)]]))
    _write(tmp_path / "pendigits-test", HEADER + _segment(2, 1, [[(5, 5), (6, 6)]]))
    table = sources.read(str(tmp_path))
    assert table["split"].tolist() == [0, 0, 1]
    assert table["label"].tolist() == [0, 1, 2]
    assert len(set(table["group"].tolist())) == 3, "writer 1 of the test file is not writer 1 of the train file"


def test_a_single_unipen_file_holds_a_third_of_its_writers_out_for_testing(tmp_path):
    text = HEADER + "".join(_segment(d, w, [[(d, w), (w, d)]]) for w in range(1, 10) for d in range(10))
    table = sources.read(_write(tmp_path / "one-file", text))
    test_writers = set(table["group"][table["split"] == 1].tolist())
    train_writers = set(table["group"][table["split"] == 0].tolist())
    assert len(test_writers) == round(9 * TEST_WRITER_FRACTION) and not test_writers & train_writers
    assert np.array_equal(table["split"], sources.read(str(tmp_path / "one-file"))["split"]), "reproducible"


@pytest.mark.parametrize(
    "body, line, message",
    [
        ('.SEGMENT DIGIT 0 ? "3"\n.COMMENT 3 1 5\n.PEN_DOWN\n 1 2\n', 7, "PEN_DOWN has no PEN_UP before the end"),
        (
            '.SEGMENT DIGIT 0 ? "3"\n.COMMENT 3 1 5\n.PEN_DOWN\n 1 2\n.SEGMENT DIGIT 1 ? "4"\n',
            7,
            "PEN_DOWN has no PEN_UP before .SEGMENT on line 9",
        ),
        (
            '.SEGMENT DIGIT 0 ? "3"\n.COMMENT 3 1 5\n.PEN_DOWN\n 1 2\n 1 y\n.PEN_UP\n',
            9,
            "expected 'x y' pen coordinates",
        ),
        ('.SEGMENT DIGIT 0 ? "x"\n', 5, "unknown label 'x'"),
        ('.SEGMENT DIGIT 0 ? "3"\n.COMMENT 5 1 5\n', 6, "disagrees with the segment's label 3"),
        ('.SEGMENT DIGIT 0 ? "3"\n.PEN_DOWN\n 1 2\n.PEN_UP\n', 5, "no '.COMMENT <label> <writer> <n>'"),
        ('.SEGMENT DIGIT 0 ? "3"\n.COMMENT 3 1 5\n', 5, "no pen-down points"),
        (".PEN_DOWN\n", 5, "PEN_DOWN before any .SEGMENT"),
        (" 1 2\n", 5, "outside a PEN_DOWN"),
    ],
)
def test_malformed_unipen_names_file_and_line(tmp_path, body, line, message):
    path = _write(tmp_path / "bad", HEADER + body)
    with pytest.raises(DataError, match=message) as error:
        sources.read(path)
    assert error.value.where == f"{path}:{line}"


def test_a_folder_with_only_one_pendigits_file_is_refused(tmp_path):
    _write(tmp_path / "pendigits-train", HEADER + _segment(0, 1, [[(0, 0)]]))
    with pytest.raises(DataError, match="not pendigits-test"):
        sources.read(str(tmp_path))


def _digitset(digits):
    return json.dumps({"digitset_metadata": {"user_age": 30, "user_sex": "F", "user_hand": "R"}, "digits": digits})


def test_dmd_folder_tar_and_zip_give_the_same_table(tmp_path):
    folder = write_sample(str(tmp_path / "s"), format="dmd", per_class=2, seed=3)
    tar = write_sample(str(tmp_path / "s"), format="dmd.tar.gz", per_class=2, seed=3)
    zipped = write_sample(str(tmp_path / "s"), format="dmd.zip", per_class=2, seed=3)
    tables = [sources.read(p) for p in (folder, tar, zipped)]
    for other in tables[1:]:
        for column in ("label", "group", "split"):
            assert np.array_equal(tables[0][column], other[column])
        assert np.array_equal(tables[0]["xy"].values, other["xy"].values)
    assert len(tables[0]["label"]) == 9 * 10 * 2 and len(np.unique(tables[0]["group"])) == 9


def test_dmd_keeps_x_and_y_of_each_frame(tmp_path):
    (tmp_path / "w1.json").write_text(_digitset({"3": [[[1.5, 2.5, 0.9, 16], [3, 4, 0.8, 15]]]}))
    (tmp_path / "w2.json").write_text(_digitset({"4": [[[0, 0, 1, 1]]]}))
    table = sources.read(str(tmp_path))
    assert table["label"].tolist() == [3, 4] and table["xy"][0].tolist() == [[1.5, 2.5], [3, 4]]


@pytest.mark.parametrize(
    "document, where, message",
    [
        (json.dumps({"digitset_metadata": {}}), "w1.json", "missing the 'digits' object"),
        (_digitset({"10": [[[0, 0, 1, 1]]]}), "w1.json: digits['10']", "unknown label '10'"),
        (
            _digitset({"3": [[[0, 0, 1, 1], ["a", 0, 1, 1]]]}),
            "w1.json: digits['3'][0][1]",
            "expected a frame of 4 numbers",
        ),
        (_digitset({"3": [[[0, 0, 1]]]}), "w1.json: digits['3'][0][0]", "expected a frame of 4 numbers"),
        (_digitset({"3": [[]]}), "w1.json: digits['3'][0]", "non-empty list"),
        ("{not json", "w1.json", "not valid JSON"),
    ],
)
def test_malformed_dmd_names_file_and_record(tmp_path, document, where, message):
    (tmp_path / "w1.json").write_text(document)
    with pytest.raises(DataError, match=message) as error:
        sources.read(str(tmp_path))
    assert error.value.where == f"{tmp_path}/{where}"


def test_malformed_dmd_inside_an_archive_names_the_member(tmp_path):
    path = str(tmp_path / "dmd.zip")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("dmd/w1.json", json.dumps({"no": "digits"}))
    with pytest.raises(DataError, match="missing the 'digits'") as error:
        sources.read(path)
    assert error.value.where == f"{path}:dmd/w1.json"


def test_tar_members_escaping_their_folder_are_refused(tmp_path):
    path = str(tmp_path / "dmd.tar")
    with tarfile.open(path, "w") as archive:
        data = _digitset({"1": [[[0, 0, 1, 1]]]}).encode()
        info = tarfile.TarInfo("../w1.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    with pytest.raises(DataError, match="escapes its folder"):
        sources.read(path)


def test_a_folder_with_neither_format_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="no pendigits-train/pendigits-test files and no DMD"):
        sources.read(str(tmp_path))


@pytest.mark.parametrize("format", FORMATS)
def test_every_sample_format_reads_back_with_every_digit_and_held_out_writers(tmp_path, format):
    table = sources.read(write_sample(str(tmp_path), format=format, per_class=2, seed=1))
    assert np.bincount(table["label"]).tolist() == [18] * 10
    assert set(table["split"].tolist()) == {0, 1}
    assert not set(table["group"][table["split"] == 0]) & set(table["group"][table["split"] == 1])
