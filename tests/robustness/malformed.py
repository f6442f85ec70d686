"""Small, valid sources of each study and the ways to break them.

The robustness cases start from a source that the reader accepts and change
one thing, so each case fails for exactly the reason it names. Sources are
tiny and written by hand (or by the study's own sample writer), so that the
whole table runs in seconds.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import pickle
import tarfile
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


# ---- containers ---------------------------------------------------------------------


def write_tar(path: Path, files: dict[str, bytes], links: dict[str, str] | None = None, mode: str = "w:gz") -> str:
    """A tar of ``files`` (name -> bytes), plus symbolic-link members (name -> target)."""
    with tarfile.open(path, mode) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return str(path)


def write_zip(path: Path, files: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return str(path)


def write_files(root: Path, files: dict[str, bytes]) -> str:
    """``files`` (relative name -> bytes) under the folder ``root``."""
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return str(root)


def truncated(path: str, keep: float = 0.6) -> str:
    """Cut the file at ``keep`` of its length, as an interrupted download would."""
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return path


def compressed(path: Path, data: bytes) -> str:
    """``data`` written gzip- or bzip2-compressed, by ``path``'s suffix."""
    opener = {".gz": gzip.open, ".bz2": bz2.open}[path.suffix]
    with opener(path, "wb") as f:
        f.write(data)
    return str(path)


def forbidden_pickle() -> bytes:
    """A protocol-0 pickle that would call ``os.system('true')`` if loaded unrestricted."""
    return b"cos\nsystem\n(S'true'\ntR."


# ---- imdb ---------------------------------------------------------------------------


def imdb_reviews(**changes: bytes | None) -> dict[str, bytes]:
    """One review per split and label in the aclImdb layout; ``changes`` adds,
    replaces (name=bytes) or removes (name=None) members, named with '__' for '/'."""
    files = {
        f"aclImdb/{split}/{label}/0_{9 if label == 'pos' else 2}.txt": b"a film, reviewed"
        for split in ("train", "test")
        for label in ("neg", "pos")
    }
    for key, data in changes.items():
        name = key.replace("__", "/")
        if data is None:
            files.pop(name)
        else:
            files[name] = data
    return files


def imdb_npz(path: Path, y_train=(0, 1, 1), x_train_pickle: bytes | None = None) -> str:
    """Keras' imdb.npz: object arrays of word-id lists; ``x_train_pickle`` replaces
    the pickled payload of ``x_train.npy``."""
    docs = np.empty(3, dtype=object)
    docs[:] = [[1, 14, 22], [1, 5], [1, 7, 7, 9]]
    arrays = {"x_train": docs, "y_train": np.array(y_train), "x_test": docs, "y_test": np.array([0, 1, 0])}
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=True)
            data = buffer.getvalue()
            if name == "x_train" and x_train_pickle is not None:
                data = data[: data.index(b"\n") + 1] + x_train_pickle  # keep the .npy header
            archive.writestr(name + ".npy", data)
    return str(path)


# ---- amazon -------------------------------------------------------------------------


def amazon_lines(*replaced: tuple[int, bytes]) -> bytes:
    """Ten fastText review lines of both labels; ``replaced`` sets (line number, bytes)."""
    lines = [f"__label__{1 + i % 2} review number {i} of a thing\n".encode() for i in range(10)]
    for number, line in replaced:
        lines[number - 1] = line
    return b"".join(lines)


def amazon_many_lines(count: int = 4000) -> bytes:
    """Enough lines that a cut compressed file still holds whole lines before the cut."""
    return b"".join(f"__label__{1 + i % 2} the review {i} says this and that\n".encode() for i in range(count))


# ---- mirai --------------------------------------------------------------------------

MIRAI_ROWS = ["0.5,1.5,2.5", "1.0,2.0,3.0", "0.25,0.75,1.25", "3.0,2.0,1.0", "9.5,8.5,7.5"]
MIRAI_LABELS = ["0", "1", "0", "1", "1"]


def mirai_pair(root: Path, rows=None, labels=None, header: str | None = None, gz: bool = False) -> str:
    """A folder with the Kitsune pair, one line per row; no header or index unless given."""
    rows = MIRAI_ROWS if rows is None else rows
    labels = MIRAI_LABELS if labels is None else labels
    data = "".join(f"{line}\n" for line in ([header] if header else []) + rows).encode()
    root.mkdir(parents=True, exist_ok=True)
    if gz:
        compressed(root / "Mirai_dataset.csv.gz", data)
    else:
        (root / "Mirai_dataset.csv").write_bytes(data)
    if labels is not False:
        (root / "Mirai_labels.csv").write_bytes("".join(f"{v}\n" for v in labels).encode())
    return str(root)


# ---- digits -------------------------------------------------------------------------


def unipen(segments: int = 4, writer: int = 1, points: str = " 10 20\n 11 22\n 13 25\n") -> str:
    """A UNIPEN file body: ``segments`` one-stroke digits by ``writer``."""
    return "".join(
        f'.SEGMENT DIGIT {i} ? "{i % 10}"\n.COMMENT {i % 10} {writer} 3\n.PEN_DOWN\n{points}.PEN_UP\n'
        for i in range(segments)
    )


def pendigits(root: Path, train: str | None = None, test: str | None = None) -> str:
    """The pendigits-orig folder: both official files, with ``train``/``test`` bodies
    (None drops the test file)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pendigits-train").write_text(unipen() if train is None else train, encoding="latin-1")
    if test is not False:
        (root / "pendigits-test").write_text(unipen() if test is None else test, encoding="latin-1")
    return str(root)


def digitset(digits: dict | None = None) -> bytes:
    frames = [[400.0, 300.0, 0.5, 10], [401.5, 302.0, 0.6, 12]]
    return json.dumps({"digits": digits or {str(d): [frames] for d in range(10)}}).encode()


# ---- cifar10 ------------------------------------------------------------------------


def image(fmt: str = "PNG", size: tuple[int, int] = (32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def cifar_tree(ext: str = "png", data: bytes | None = None, splits=("train", "test")) -> dict[str, bytes]:
    """One image per class and split: the smallest complete image-folder source."""
    data = data or image("PNG" if ext == "png" else "JPEG")
    return {f"cifar10/{split}/{name}/0001.{ext}": data for split in splits for name in CIFAR_CLASSES}


def python_batch(rows: int = 3, labels=None) -> bytes:
    labels = list(range(rows)) if labels is None else labels
    return pickle.dumps({b"data": np.zeros((rows, 3072), np.uint8), b"labels": labels}, protocol=2)


def binary_batch(labels=(0, 1, 2), extra: bytes = b"") -> bytes:
    records = np.zeros((len(labels), 3073), np.uint8)
    records[:, 0] = labels
    return records.tobytes() + extra


def cifar_batches(kind: str, **files: bytes) -> dict[str, bytes]:
    """The six batches of the ``python`` or ``binary`` format (all valid), updated by ``files``."""
    suffix, make = ("", python_batch) if kind == "python" else (".bin", binary_batch)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = {f"cifar-10-batches/{name}{suffix}": make() for name in names}
    batches.update({f"cifar-10-batches/{name}": data for name, data in files.items()})
    return batches
