"""Readers for the imdb study's sources, each returning a validated raw table.

- the official ``aclImdb_v1.tar.gz`` layout, as an archive (read as a stream,
  never extracted) or as an extracted folder;
- Keras' ``imdb.npz``, whose object arrays are pickles, read through the
  restricted unpickler.

Raw tables have ``label`` (0 negative, 1 positive), ``split`` (0 train,
1 test) and either ``text`` (UTF-8 bytes) or ``tokens`` (Keras word ids).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from typing import NamedTuple, cast

import numpy as np

from components import safe_pickle
from components.archives import iter_tar_files
from components.coverage import check_coverage
from components.errors import DataError
from components.tables import Ragged, Table

SPLITS = ("train", "test")
LABELS = ("neg", "pos")
_REVIEW = re.compile(r"(?:^|/)aclImdb/(train|test)/(neg|pos)/(\d+)_(\d+)\.txt$")
# Keras' imdb.npz: 0 padding, 1 start marker, 2 out-of-vocabulary, 3 unused.
FIRST_WORD_INDEX = 3


def read(path: str) -> Table:
    """Dispatch on what ``path`` is: a folder, a zip (npz) or a tar archive."""
    if os.path.isdir(path):
        return _table(_folder_reviews(path), path)
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic.startswith(b"PK"):
        return read_keras_npz(path)
    return _table(_tar_reviews(path), path)


class Review(NamedTuple):
    """One review file of the aclImdb layout, named ``<review_id>_<rating>.txt``."""

    where: str
    split: str
    label: str
    review_id: str
    rating: str
    raw: bytes


def _is_review(name: str) -> bool:
    return _REVIEW.search(name) is not None


def _review(where: str, name: str, raw: bytes) -> Review:
    """The review in a file whose name :func:`_is_review` accepted."""
    split, label, review_id, rating = cast(re.Match[str], _REVIEW.search(name)).groups()
    return Review(where, split, label, review_id, rating, raw)


def _folder_reviews(root: str) -> Iterator[Review]:
    base = root if os.path.basename(os.path.normpath(root)) == "aclImdb" else os.path.join(root, "aclImdb")
    for split in SPLITS:
        for label in LABELS:
            folder = os.path.join(base, split, label)
            if not os.path.isdir(folder):
                raise DataError(root, f"missing folder aclImdb/{split}/{label}/ (expected the aclImdb_v1 layout)")
            for name in sorted(os.listdir(folder)):
                relative = f"aclImdb/{split}/{label}/{name}"
                if _is_review(relative):
                    path = os.path.join(folder, name)
                    with open(path, "rb") as f:
                        yield _review(path, relative, f.read())


def _tar_reviews(path: str) -> Iterator[Review]:
    for where, name, raw in iter_tar_files(path, _is_review, expected="aclImdb_v1.tar.gz"):
        yield _review(where, name, raw)


def _table(reviews: Iterator[Review], source: str) -> Table:
    texts, labels, splits = [], [], []
    seen: set[tuple[str, str, str]] = set()
    for where, split, label, review_id, _rating, raw in reviews:
        key = (split, label, review_id)
        if key in seen:
            raise DataError(where, f"duplicate review id {review_id} in {split}/{label}")
        seen.add(key)
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise DataError(where, f"not UTF-8 text (byte {exc.start})") from None
        labels.append(LABELS.index(label))
        splits.append(SPLITS.index(split))
    _check_coverage(source, np.array(splits), np.array(labels))
    return {
        "text": Ragged.from_strings(texts),
        "label": np.array(labels, np.uint8),
        "split": np.array(splits, np.uint8),
    }


def _check_coverage(source: str, splits: np.ndarray, labels: np.ndarray) -> None:
    check_coverage(
        source,
        splits,
        labels,
        (SPLITS, LABELS),
        lambda split, absent: f"no reviews in aclImdb/{split}/{absent[0]}/ (expected the aclImdb_v1 layout)",
    )


def read_keras_npz(path: str) -> Table:
    """``x_train``/``x_test`` (object arrays of word-id lists) and ``y_train``/``y_test``."""
    parts = {}
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for key in ("x_train", "y_train", "x_test", "y_test"):
                if key + ".npy" not in names:
                    raise DataError(path, f"missing array {key!r} (expected Keras' imdb.npz)")
                with archive.open(key + ".npy") as member:
                    parts[key] = _read_npy(member, f"{path}:{key}.npy")
    except zipfile.BadZipFile as exc:
        raise DataError(path, f"not a readable npz ({exc})") from None
    docs, labels, splits = [], [], []
    for s, split in enumerate(SPLITS):
        x, y = parts[f"x_{split}"], parts[f"y_{split}"]
        if len(x) != len(y):
            raise DataError(path, f"x_{split} has {len(x)} reviews but y_{split} has {len(y)} labels")
        bad = ~np.isin(y, (0, 1))
        if bad.any():
            raise DataError(f"{path}:y_{split}[{int(np.argmax(bad))}]", f"label {y[bad][0]}; expected 0 or 1")
        for i, doc in enumerate(x):
            ids = np.asarray(doc)
            if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer) or (ids.size and ids.min() < 0):
                raise DataError(f"{path}:x_{split}[{i}]", "expected a list of non-negative word ids")
            docs.append(ids)
        labels.append(y.astype(np.uint8))
        splits.append(np.full(len(y), s, np.uint8))
    label_codes, split_codes = np.concatenate(labels), np.concatenate(splits)
    _check_coverage(path, split_codes, label_codes)
    return {"tokens": Ragged.from_rows(docs, np.int32), "label": label_codes, "split": split_codes}


def _read_npy(member, where: str) -> np.ndarray:
    version = np.lib.format.read_magic(member)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read_header(member)
    if dtype.hasobject:
        return np.asarray(safe_pickle.load(member, where, encoding="latin1"), dtype=object)
    data = np.frombuffer(member.read(), dtype=dtype)
    if data.size != int(np.prod(shape)):
        raise DataError(where, f"truncated array: {data.size} of {int(np.prod(shape))} values")
    return data.reshape(shape, order="F" if fortran else "C")
