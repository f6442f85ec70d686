"""Reading named arrays from an ``.npz`` file (a zip of ``.npy`` files) that may be hostile.

``np.load`` trusts the file: a header may declare any shape or a sub-array
dtype, and object arrays are pickles. Here every member goes through
``components.archives`` (names, encryption, compression method, and its
size before and while it is read), the ``.npy`` header is parsed and checked
(a plain number, bool or object dtype; a shape whose size matches the bytes
that are there) before the data becomes an array, and object arrays go
through the restricted unpickler, which builds them from checked parts.
Every failure, numpy's own included, is a DataError naming the file and member.
"""

from __future__ import annotations

import io
from typing import Any, Literal

import numpy as np

from components import safe_pickle
from components.archives import open_zip, read_zip_member, zip_members
from components.errors import DataError, reason


def read_npz(path: str, names: tuple[str, ...], max_member_bytes: int, expected: str) -> dict[str, np.ndarray]:
    """The arrays ``names`` of the npz at ``path``; a missing one is an error saying ``expected``."""
    arrays = {}
    with open_zip(path, "npz") as archive:
        members = {info.filename: info for info in zip_members(archive, path)}
        for name in names:
            info = members.get(name + ".npy")
            if info is None:
                raise DataError(path, f"missing array {name!r} (expected {expected})")
            data = read_zip_member(archive, info, path, max_member_bytes)
            arrays[name] = parse_npy(data, f"{path}:{name}.npy")
    return arrays


def parse_npy(data: bytes, where: str) -> np.ndarray:
    """One ``.npy`` file's array, checked as the module's docstring says."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        if version not in ((1, 0), (2, 0)):
            raise DataError(where, f".npy format version {version[0]}.{version[1]}; expected 1.0 or 2.0")
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(stream)
    except DataError:
        raise
    except Exception as exc:  # numpy raises ValueError, but also others on a crafted header
        raise DataError(where, f"not a readable .npy array ({reason(exc)})") from None
    return _array(stream, where, shape, fortran, dtype, len(data))


def _array(stream: io.BytesIO, where: str, shape: Any, fortran: bool, dtype: np.dtype, size: int) -> np.ndarray:
    if dtype.kind not in safe_pickle.ARRAY_KINDS or dtype.shape or dtype.names is not None:
        raise DataError(where, f"dtype {dtype} is not a plain number or object type")
    order: Literal["C", "F"] = "F" if fortran else "C"
    if dtype.hasobject:
        count = safe_pickle.check_shape(shape, where, size)
        array = safe_pickle.load(stream, where, encoding="latin1", max_items=count)
        if type(array) is not np.ndarray or array.dtype != object or array.shape != shape:
            got = (
                f"{array.dtype} array of shape {array.shape}" if isinstance(array, np.ndarray) else type(array).__name__
            )
            raise DataError(where, f"the pickled data is a {got}; the header declares an object array of shape {shape}")
        return array
    count = safe_pickle.check_shape(shape, where, size // max(dtype.itemsize, 1))
    body = stream.read()
    if len(body) != count * dtype.itemsize:
        raise DataError(where, f"{len(body)} bytes of data; the header declares {count} values of {dtype}")
    return np.frombuffer(body, dtype).reshape(shape, order=order)
