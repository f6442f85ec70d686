"""Where an array's bytes lie in an ``.npz`` that ``np.savez`` wrote.

``np.savez`` stores each ``.npy`` member uncompressed, so an array's values
are one run of bytes in the file. Knowing where lets TensorFlow read a
shard's column itself (``components.dense_shards``) and lets
``tables.load`` map a column from the file instead of copying it into new
memory.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass

import numpy as np

_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # a zip member's local file header (APPNOTE 4.3.7)


@dataclass(frozen=True)
class ColumnBytes:
    """Where one stored array's values lie in the file, and what they are: ``rows`` of
    ``shape`` (the shape of one row) each."""

    offset: int
    length: int
    dtype: np.dtype
    rows: int
    shape: tuple[int, ...]


def column_bytes(path: str, name: str) -> ColumnBytes:
    """The bytes of array ``name`` in the npz at ``path``: a stored (uncompressed) member
    ``name.npy`` of a C-ordered little-endian plain numeric array with at least one
    dimension, as ``tables.save`` writes a column; anything else is a ValueError."""
    with open(path, "rb") as f, zipfile.ZipFile(f) as archive:
        info = archive.getinfo(name + ".npy")
        if info.compress_type != zipfile.ZIP_STORED:
            raise ValueError(f"{path}:{name}.npy is compressed; its values are not bytes of the file")
        f.seek(info.header_offset)
        *_, name_length, extra_length = _LOCAL_HEADER.unpack(f.read(_LOCAL_HEADER.size))
        start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        f.seek(start)
        version = np.lib.format.read_magic(f)
        header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = header(f)
        data = f.tell()
    if fortran or dtype.kind not in "fiu" or dtype.byteorder == ">" or not shape:
        raise ValueError(
            f"{path}:{name}.npy holds {dtype} of shape {shape} (fortran order: {fortran}); "
            "expected rows of a plain little-endian number type"
        )
    length = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if data - start + length != info.file_size:
        raise ValueError(f"{path}:{name}.npy: its header and its size disagree")
    return ColumnBytes(data, length, dtype.newbyteorder("<"), shape[0], tuple(shape[1:]))
