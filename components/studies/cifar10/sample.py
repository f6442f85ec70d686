"""Synthetic cifar10 sources in the real formats, with a learnable signal.

Every class has its own colour cast and horizontal stripes of its own period
over random noise, so a CNN separates the classes within a few epochs.
Horizontal stripes survive the training flips, and a colour cast survives
per-image standardisation (it shifts the channels against each other, not the
image's overall mean alone).
"""

from __future__ import annotations

import io
import os
import pickle
import tarfile

import numpy as np
from PIL import Image

from components.studies.cifar10.batches import SIDE
from components.studies.cifar10.sources import CLASS_NAMES

FORMATS = ("jpeg", "png", "python", "binary")
TRAIN_BATCHES = 5
# One colour cast per class: distinct directions in RGB, added to the grey noise.
_CASTS = np.array(
    [
        [60, 0, 0],
        [0, 60, 0],
        [0, 0, 60],
        [60, 60, 0],
        [60, 0, 60],
        [0, 60, 60],
        [-60, 0, 0],
        [0, -60, 0],
        [0, 0, -60],
        [-60, 60, 0],
    ],
    np.float64,
)


def synthetic_images(rng: np.random.Generator, label: int, count: int) -> np.ndarray:
    """``count`` uint8 (32, 32, 3) images of class ``label``."""
    noise = rng.normal(128, 35, (count, SIDE, SIDE, 3))
    stripes = 30 * np.sin(2 * np.pi * np.arange(SIDE) / (2 + label % 5))[None, :, None, None]
    return np.clip(noise + stripes + _CASTS[label], 0, 255).astype(np.uint8)


def write_sample(out_dir: str, format: str = "jpeg", per_class: int = 30, seed: int = 0) -> str:
    """Write ``per_class`` images per class and split; return the source path."""
    if format not in FORMATS:
        raise ValueError(f"unknown cifar10 sample format {format!r}; expected one of {FORMATS}")
    rng = np.random.default_rng(seed)
    os.makedirs(out_dir, exist_ok=True)
    splits = {}
    for split in ("train", "test"):
        labels = np.repeat(np.arange(len(CLASS_NAMES), dtype=np.uint8), per_class)
        images = np.concatenate([synthetic_images(rng, c, per_class) for c in range(len(CLASS_NAMES))])
        order = rng.permutation(len(labels))  # the official batches are not grouped by class
        splits[split] = (labels[order], images[order])
    if format in ("jpeg", "png"):
        return _image_folder(out_dir, splits, format)
    return (_python_batches if format == "python" else _binary_batches)(out_dir, splits)


def _tar(path: str, files: dict[str, bytes]) -> str:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _official_batches(splits: dict) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, labels, images) as the official archives split them: five training batches, one test batch."""
    labels, images = splits["train"]
    parts = np.array_split(np.arange(len(labels)), TRAIN_BATCHES)
    named = [(f"data_batch_{i + 1}", labels[p], images[p]) for i, p in enumerate(parts)]
    return named + [("test_batch", *splits["test"])]


def _planes(images: np.ndarray) -> np.ndarray:
    """(n, 32, 32, 3) -> (n, 3072): red plane, green plane, blue plane, row by row."""
    return images.transpose(0, 3, 1, 2).reshape(len(images), -1)


def _image_folder(out_dir: str, splits: dict, format: str) -> str:
    """``cifar10/<split>/<class>/NNNN.<ext>``, as in the real data here."""
    ext, options = ("jpg", {"format": "JPEG", "quality": 75}) if format == "jpeg" else ("png", {"format": "PNG"})
    files = {}
    for split, (labels, images) in splits.items():
        for i, (label, image) in enumerate(zip(labels, images, strict=False)):
            buffer = io.BytesIO()
            Image.fromarray(image).save(buffer, **options)
            files[f"cifar10/{split}/{CLASS_NAMES[label]}/{i:04d}.{ext}"] = buffer.getvalue()
    return _tar(os.path.join(out_dir, f"cifar10_{format}.tar.gz"), files)


def _python_batches(out_dir: str, splits: dict) -> str:
    """``cifar-10-python.tar.gz``: protocol-2 pickles of dicts with bytes keys, as
    the official files are (written here with pickle; read back only through
    the restricted loader)."""
    files = {}
    for name, labels, images in _official_batches(splits):
        batch = {
            b"batch_label": name.encode(),
            b"labels": [int(v) for v in labels],
            b"data": _planes(images),
            b"filenames": [f"{name}_{i}.png".encode() for i in range(len(labels))],
        }
        files[f"cifar-10-batches-py/{name}"] = pickle.dumps(batch, protocol=2)
    meta = {
        b"num_cases_per_batch": len(splits["test"][0]),
        b"num_vis": 3072,
        b"label_names": [n.encode() for n in CLASS_NAMES],
    }
    files["cifar-10-batches-py/batches.meta"] = pickle.dumps(meta, protocol=2)
    return _tar(os.path.join(out_dir, "cifar-10-python.tar.gz"), files)


def _binary_batches(out_dir: str, splits: dict) -> str:
    """``cifar-10-binary.tar.gz``: records of one label byte and 3,072 pixel bytes."""
    files = {}
    for name, labels, images in _official_batches(splits):
        files[f"cifar-10-batches-bin/{name}.bin"] = np.hstack([labels[:, None], _planes(images)]).tobytes()
    files["cifar-10-batches-bin/batches.meta.txt"] = ("\n".join(CLASS_NAMES) + "\n").encode()
    return _tar(os.path.join(out_dir, "cifar-10-binary.tar.gz"), files)
