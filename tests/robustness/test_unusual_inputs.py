"""Odd but legitimate sources are read, and read the same as their plain form (issue #16).

Each case writes a source in an unusual but valid shape (classic Mac line
endings, R's quoting, a byte-order mark, many trailing blank lines, macOS
metadata in an archive, 16-bit grey images, Keras' real imdb.npz layout, a
pipe) and checks that ``kfp-studies ingest`` reads it with the records and
values the plain form gives.
"""

from __future__ import annotations

import io
import os
import threading
import zipfile
from pathlib import Path

import hostile as h
import malformed as m
import numpy as np
import pytest

from components import tables
from components.files import umask
from components.studies.imdb.sample import write_sample
from pipelines.cli import main


def _ingest(study: str, source: str, out: Path, capsys) -> tuple[dict, str]:
    status = main(["ingest", study, "--source", source, "--output", str(out)])
    stdout, stderr = capsys.readouterr()
    assert status == 0, stderr
    return tables.load(str(out / "raw.npz")), stdout


def _amazon_text(table) -> list[str]:
    return table["text"].to_strings()


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.replace(b"\n", b"\r"),  # classic Mac
        lambda data: data.replace(b"\n", b"\r\n"),  # Windows
        lambda data: b"\xef\xbb\xbf" + data,  # byte-order mark
        lambda data: data + b"\n" * 200_000,  # any number of trailing blank lines
        lambda data: data.replace(b"\n", b"\r\n") + b"\r\n" * 1000,
    ],
    ids=["cr", "crlf", "bom", "trailing-blank-lines", "crlf-trailing-blank-lines"],
)
def test_amazon_text_variants_read_like_the_plain_file(tmp_path, capsys, change):
    plain = m.amazon_lines()
    expected, _ = _ingest("amazon", m.write_files(tmp_path / "a", {"t.txt": plain}) + "/t.txt", tmp_path / "o1", capsys)
    source = m.write_files(tmp_path / "b", {"t.txt": change(plain)}) + "/t.txt"
    table, _ = _ingest("amazon", source, tmp_path / "o2", capsys)
    assert _amazon_text(table) == _amazon_text(expected) and table["label"].tolist() == expected["label"].tolist()


def test_unipen_with_mac_line_endings_bom_and_trailing_blank_lines(tmp_path, capsys):
    expected, _ = _ingest("digits", m.pendigits(tmp_path / "a"), tmp_path / "o1", capsys)
    odd = tmp_path / "b"
    m.pendigits(odd)
    for name in ("pendigits-train", "pendigits-test"):
        data = (odd / name).read_bytes()
        (odd / name).write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r") + b"\r" * 5000)
    table, _ = _ingest("digits", str(odd), tmp_path / "o2", capsys)
    assert np.array_equal(table["label"], expected["label"])


def test_mirai_written_by_r_write_csv_and_announced(tmp_path, capsys):
    """R's write.csv: quoted header and row names, CRLF; the detection is printed by ingest."""
    src = tmp_path / "r"
    src.mkdir()
    rows = "".join(f'"{i + 1}",{row}\r\n' for i, row in enumerate(m.MIRAI_ROWS))
    (src / "Mirai_dataset.csv").write_bytes(('"","V1","V2","V3"\r\n' + rows + "\r\n" * 3).encode())
    labels = "".join(f'"{i + 1}",{v}\r\n' for i, v in enumerate(m.MIRAI_LABELS))
    (src / "Mirai_labels.csv").write_bytes(('"","x"\r\n' + labels).encode())
    table, stdout = _ingest("mirai", str(src), tmp_path / "o", capsys)
    plain = np.array([[float(v) for v in row.split(",")] for row in m.MIRAI_ROWS], np.float32)
    assert np.array_equal(table["features"], plain)
    assert f"{src}/Mirai_dataset.csv: 5 rows x 3 columns; header row: yes (4 names); row-index column: yes" in stdout


def test_hidden_and_macos_metadata_members_are_skipped_everywhere(tmp_path, capsys):
    junk = b"\x00\x05\x16\x07 AppleDouble"
    files = {**m.cifar_tree(), "cifar10/train/cat/._0001.png": junk, "__MACOSX/cifar10/train/cat/._0001.png": junk}
    table, _ = _ingest("cifar10", m.write_tar(tmp_path / "c.tar.gz", files), tmp_path / "o1", capsys)
    assert len(table["label"]) == 20
    zipped = {"w1.json": m.digitset(), "w2.json": m.digitset(), "__MACOSX/._w1.json": junk, ".w3.json": junk}
    table, _ = _ingest("digits", m.write_zip(tmp_path / "d.zip", zipped), tmp_path / "o2", capsys)
    assert len(table["label"]) == 20


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path, capsys):
    grey = h.png(np.full((32, 32), 0x8080, np.uint16))
    files = {**m.cifar_tree(), "cifar10/train/cat/0001.png": grey}
    table, _ = _ingest("cifar10", m.write_tar(tmp_path / "c.tar.gz", files), tmp_path / "o", capsys)
    cat = list(table["label"]).index(3)
    assert np.all(table["image"][cat] == 128)


def test_keras_imdb_npz_ranks_one_and_two_are_kept(tmp_path, capsys):
    """The real file: ranks from 1 ("the" = 1, "and" = 2), no start or out-of-vocabulary markers."""
    path = h.imdb_npz_with(tmp_path / "imdb.npz")
    table, _ = _ingest("imdb", path, tmp_path / "o", capsys)
    assert table["tokens"][1].tolist() == [2, 5] and table["tokens"][0].tolist() == [1, 14, 22]
    sample, _ = _ingest("imdb", write_sample(str(tmp_path / "s"), format="npz", per_class=3), tmp_path / "o2", capsys)
    assert sample["tokens"].values.min() == 1


def test_a_pipe_is_read_once_and_named_in_errors(tmp_path, capsys):
    fifo = tmp_path / "fifo"
    for data, status in ((m.amazon_lines(), 0), (m.amazon_lines((3, b"__label__7 x\n")), 2)):
        os.mkfifo(fifo)
        writer = threading.Thread(target=lambda data=data: fifo.write_bytes(data))
        writer.start()
        code = main(["ingest", "amazon", "--source", str(fifo), "--output", str(tmp_path / f"o{status}")])
        writer.join()
        fifo.unlink()
        stdout, stderr = capsys.readouterr()
        assert code == status, stderr
        if status:
            expected = f"{fifo} line 3: unknown label '__label__7'; expected __label__1 or __label__2"
            assert stderr == f"kfp-studies ingest: error: {expected}\n"
        else:
            assert "amazon: 10 records" in stdout


def test_raw_table_gets_the_usual_file_mode(tmp_path, capsys):
    _ingest("amazon", m.write_files(tmp_path, {"t.txt": m.amazon_lines()}) + "/t.txt", tmp_path / "o", capsys)
    raw = tmp_path / "o" / "raw.npz"  # amazon's is a folder of shards (a streaming study)
    assert raw.stat().st_mode & 0o777 == 0o777 & ~umask()
    assert {f.stat().st_mode & 0o777 for f in raw.iterdir()} == {0o666 & ~umask()}


def test_a_url_source_is_named_by_its_url(tmp_path, capsys, monkeypatch):
    """A download's errors name the URL, not the temporary file it was saved to."""
    from components.steps import ingest

    url = "https://example.invalid/data/t.ft.txt"
    bad = m.amazon_lines((2, b"no label here\n"))
    monkeypatch.setattr(ingest.storage, "download", lambda source, path: Path(path).write_bytes(bad))
    status = main(["ingest", "amazon", "--source", url, "--output", str(tmp_path / "o")])
    assert status == 2
    assert capsys.readouterr().err.startswith(f"kfp-studies ingest: error: {url} line 2: no label at the start")


def test_npz_written_by_numpy_savez_compressed_is_read(tmp_path, capsys):
    docs = np.empty(2, dtype=object)
    docs[:] = [[1, 2, 3], [2, 4]]
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x_train=docs, y_train=np.array([0, 1]), x_test=docs, y_test=np.array([1, 0]))
    path = tmp_path / "imdb.npz"
    path.write_bytes(buffer.getvalue())
    assert zipfile.ZipFile(path).infolist()[0].compress_type == zipfile.ZIP_DEFLATED
    table, _ = _ingest("imdb", str(path), tmp_path / "o", capsys)
    assert len(table["label"]) == 4
