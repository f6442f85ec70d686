"""cifar10 readers: every source format, and the malformed inputs each must refuse."""

import io
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from components.errors import DataError
from components.studies.cifar10.batches import parse_binary_batch, parse_python_batch
from components.studies.cifar10.sample import write_sample
from components.studies.cifar10.sources import CLASS_NAMES, read


def write_tar(path, files: dict) -> str:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return str(path)


def png(side=(32, 32), colour=(10, 20, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", side, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 100, 50)).save(buffer, format="JPEG", quality=75)
    return buffer.getvalue()


def full_tree(ext="png", data=None) -> dict:
    """One image per class and split: the smallest complete image-folder source."""
    data = data or (png() if ext == "png" else jpeg())
    return {f"cifar10/{split}/{name}/0001.{ext}": data for split in ("train", "test") for name in CLASS_NAMES}


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    root = tmp_path_factory.mktemp("cifar10")
    return {f: write_sample(str(root / f), format=f, per_class=3, seed=5) for f in ("jpeg", "png", "python", "binary")}


def test_every_format_reads_to_the_same_table(samples):
    tables = {f: read(path) for f, path in samples.items()}
    for table in tables.values():
        assert table["image"].shape == (60, 32, 32, 3) and table["image"].dtype == np.uint8
        assert np.bincount(table["label"]).tolist() == [6] * 10
        assert np.bincount(table["split"]).tolist() == [30, 30]
    png_table = tables["png"]
    for lossless in ("python", "binary"):
        for column in ("image", "label", "split"):
            np.testing.assert_array_equal(tables[lossless][column], png_table[column])
    # JPEG q75 is lossy: close to the lossless pixels on average, not equal.
    np.testing.assert_array_equal(tables["jpeg"]["label"], png_table["label"])
    assert np.abs(tables["jpeg"]["image"].astype(int) - png_table["image"]).mean() < 40


def test_an_extracted_folder_reads_like_its_archive(samples, tmp_path):
    with tarfile.open(samples["python"]) as archive:
        archive.extractall(tmp_path, filter="data")
    folder, archived = read(str(tmp_path)), read(samples["python"])
    for column in ("image", "label", "split"):
        np.testing.assert_array_equal(folder[column], archived[column])


def test_colour_planes_become_height_width_channel_pixels():
    # Record: label 7, red plane all 1 except pixel (row 2, col 5) = 9, green 2, blue 3.
    planes = np.concatenate([np.full(1024, 1), np.full(1024, 2), np.full(1024, 3)]).astype(np.uint8)
    planes[2 * 32 + 5] = 9
    labels, images = parse_binary_batch(bytes([7]) + planes.tobytes(), "b.bin")
    assert labels.tolist() == [7] and images.shape == (1, 32, 32, 3)
    assert images[0, 2, 5].tolist() == [9, 2, 3] and images[0, 0, 0].tolist() == [1, 2, 3]
    batch = pickle.dumps({b"data": planes[None], b"labels": [7], b"batch_label": b"x"}, protocol=2)
    py_labels, py_images = parse_python_batch(batch, "data_batch_1")
    assert py_labels.tolist() == [7]
    np.testing.assert_array_equal(py_images, images)


def test_image_folder_of_jpeg_like_the_real_data(tmp_path):
    table = read(write_tar(tmp_path / "c.tar.gz", full_tree("jpg")))
    assert table["image"].shape == (20, 32, 32, 3)
    assert sorted(table["label"][table["split"] == 1].tolist()) == list(range(10))
    assert np.abs(table["image"][0].astype(int) - [200, 100, 50]).max() <= 3


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize(
    "case, member, message",
    [
        ("truncated jpeg", "cifar10/train/cat/0001.jpg", "not a readable PNG/JPEG image"),
        ("corrupt jpeg", "cifar10/train/cat/0001.jpg", "not a readable PNG/JPEG image"),
        ("wrong size", "cifar10/train/cat/0001.png", "image is 31x32; expected 32x32"),
        ("unknown class", "cifar10/train/unicorn/0001.png", "unknown class folder 'unicorn'"),
        ("unknown split", "cifar10/valid/cat/0001.png", "unknown split folder 'valid'"),
        ("loose image", "0001.png", "not inside <split>/<class>/"),
    ],
)
def test_malformed_images_are_refused_naming_the_member(tmp_path, case, member, message):
    files = full_tree("jpg") if "jpeg" in case else full_tree("png")
    if case == "truncated jpeg":
        files[member] = files[member][: len(files[member]) // 2]
    elif case == "corrupt jpeg":
        files[member] = b"\xff\xd8\xff\xe0" + b"garbage" * 20
    elif case == "wrong size":
        files[member] = png(side=(31, 32))
    else:
        files[member] = png()
    path = write_tar(tmp_path / "c.tar.gz", files)
    with pytest.raises(DataError, match=message) as error:
        read(path)
    assert error.value.where == f"{path}:{member}"


def test_missing_split_folder_is_refused(tmp_path):
    files = {k: v for k, v in full_tree().items() if "/test/" not in k}
    with pytest.raises(DataError, match=r"no test images: missing the test/ split folder"):
        read(write_tar(tmp_path / "c.tar.gz", files))
    folder = tmp_path / "tree" / "train" / "cat"
    folder.mkdir(parents=True)
    (folder / "1.png").write_bytes(png())
    with pytest.raises(DataError, match="missing the test/ split folder"):
        read(str(tmp_path / "tree"))


def test_a_missing_class_is_refused(tmp_path):
    files = {k: v for k, v in full_tree().items() if k != "cifar10/test/frog/0001.png"}
    with pytest.raises(DataError, match="no test images of class\\(es\\) frog"):
        read(write_tar(tmp_path / "c.tar.gz", files))


def test_a_pickle_naming_a_forbidden_global_is_refused(tmp_path, samples):
    files = {
        "cifar-10-batches-py/data_batch_1": pickle.dumps({b"data": _Exploit()}, protocol=2),
        "cifar-10-batches-py/test_batch": b"",
    }
    path = write_tar(tmp_path / "evil.tar.gz", files)
    with pytest.raises(DataError, match=r"references (posix|os)\.system, which is not allowed") as error:
        read(path)
    assert error.value.where == f"{path}:cifar-10-batches-py/data_batch_1"


def test_a_python_batch_of_the_wrong_shape_is_refused():
    batch = pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, protocol=2)
    with pytest.raises(DataError, match=r"b'data' is \(2, 100\); expected a uint8 array of shape \(n, 3072\)"):
        parse_python_batch(batch, "data_batch_1")
    batch = pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}, protocol=2)
    with pytest.raises(DataError, match="2 images but 1 labels"):
        parse_python_batch(batch, "data_batch_1")


def test_a_binary_batch_that_is_not_whole_records_is_refused(tmp_path):
    files = {
        "cifar-10-batches-bin/data_batch_1.bin": bytes(3073 * 2 + 10),
        "cifar-10-batches-bin/test_batch.bin": bytes(3073),
    }
    path = write_tar(tmp_path / "b.tar.gz", files)
    with pytest.raises(DataError, match="6156 bytes is not a whole number of 3073-byte records") as error:
        read(path)
    assert error.value.where.endswith(":cifar-10-batches-bin/data_batch_1.bin")


def test_a_label_out_of_range_names_its_record():
    records = bytes([3]) + bytes(3072) + bytes([12]) + bytes(3072)
    with pytest.raises(DataError, match=r"label 12; expected 0..9") as error:
        parse_binary_batch(records, "test_batch.bin")
    assert error.value.where == "test_batch.bin[record 1]"


def test_mixed_formats_and_truncated_archives_are_refused(tmp_path, samples):
    files = {**full_tree(), "cifar-10-batches-bin/test_batch.bin": bytes(3073)}
    with pytest.raises(DataError, match="mixes binary batches and an image folder"):
        read(write_tar(tmp_path / "mixed.tar.gz", files))
    data = Path(samples["binary"]).read_bytes()
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="not a readable tar archive"):
        read(str(truncated))
