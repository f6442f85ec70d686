import gzip
import io
import logging
import tarfile

import numpy as np
import pytest

from components.errors import DataError
from components.studies.mirai import sources
from components.studies.mirai.numeric_csv import line_blocks, read_numeric_csv

ROWS = [[1.5, 60.0, 0.0], [2.25, 74.5, 1e-3], [3.0, 1514.0, 7.0]]
LABELS = [0, 0, 1]


def _dataset_text(header: bool, index: bool, start: int = 0, rows=ROWS) -> str:
    lines = [(",a,b,c" if index else "a,b,c")] if header else []
    for i, row in enumerate(rows):
        lines.append(",".join(([str(start + i)] if index else []) + [repr(v) for v in row]))
    return "\n".join(lines) + "\n"


def _labels_text(header: bool, index: bool, labels=LABELS) -> str:
    lines = [(",x" if index else "x")] if header else []
    lines += [f"{i},{y}" if index else str(y) for i, y in enumerate(labels)]
    return "\n".join(lines) + "\n"


def _write(path, text: str | bytes, gz: bool = False) -> str:
    data = text.encode() if isinstance(text, str) else text
    if gz:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)
    return str(path)


def _folder(tmp_path, dataset: str | bytes, labels: str | bytes, gz: bool = False) -> str:
    _write(tmp_path / "Mirai_dataset.csv", dataset, gz)
    _write(tmp_path / "Mirai_labels.csv", labels, gz)
    return str(tmp_path)


@pytest.mark.parametrize("header", [True, False])
@pytest.mark.parametrize("index", [True, False])
def test_header_and_row_index_are_detected_removed_and_logged(tmp_path, caplog, header, index):
    caplog.set_level(logging.INFO, logger="components.studies.mirai.sources")
    table = sources.read(_folder(tmp_path, _dataset_text(header, index), _labels_text(header, index)))
    np.testing.assert_array_equal(table["features"], np.array(ROWS, np.float32))
    assert table["features"].dtype == np.float32 and table["label"].tolist() == LABELS
    dataset_log = next(r.getMessage() for r in caplog.records if "Mirai_dataset.csv:" in r.getMessage())
    assert f"header row: {'yes' if header else 'no'}" in dataset_log
    assert f"row-index column: {'yes (counting from 0' if index else 'no'}" in dataset_log
    assert "3 rows x 3 columns" in dataset_log


def test_a_row_index_counting_from_one_is_detected(tmp_path):
    parsed = read_numeric_csv(io.BytesIO(_dataset_text(False, True, start=1).encode()), "d.csv")
    assert parsed.index_start == 1 and parsed.values.shape == (3, 3) and parsed.header is None


def test_without_a_header_an_index_must_count_over_the_whole_first_block():
    counting = read_numeric_csv(io.BytesIO(b"0,5,6\n1,7,8\n2,9,9\n"), "d.csv")
    not_counting = read_numeric_csv(io.BytesIO(b"0,5,6\n1,7,8\n3,9,9\n"), "d.csv")
    assert counting.index_start == 0 and counting.values.shape == (3, 2)
    assert not_counting.index_start is None and not_counting.values.shape == (3, 3)


def test_a_gap_in_the_row_index_after_the_first_block_is_an_error():
    text = "".join(f"{i},{i * 0.5!r}\n" for i in (*range(50), 51, 52)).encode()
    with pytest.raises(DataError, match=r"d.csv:51: row index 51 in column 1; expected 50 \(.*rows are missing"):
        read_numeric_csv(io.BytesIO(text), "d.csv", block_bytes=32)


def test_gzip_folder_and_tar_of_gzip_members_give_the_same_table(tmp_path):
    plain_dir, gz_dir = tmp_path / "plain", tmp_path / "gz"
    plain_dir.mkdir()
    gz_dir.mkdir()
    plain = sources.read(_folder(plain_dir, _dataset_text(True, True), _labels_text(True, True)))
    zipped = sources.read(_folder(gz_dir, _dataset_text(True, True), _labels_text(True, True), gz=True))
    archive = tmp_path / "Mirai.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("Mirai_labels.csv.gz", "Mirai_dataset.csv.gz"):  # either order works
            tar.add(gz_dir / name, arcname=f"mirai/{name}")
    from_tar = sources.read(str(archive))
    for table in (zipped, from_tar):
        np.testing.assert_array_equal(table["features"], plain["features"])
        np.testing.assert_array_equal(table["label"], plain["label"])


def test_file_names_match_without_regard_to_case(tmp_path):
    _write(tmp_path / "Mirai_dataset.csv", _dataset_text(False, False))
    _write(tmp_path / "mirai_labels.csv", _labels_text(False, False))
    assert len(sources.read(str(tmp_path))["label"]) == 3


def test_blank_lines_at_the_end_and_crlf_line_breaks_are_fine(tmp_path):
    dataset = _dataset_text(True, True).replace("\n", "\r\n") + "\r\n\n  \n"
    table = sources.read(_folder(tmp_path, dataset, _labels_text(False, False) + "\n\n"))
    assert table["features"].shape == (3, 3)


BAD_DATASETS = [
    ("a,b,c\n1,2,3\n4,5\n", r"Mirai_dataset.csv:3: 2 cells; expected 3, as on line 1"),
    ("1,2,3\n4,5,6,7\n7,8,9\n", r"Mirai_dataset.csv:2: 4 cells; expected 3, as on line 1"),
    ("a,b,c\n1,2,3\n4,abc,6\n7,8,9\n", r"Mirai_dataset.csv:3: column 2: 'abc' is not a number"),
    ("1,2,3\n4,nan,6\n7,8,9\n", r"Mirai_dataset.csv:2: column 2: 'nan' is not a finite number"),
    ("1,2,3\n4,5,-inf\n7,8,9\n", r"Mirai_dataset.csv:2: column 3: '-inf' is not a finite number"),
    ("1,2,3\n4,5,6\n7,1e39,9\n", r"Mirai_dataset.csv:3: column 2: '1e39' is outside the float32 range"),
    ("1,2,3\n4,,6\n7,8,9\n", r"Mirai_dataset.csv:2: column 2: empty cell"),
    ("1,2,3\n\n4,5,6\n", r"Mirai_dataset.csv:2: empty line"),
    # a quoted cell is read (R's write.csv quotes), but an unbalanced quote is not a number
    ('1,2,3\n"4,5,6\n7,8,9\n', r"Mirai_dataset.csv:2: column 1: '\"4' is not a number"),
    (",a,b\n0,1,2\n1,3,4\n3,5,6\n", r"Mirai_dataset.csv:4: row index 3 in column 1; expected 2"),
    ('"",a,b\n5,1,2\n', r"Mirai_dataset.csv:2: row index 5 in column 1, which the header names as a row index"),
    ("", r"Mirai_dataset.csv: empty file"),
    ("\n\n", r"Mirai_dataset.csv: empty file"),
    ("a,b,c\n", r"Mirai_dataset.csv: no data rows after the header"),
]


@pytest.mark.parametrize("dataset, message", BAD_DATASETS)
def test_malformed_datasets_get_errors_naming_file_and_line(tmp_path, dataset, message):
    with pytest.raises(DataError, match=message):
        sources.read(_folder(tmp_path, dataset, _labels_text(False, False)))


@pytest.mark.parametrize(
    "labels, message",
    [
        ("x\n0\n2\n1\n", r"Mirai_labels.csv:3: label 2; expected 0 \(benign\) or 1 \(attack\)"),
        ("0\n0.5\n1\n", r"Mirai_labels.csv:2: label 0.5; expected 0"),
        ("0\n1\n", r"Mirai_labels.csv: 2 labels, but .*Mirai_dataset.csv has 3 rows"),
        ("0\n1\n1\n0\n", r"Mirai_labels.csv: 4 labels, but .*Mirai_dataset.csv has 3 rows"),
        ("5,0,1\n6,1,1\n7,1,0\n", r"Mirai_labels.csv: 3 columns besides any row index; expected one 0/1 label"),
        ("", r"Mirai_labels.csv: empty file"),
    ],
)
def test_malformed_labels_and_mismatched_row_counts(tmp_path, labels, message):
    with pytest.raises(DataError, match=message):
        sources.read(_folder(tmp_path, _dataset_text(False, False), labels))


def test_a_missing_or_doubled_file_names_the_folder_and_the_pair(tmp_path):
    _write(tmp_path / "Mirai_dataset.csv", _dataset_text(False, False))
    with pytest.raises(DataError, match=r"no Mirai_labels.csv\[.gz\] \(expected the Kitsune pair"):
        sources.read(str(tmp_path))
    _write(tmp_path / "Mirai_labels.csv", _labels_text(False, False))
    _write(tmp_path / "Mirai_labels.csv", _labels_text(False, False), gz=True)
    with pytest.raises(DataError, match=r"2 files named Mirai_labels.csv"):
        sources.read(str(tmp_path))


def test_truncated_gzip_and_archives_without_the_pair_are_errors(tmp_path):
    data = gzip.compress(_dataset_text(True, True, rows=ROWS * 2000).encode())
    (tmp_path / "cut").mkdir()
    _write(tmp_path / "cut" / "Mirai_dataset.csv.gz", data[: len(data) // 2])
    _write(tmp_path / "cut" / "Mirai_labels.csv", _labels_text(False, False))
    with pytest.raises(DataError, match=r"Mirai_dataset.csv.gz: truncated or corrupt compressed file"):
        sources.read(str(tmp_path / "cut"))
    archive = tmp_path / "only.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(tmp_path / "cut" / "Mirai_labels.csv", arcname="Mirai_labels.csv")
    with pytest.raises(DataError, match=r"only.tar: no Mirai_dataset.csv\[.gz\] in the archive"):
        sources.read(str(archive))
    (tmp_path / "junk.tar").write_bytes(b"not a tar at all" * 100)
    with pytest.raises(DataError, match=r"junk.tar: not a readable tar archive"):
        sources.read(str(tmp_path / "junk.tar"))


class _CountingStream(io.BytesIO):
    """Records the largest read, to show the text is read in bounded blocks."""

    largest = 0

    def read(self, size=-1):
        self.largest = max(self.largest, size if size >= 0 else len(self.getvalue()))
        return super().read(size)


def test_the_text_is_read_in_bounded_blocks_and_errors_keep_absolute_line_numbers():
    rows = np.arange(600, dtype=np.float32).reshape(200, 3)
    text = "h1,h2,h3\n" + "".join(f"{a!r},{b!r},{c!r}\n" for a, b, c in rows.tolist())
    stream = _CountingStream(text.encode())
    parsed = read_numeric_csv(stream, "d.csv", block_bytes=64)
    assert stream.largest == 64 and parsed.header == ("h1", "h2", "h3")
    np.testing.assert_array_equal(parsed.values, rows)  # column 1 counts 0, 3, 6...: not a row index
    bad = text.replace("\n450.0,", "\n450.0,x", 1)  # row 151 is on line 152
    with pytest.raises(DataError, match=r"d.csv:152: column 2: 'x451.0' is not a number"):
        read_numeric_csv(io.BytesIO(bad.encode()), "d.csv", block_bytes=64)
    # Blocks are parsed several at once, but the first bad line is still the one named.
    worse = bad.replace("\n570.0,", "\n570.0,y", 1)
    with pytest.raises(DataError, match=r"d.csv:152: column 2: 'x451.0' is not a number"):
        read_numeric_csv(io.BytesIO(worse.encode()), "d.csv", block_bytes=64)


def test_line_blocks_end_at_line_breaks_and_hold_back_trailing_blank_lines():
    text = b"1,2\n3,4\n\n5,6\n\n \n"
    blocks = list(line_blocks(io.BytesIO(text), 5))
    assert all(block.endswith(b"\n") for block in blocks)
    assert b"".join(blocks) == b"1,2\n3,4\n\n5,6\n"
    assert list(line_blocks(io.BytesIO(b"1,2\n3,4"), 5))[-1] == b"3,4"
