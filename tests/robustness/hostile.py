"""Hostile and damaged files for the robustness table (issue #16).

Each builder writes a small file under the test's tmp folder: bombs are a
few hundred kilobytes on disk that stand for gigabytes, damaged archives are
valid ones with one header broken, pickles are crafted with ``__reduce__``.
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

import malformed as m
import numpy as np
from PIL import Image

BOMB_BYTES = 24 << 20  # past compression.BOMB_FLOOR_BYTES; gzip and bzip2 shrink it to kilobytes


def tar_bytes(files: dict[str, bytes]) -> bytes:
    """An uncompressed tar of ``files``, in order (a name may repeat)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in files.items() if isinstance(files, dict) else files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def header_offsets(tar: bytes) -> list[int]:
    """Where each member's header starts in an uncompressed tar."""
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        return [member.offset for member in archive.getmembers()]


def damaged_tar_gz(path: Path, files: dict[str, bytes], member: int, how: str) -> str:
    """A tar.gz of ``files`` whose ``member``-th header (from 0) is damaged: ``checksum``
    (one byte of the name changed, so the checksum no longer matches) or ``zeroed``."""
    tar = bytearray(tar_bytes(files))
    at = header_offsets(bytes(tar))[member]
    if how == "checksum":
        tar[at + 1] ^= 0x20
    else:
        tar[at : at + 512] = bytes(512)
    path.write_bytes(gzip.compress(bytes(tar)))
    return str(path)


def tar_cut_at_member(path: Path, files: dict[str, bytes], member: int) -> str:
    """An uncompressed tar cut exactly before the ``member``-th header, as a copy
    interrupted between two files would be."""
    tar = tar_bytes(files)
    path.write_bytes(tar[: header_offsets(tar)[member]])
    return str(path)


def tar_with_duplicate(path: Path, files: dict[str, bytes], name: str, again: bytes) -> str:
    path.write_bytes(gzip.compress(tar_bytes([*files.items(), (name, again)])))  # type: ignore[arg-type]
    return str(path)


def gzip_bomb(path: Path, line: bytes = b"__label__1 x\n") -> str:
    """``BOMB_BYTES`` of one repeated line as a gzip file of about 25 kB: one 1 MiB member
    compressed once and repeated (a gzip file may hold many members, read as one stream)."""
    member = gzip.compress(line * ((1 << 20) // len(line)), compresslevel=9)
    path.write_bytes(member * (BOMB_BYTES >> 20))
    return str(path)


def bz2_tar_bomb(path: Path, member: str, size: int) -> str:
    """A tar.bz2 of one member of ``size`` zero bytes (a multiple of 1 MiB), a few kB on disk:
    bzip2 streams may be concatenated, so 1 MiB of zeros is compressed once and repeated."""
    info = tarfile.TarInfo(member)
    info.size = size
    zeros = bz2.compress(bytes(1 << 20))
    path.write_bytes(
        bz2.compress(info.tobuf(format=tarfile.GNU_FORMAT)) + zeros * (size >> 20) + bz2.compress(bytes(1024))
    )
    return str(path)


def zip_bomb(path: Path, name: str, size: int) -> str:
    """A zip with one deflated member of ``size`` spaces (about 1,000 times smaller on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(size // len(block)):
                member.write(block)
    return str(path)


def zip_encrypted(path: Path, files: dict[str, bytes]) -> str:
    """A zip whose members are flagged as encrypted (Python cannot write real ones)."""
    data = bytearray(Path(m.write_zip(path, files)).read_bytes())
    for signature, flag in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + flag] |= 1
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return str(path)


def zip_with_method(path: Path, files: dict[str, bytes], method: int) -> str:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return str(path)


class _Reduced:
    """An object that pickles as ``function(*args)`` followed by ``BUILD state``."""

    def __init__(self, function, args, state=None):
        self.function, self.args, self.state = function, args, state

    def __reduce__(self):
        return (self.function, self.args) if self.state is None else (self.function, self.args, self.state)


def crafted_array(shape, dtype, data) -> _Reduced:
    """An ndarray pickled the way numpy pickles one, with a state of our choosing."""
    return _Reduced(np.core.multiarray._reconstruct, (np.ndarray, (0,), b"b"), (1, shape, dtype, False, data))


def python_batch_with(data=None, labels=None) -> bytes:
    """A CIFAR-10 python batch whose ``data`` or ``labels`` is replaced."""
    rows = np.zeros((3, 3072), np.uint8) if data is None else data
    return pickle.dumps({b"data": rows, b"labels": [0, 1, 2] if labels is None else labels}, protocol=2)


def npy_with_header(header: str, body: bytes = b"") -> bytes:
    """A version-1.0 ``.npy`` with a hand-written header dict."""
    text = header.encode("latin1")
    text += b" " * ((-(len(text) + 11)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + body


def imdb_npz_with(path: Path, **members: bytes) -> str:
    """Keras' imdb.npz layout (ranks from 1) with some ``.npy`` members replaced by raw bytes."""
    docs = np.empty(3, dtype=object)
    docs[:] = [[1, 14, 22], [2, 5], [1, 7, 7, 9]]
    arrays = {"x_train": docs, "y_train": np.array([0, 1, 1]), "x_test": docs, "y_test": np.array([0, 1, 0])}
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=True)
            archive.writestr(name + ".npy", members.get(name, buffer.getvalue()))
    return str(path)


def object_npy(items: list) -> bytes:
    docs = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        docs[i] = item
    buffer = io.BytesIO()
    np.save(buffer, docs, allow_pickle=True)
    return buffer.getvalue()


def png(array: np.ndarray, mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.fromarray(array) if mode is None else Image.fromarray(array).convert(mode)
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_cmyk() -> bytes:
    buffer = io.BytesIO()
    Image.new("CMYK", (32, 32), (0, 50, 100, 0)).save(buffer, format="JPEG")
    return buffer.getvalue()


def nested_json(depth: int) -> bytes:
    return b'{"digits": {"0": ' + b"[" * depth + b"]" * depth + b"}}"


def digitset_with(x: str) -> bytes:
    """A digitset whose first frame's X is the JSON number text ``x``."""
    return m.digitset().replace(b"400.0", x.encode(), 1)


def json_text(value) -> bytes:
    return json.dumps(value).encode()
