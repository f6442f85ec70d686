"""The two official CIFAR-10 batch formats, parsed from a member's bytes.

Both store an image as three 1,024-byte colour planes (red, green, blue), each
32 rows of 32 pixels; they are returned as uint8 ``(n, 32, 32, 3)`` arrays.

- python batches (``data_batch_1`` ... ``test_batch``): a pickled dict with
  bytes keys, ``b"data"`` a ``(n, 3072)`` uint8 array and ``b"labels"`` a list.
  They are unpickled through the restricted loader, which builds only plain
  containers and numpy arrays, so a hostile batch cannot run code.
- binary batches (``data_batch_1.bin`` ... ``test_batch.bin``): fixed records
  of one label byte and 3,072 pixel bytes.
"""

from __future__ import annotations

import numpy as np

from components import safe_pickle
from components.errors import DataError

SIDE, CHANNELS, NUM_CLASSES = 32, 3, 10
PIXELS = SIDE * SIDE * CHANNELS
RECORD = 1 + PIXELS


def planes_to_images(rows: np.ndarray) -> np.ndarray:
    """``(n, 3072)`` colour planes -> ``(n, 32, 32, 3)`` height-width-channel images."""
    return rows.reshape(-1, CHANNELS, SIDE, SIDE).transpose(0, 2, 3, 1)


def integer_labels(labels: object, where: str, what: str) -> np.ndarray:
    """A list of Python ints, or a 1-d integer array, checked to be classes; floats are
    refused, never truncated, and a value too large for any dtype is named, not wrapped."""
    if isinstance(labels, np.ndarray) and labels.ndim == 1 and labels.dtype.kind in "iu":
        return check_labels(labels, where)
    if not isinstance(labels, list) or not all(type(label) is int for label in labels):
        kinds = sorted({type(label).__name__ for label in labels}) if isinstance(labels, list) else []
        got = f"a list of {', '.join(kinds)}" if kinds else type(labels).__name__
        raise DataError(where, f"{what} is {got}; expected a list of integer labels")
    for i, label in enumerate(labels):
        if not 0 <= label < NUM_CLASSES:
            raise DataError(f"{where}[record {i}]", f"label {label}; expected 0..{NUM_CLASSES - 1}")
    return np.array(labels, dtype=np.uint8)


def check_labels(labels: np.ndarray, where: str) -> np.ndarray:
    bad = np.flatnonzero((labels < 0) | (labels >= NUM_CLASSES))
    if bad.size:
        raise DataError(f"{where}[record {bad[0]}]", f"label {labels[bad[0]]}; expected 0..{NUM_CLASSES - 1}")
    return labels.astype(np.uint8)


def parse_python_batch(data: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels and images of one pickled batch (a non-allowed global raises, naming it)."""
    batch = safe_pickle.load(data, where)
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise DataError(where, "expected a dict with b'data' and b'labels' (a CIFAR-10 python batch)")
    rows, labels = batch[b"data"], batch[b"labels"]
    if not isinstance(rows, np.ndarray) or rows.dtype != np.uint8 or rows.ndim != 2 or rows.shape[1] != PIXELS:
        shape = getattr(rows, "shape", type(rows).__name__)
        raise DataError(where, f"b'data' is {shape}; expected a uint8 array of shape (n, {PIXELS})")
    labels = integer_labels(labels, where, "b'labels'")
    if len(labels) != len(rows):
        raise DataError(where, f"{len(rows)} images but {len(labels)} labels")
    return labels, planes_to_images(rows)


def parse_binary_batch(data: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels and images of one binary batch; its size must be whole records."""
    if not data or len(data) % RECORD:
        raise DataError(
            where,
            f"{len(data)} bytes is not a whole number of {RECORD}-byte records (1 label byte + 3,072 pixel bytes)",
        )
    records = np.frombuffer(data, np.uint8).reshape(-1, RECORD)
    return check_labels(records[:, 0], where), planes_to_images(records[:, 1:])
