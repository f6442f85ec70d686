import bz2
import gzip
from pathlib import Path

import pytest

from components.errors import DataError
from components.studies.amazon import sources
from components.studies.amazon.sample import FORMATS, write_sample

LINES = "__label__2 Great CD: loved it\n__label__1 Broke: after a week\r\n__label__2\tTab separated\n"


def _write(path, data: bytes, opener=open):
    with opener(path, "wb") as f:
        f.write(data)
    return str(path)


def test_labels_map_to_0_and_1_and_the_text_follows_the_label(tmp_path):
    table = sources.read(_write(tmp_path / "a.ft.txt", LINES.encode()))
    assert table["label"].tolist() == [1, 0, 1]
    assert table["text"].to_strings() == ["Great CD: loved it", "Broke: after a week", "Tab separated"]
    assert "split" not in table, "the source has no official split"


@pytest.mark.parametrize("opener", [gzip.open, bz2.open])
def test_compressed_files_are_detected_by_content(tmp_path, opener):
    path = _write(tmp_path / "no-telling-suffix", LINES.encode(), opener)
    assert sources.read(path)["text"].to_strings()[0] == "Great CD: loved it"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_sample_format_reads_back(tmp_path, fmt):
    table = sources.read(write_sample(str(tmp_path), format=fmt, per_class=18, seed=3))
    assert sorted(table["label"].tolist()) == [0] * 20 + [1] * 20, "18 training and 2 test reviews per class"
    assert table["split"].tolist().count(1) == 4


@pytest.mark.parametrize(
    "line, message",
    [
        (b"__label__3 five stars", r"bad.ft.txt line 2: unknown label '__label__3'; expected __label__1 or __label__2"),
        (b"Great CD without a label", r"bad.ft.txt line 2: no label at the start of the line"),
        (b"", r"bad.ft.txt line 2: empty line"),
        (b"__label__1", r"bad.ft.txt line 2: no review text after __label__1"),
        (b"__label__1 caf\xe9", r"bad.ft.txt line 2: not UTF-8 text \(byte 14\)"),
    ],
)
def test_malformed_lines_name_the_file_and_line(tmp_path, line, message):
    path = _write(tmp_path / "bad.ft.txt", b"__label__1 fine\n" + line + b"\n__label__2 fine\n")
    with pytest.raises(DataError, match=message):
        sources.read(path)


def test_an_oversize_line_is_refused_without_reading_it_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 64)
    path = _write(tmp_path / "big.ft.txt", b"__label__1 ok\n__label__2 " + b"x" * 100 + b"\n")
    with pytest.raises(DataError, match=r"big.ft.txt line 2: line longer than 64 bytes"):
        sources.read(path)


def test_an_empty_file_is_an_error(tmp_path):
    with pytest.raises(DataError, match=r"empty.ft.txt: no reviews"):
        sources.read(_write(tmp_path / "empty.ft.txt", b""))


def test_a_single_class_file_is_an_error(tmp_path):
    with pytest.raises(DataError, match=r"no __label__1 reviews"):
        sources.read(_write(tmp_path / "pos.ft.txt", b"__label__2 good\n__label__2 fine\n"))


@pytest.mark.parametrize("opener", [bz2.open, gzip.open])
def test_a_truncated_compressed_file_is_an_error(tmp_path, opener):
    whole = _write(tmp_path / "whole", LINES.encode() * 200, opener)
    data = Path(whole).read_bytes()
    cut = _write(tmp_path / "cut.ft.txt.bz2", data[: len(data) // 2])
    with pytest.raises(DataError, match=r"cut.ft.txt.bz2: truncated or corrupt stream after line"):
        sources.read(cut)


def test_the_public_pair_in_a_folder_is_the_official_split(tmp_path):
    _write(tmp_path / "train.ft.txt.bz2", LINES.encode(), bz2.open)
    _write(tmp_path / "test.ft.txt", b"__label__1 Dull: meh\n__label__2 Fine: ok\n")
    _write(tmp_path / "README", b"not a review file")
    table = sources.read(str(tmp_path))
    assert table["split"].tolist() == [0, 0, 0, 1, 1], "training reviews first, then the test file's"
    assert table["text"].to_strings()[3:] == ["Dull: meh", "Fine: ok"]


def test_a_folder_without_the_pair_is_an_error(tmp_path):
    _write(tmp_path / "reviews.txt", LINES.encode())
    with pytest.raises(DataError, match=r"no train.ft.txt\[.bz2\] or test.ft.txt\[.bz2\]"):
        sources.read(str(tmp_path))


def test_shards_cut_at_the_shard_size_and_add_up_to_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "SHARD_ROWS", 4)
    monkeypatch.setattr(sources, "BLOCK_BYTES", 64)  # many blocks, lines split across them
    path = _write(tmp_path / "many.ft.txt.gz", LINES.encode() * 5, gzip.open)
    shards = list(sources.read_shards(path))
    assert [len(s["label"]) for s in shards] == [4, 4, 4, 3]
    whole = sources.read(path)
    assert whole["text"].to_strings() == ["Great CD: loved it", "Broke: after a week", "Tab separated"] * 5


def test_a_truncated_training_file_of_the_pair_names_the_file_and_the_last_line(tmp_path):
    data = bz2.compress(LINES.encode() * 2000)
    _write(tmp_path / "train.ft.txt.bz2", data[: len(data) // 2])
    _write(tmp_path / "test.ft.txt", LINES.encode())
    with pytest.raises(DataError, match=r"train.ft.txt.bz2: truncated or corrupt stream after line \d+"):
        sources.read(str(tmp_path))
