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
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple, cast

import numpy as np

from components.archives import is_hidden, is_zip, iter_tar_files, read_bounded
from components.coverage import check_coverage
from components.errors import DataError
from components.npz import read_npz
from components.tables import Ragged, Table
from components.text_encoding import decode_utf8

SPLITS = ("train", "test")
LABELS = ("neg", "pos")
_REVIEW = re.compile(r"(?:^|/)aclImdb/(train|test)/(neg|pos)/(\d+)_(\d+)\.txt$")
# Keras' imdb.npz stores each review as word frequency ranks, 1 for the most
# frequent word ("the"); load_data() adds its start and out-of-vocabulary
# markers only when it returns them, so the file has none.
FIRST_WORD_RANK, MAX_WORD_RANK = 1, (1 << 31) - 1
NPZ_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
# A review is at most 14 kB; Keras' whole imdb.npz is 17 MB.
MAX_REVIEW_BYTES = 1 << 20
MAX_NPZ_MEMBER_BYTES = 256 << 20


def read(path: str) -> Table:
    """Dispatch on what ``path`` is: a folder, a zip (npz) or a tar archive."""
    if os.path.isdir(path):
        return _table(_folder_reviews(path), path)
    if is_zip(path):
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
                if _is_review(relative) and not is_hidden(relative):
                    path = os.path.join(folder, name)
                    with open(path, "rb") as f:
                        size = os.fstat(f.fileno()).st_size
                        yield _review(path, relative, read_bounded(cast(BinaryIO, f), path, MAX_REVIEW_BYTES, size))


def _tar_reviews(path: str) -> Iterator[Review]:
    for where, name, raw in iter_tar_files(path, _is_review, max_bytes=MAX_REVIEW_BYTES, expected="aclImdb_v1.tar.gz"):
        yield _review(where, name, raw)


def _table(reviews: Iterator[Review], source: str) -> Table:
    texts, labels, splits = [], [], []
    seen: set[tuple[str, str, str]] = set()
    for where, split, label, review_id, _rating, raw in reviews:
        key = (split, label, review_id)
        if key in seen:
            raise DataError(where, f"duplicate review id {review_id} in {split}/{label}")
        seen.add(key)
        texts.append(decode_utf8(raw, where))
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
    """``x_train``/``x_test`` (object arrays of word-rank lists) and ``y_train``/``y_test``."""
    parts = read_npz(path, NPZ_ARRAYS, MAX_NPZ_MEMBER_BYTES, "Keras' imdb.npz")
    docs: list[np.ndarray] = []
    labels, splits = [], []
    for s, split in enumerate(SPLITS):
        x, y = parts[f"x_{split}"], parts[f"y_{split}"]
        if x.dtype != object or x.ndim != 1:
            raise DataError(
                f"{path}:x_{split}.npy",
                f"a {x.dtype} array of shape {x.shape}; expected one list of word ranks per review",
            )
        if y.dtype.kind not in "iu" or y.ndim != 1:
            raise DataError(
                f"{path}:y_{split}.npy", f"a {y.dtype} array of shape {y.shape}; expected one integer label per review"
            )
        if len(x) != len(y):
            raise DataError(path, f"x_{split} has {len(x)} reviews but y_{split} has {len(y)} labels")
        bad = (y != 0) & (y != 1)
        if bad.any():
            raise DataError(f"{path}:y_{split}[{int(np.argmax(bad))}]", f"label {y[bad][0]}; expected 0 or 1")
        docs.extend(_word_ranks(doc, f"{path}:x_{split}[{i}]") for i, doc in enumerate(x))
        labels.append(y.astype(np.uint8))
        splits.append(np.full(len(y), s, np.uint8))
    label_codes, split_codes = np.concatenate(labels), np.concatenate(splits)
    _check_coverage(path, split_codes, label_codes)
    return {"tokens": Ragged.from_rows(docs, np.int32), "label": label_codes, "split": split_codes}


def _word_ranks(doc: object, where: str) -> np.ndarray:
    """One review's word ranks: a list of ints (or a 1-d integer array), each 1 .. 2**31 - 1."""
    if isinstance(doc, list) and all(type(rank) is int for rank in doc):
        if doc and not (FIRST_WORD_RANK <= min(doc) and max(doc) <= MAX_WORD_RANK):
            bad = next(rank for rank in doc if not FIRST_WORD_RANK <= rank <= MAX_WORD_RANK)
            raise DataError(where, f"word rank {bad}; expected {FIRST_WORD_RANK}..{MAX_WORD_RANK}")
        return np.array(doc, np.int64)
    if isinstance(doc, np.ndarray) and doc.ndim == 1 and doc.dtype.kind in "iu":
        bad = (doc < FIRST_WORD_RANK) | (doc > MAX_WORD_RANK)
        if bad.any():
            raise DataError(where, f"word rank {doc[bad][0]}; expected {FIRST_WORD_RANK}..{MAX_WORD_RANK}")
        return doc.astype(np.int64)
    raise DataError(where, "expected a list of integer word ranks")
