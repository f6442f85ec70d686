"""Readers for the cifar10 study's sources, each returning a validated raw table.

One walk over a source's files serves every format, so a tar archive (read as
a stream, gzip/bzip2/xz detected by content, never extracted) and an
extracted folder behave the same. Each file is recognised by its name:

- ``data_batch_1`` ... ``data_batch_5``, ``test_batch``: python batches
  (``cifar-10-python.tar.gz``);
- the same names with ``.bin``: binary batches (``cifar-10-binary.tar.gz``);
- ``.../<split>/<class>/<name>.png|jpg|jpeg``: an image-folder tree.

Other files (``batches.meta``, ``readme.html``) are ignored. The raw table has
``image`` (uint8 ``(n, 32, 32, 3)``), ``label`` (0..9 in ``CLASS_NAMES``
order) and ``split`` (0 train, 1 test).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import cast

import numpy as np

from components.archives import ArchiveFile, iter_folder_files, iter_tar_files
from components.coverage import check_coverage
from components.errors import DataError
from components.studies.cifar10.batches import parse_binary_batch, parse_python_batch
from components.studies.cifar10.images import EXTENSIONS, decode_image
from components.tables import Table

CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
SPLITS = ("train", "test")
_BATCH = re.compile(r"(?:^|/)(data_batch_[1-5]|test_batch)(\.bin)?$")
FORMAT_NAMES = {"python": "python batches", "binary": "binary batches", "images": "an image folder"}
# A batch of 10,000 images is 30.7 MB in either format; no file of a CIFAR-10 source is larger.
MAX_FILE_BYTES = 64 << 20


def _kind(name: str) -> str | None:
    """Which format a file belongs to, from its name; None for files every format may carry."""
    match = _BATCH.search(name)
    if match:
        return "binary" if match.group(2) else "python"
    return "images" if name.lower().endswith(EXTENSIONS) else None


def _is_source_file(name: str) -> bool:
    return _kind(name) is not None


def read(path: str) -> Table:
    """Read a CIFAR-10 source: a folder, or a (compressed) tar archive."""
    if os.path.isdir(path):
        return _table(iter_folder_files(path, _is_source_file, max_bytes=MAX_FILE_BYTES), path)
    files = iter_tar_files(path, _is_source_file, max_bytes=MAX_FILE_BYTES, expected="a CIFAR-10 archive")
    return _table(files, path)


def _records(where: str, name: str, data: bytes) -> tuple[int, np.ndarray, np.ndarray]:
    """(split, labels, images) of one file."""
    batch = _BATCH.search(name)
    if batch:
        split_code = SPLITS.index("test" if batch.group(1) == "test_batch" else "train")
        parse = parse_binary_batch if batch.group(2) else parse_python_batch
        return (split_code, *parse(data, where))
    parts = name.split("/")
    if len(parts) < 3:
        raise DataError(where, "image is not inside <split>/<class>/ folders (expected e.g. train/cat/0001.png)")
    split, label = parts[-3], parts[-2]
    if split not in SPLITS:
        raise DataError(where, f"unknown split folder {split!r}; expected one of {', '.join(SPLITS)}")
    if label not in CLASS_NAMES:
        raise DataError(where, f"unknown class folder {label!r}; expected one of {', '.join(CLASS_NAMES)}")
    image = decode_image(data, where)
    return SPLITS.index(split), np.array([CLASS_NAMES.index(label)], np.uint8), image[np.newaxis]


def _table(files: Iterator[ArchiveFile], source: str) -> Table:
    images, labels, splits = [], [], []
    kinds: set[str] = set()
    for where, name, data in files:
        kinds.add(cast(str, _kind(name)))  # the readers pass only the files _kind recognises
        if len(kinds) > 1:
            raise DataError(
                where, f"the source mixes {' and '.join(FORMAT_NAMES[k] for k in sorted(kinds))}; expected one format"
            )
        split, label, image = _records(where, name, data)
        images.append(image)
        labels.append(label)
        splits.append(np.full(len(label), split, np.uint8))
    if not kinds:
        raise DataError(source, "no CIFAR-10 batches or <split>/<class>/ images found")
    split_codes, label_codes = np.concatenate(splits), np.concatenate(labels)
    _check_coverage(source, split_codes, label_codes, kinds.pop())
    return {"image": np.concatenate(images), "label": label_codes, "split": split_codes}


def _check_coverage(source: str, splits: np.ndarray, labels: np.ndarray, kind: str) -> None:
    """Both splits, and every class in each, must be present."""
    for s, split in enumerate(SPLITS):
        if not np.any(splits == s):
            missing = f"the {split}/ split folder" if kind == "images" else f"the {split} batch(es)"
            raise DataError(source, f"no {split} images: missing {missing}")
    check_coverage(
        source,
        splits,
        labels,
        (SPLITS, CLASS_NAMES),
        lambda split, absent: f"no {split} images of class(es) {', '.join(absent)}",
    )
