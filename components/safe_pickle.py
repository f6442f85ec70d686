"""Unpickling restricted to plain containers and checked numpy arrays.

Some public dataset formats (CIFAR-10's python batches, Keras' ``imdb.npz``
with object arrays) are pickles. Loading them with plain ``pickle`` would run
whatever code the file names. This loader resolves only the few numpy names
those formats use, and not to numpy itself: to stand-ins that check every
argument before anything is built. numpy's own ``ndarray.__setstate__``
trusts its input (an object array whose declared shape is larger than its
list allocates the declared size and can crash the interpreter), so arrays
and dtypes are rebuilt here from checked parts:

- a dtype is a plain number, bool or object type, never a sub-array or
  structured one;
- an array's shape is non-negative integers whose product matches the data
  the file actually holds (bytes of ``count * itemsize``, or a list of
  ``count`` objects), so nothing proportional to a declared size is
  allocated before the data is there;
- ``numpy.ndarray`` itself cannot be called (it would allocate any declared
  size), and ``_codecs.encode`` only turns latin-1 text into bytes.

Its errors are DataErrors, so a hostile or corrupt pickle is reported like
any other bad input: one line naming the file.
"""

from __future__ import annotations

import io
import math
import pickle
from typing import Any, BinaryIO, Literal

import numpy as np

from components.errors import DataError, reason

# dtype kinds a dataset array may have: bool, signed and unsigned integers, floats, objects.
ARRAY_KINDS = "biufO"
_RECONSTRUCT = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
_SCALAR = {("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}


class UnreadablePickle(DataError, pickle.UnpicklingError):
    """A pickle that is corrupt, truncated or holds something a dataset does not."""


class ForbiddenPickle(UnreadablePickle):
    """The pickle names a global outside the allow-list."""


class _ArrayClass:
    """What ``numpy.ndarray`` resolves to: a marker for ``_reconstruct``, not callable."""


class _PendingDtype:
    """A dtype named by a pickle, built only once its state is known to be plain."""

    def __init__(self, where: str, spec: Any, align: Any = False, copy: Any = True):
        if isinstance(spec, bytes):
            spec = spec.decode("latin-1")
        if not isinstance(spec, str) or len(spec) > 4:
            raise UnreadablePickle(where, f"dtype {spec!r} is not a plain number or object type")
        try:
            self.dtype = _plain_dtype(np.dtype(spec), where)
        except TypeError:
            raise UnreadablePickle(where, f"dtype {spec!r} is not a plain number or object type") from None
        self.where = where

    def __setstate__(self, state: Any) -> None:
        # (version, byte order, sub-array, names, fields, item size, alignment, flags)
        if not isinstance(state, tuple) or len(state) < 5 or any(part is not None for part in state[2:5]):
            raise UnreadablePickle(self.where, "a dtype with sub-arrays or fields; expected a plain number type")
        order = state[1].decode("latin-1") if isinstance(state[1], bytes) else state[1]
        if order not in ("<", ">", "|", "="):
            raise UnreadablePickle(self.where, f"dtype byte order {order!r}; expected '<', '>', '|' or '='")
        if order in "<>":
            self.dtype = self.dtype.newbyteorder("<" if order == "<" else ">")


class _PendingArray:
    """An array named by ``_reconstruct``; :meth:`__setstate__` builds it from checked parts."""

    def __init__(self, where: str, max_items: int):
        self.where, self.max_items = where, max_items
        self.array: np.ndarray | None = None

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, tuple) or len(state) != 5:
            raise UnreadablePickle(self.where, "an array whose state is not (version, shape, dtype, order, data)")
        _version, shape, dtype, fortran, data = state
        if not isinstance(dtype, _PendingDtype):
            raise UnreadablePickle(self.where, "an array without a plain dtype")
        count = check_shape(shape, self.where, self.max_items)
        order: Literal["C", "F"] = "F" if fortran else "C"
        if dtype.dtype.kind == "O":
            if not isinstance(data, list) or len(data) != count:
                got = len(data) if isinstance(data, list) else type(data).__name__
                raise UnreadablePickle(self.where, f"an object array of shape {shape} holds {got} items")
            array = np.empty(count, dtype=object)
            for i, item in enumerate(data):
                array[i] = item.array if isinstance(item, _PendingArray) else item
            self.array = array.reshape(shape, order=order)
        else:
            if not isinstance(data, bytes) or len(data) != count * dtype.dtype.itemsize:
                size = len(data) if isinstance(data, bytes) else type(data).__name__
                raise UnreadablePickle(
                    self.where, f"an array of shape {shape} and dtype {dtype.dtype} holds {size} bytes of data"
                )
            self.array = np.frombuffer(data, dtype.dtype).reshape(shape, order=order)


def _plain_dtype(dtype: np.dtype, where: str) -> np.dtype:
    if dtype.kind not in ARRAY_KINDS or dtype.shape or dtype.names is not None:
        raise UnreadablePickle(where, f"dtype {dtype} is not a plain number or object type")
    return dtype


def check_shape(shape: Any, where: str, max_items: int) -> int:
    """The number of items of ``shape`` (a tuple of non-negative ints), at most ``max_items``."""
    if not isinstance(shape, tuple) or not all(type(n) is int and n >= 0 for n in shape):
        raise UnreadablePickle(where, f"array shape {shape!r}; expected a tuple of non-negative integers")
    count = math.prod(shape)
    if count > max_items:
        raise UnreadablePickle(where, f"array shape {shape} has {count} items; at most {max_items} are read")
    return count


class _Restricted(pickle.Unpickler):
    def __init__(self, file: BinaryIO, where: str, encoding: str, max_items: int):
        super().__init__(file, encoding=encoding)
        self._where, self._max_items = where, max_items

    def find_class(self, module: str, name: str) -> Any:
        where = self._where
        if (module, name) in _RECONSTRUCT:
            return self._reconstruct
        if (module, name) == ("numpy", "ndarray"):
            return _ArrayClass
        if (module, name) == ("numpy", "dtype"):
            return lambda *args: _PendingDtype(where, *args)
        if (module, name) in _SCALAR:
            return self._scalar
        if (module, name) == ("_codecs", "encode"):
            return self._encode
        raise ForbiddenPickle(
            where,
            f"the pickle references {module}.{name}, which is not allowed "
            "(only plain containers and numpy arrays are read)",
        )

    def _reconstruct(self, cls: Any, shape: Any, code: Any) -> _PendingArray:
        if cls is not _ArrayClass or shape != (0,) or code not in (b"b", "b"):
            raise UnreadablePickle(self._where, "an array built other than numpy pickles arrays")
        return _PendingArray(self._where, self._max_items)

    def _scalar(self, dtype: Any, data: Any) -> Any:
        if not isinstance(dtype, _PendingDtype) or dtype.dtype.kind == "O" or not isinstance(data, bytes):
            raise UnreadablePickle(self._where, "a numpy scalar that is not a plain number")
        if len(data) != dtype.dtype.itemsize:
            raise UnreadablePickle(self._where, f"a {dtype.dtype} scalar of {len(data)} bytes")
        return np.frombuffer(data, dtype.dtype)[0]

    def _encode(self, text: Any, encoding: Any = "utf-8") -> bytes:
        if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
            raise UnreadablePickle(self._where, f"_codecs.encode with {encoding!r}; only latin-1 text is read")
        return text.encode("latin-1")


def resolved(value: Any) -> Any:
    """``value`` with arrays in place of their stand-ins, at the top, in a dict's values or a list."""
    if isinstance(value, _PendingArray):
        return value.array
    if isinstance(value, dict):
        return {key: item.array if isinstance(item, _PendingArray) else item for key, item in value.items()}
    if isinstance(value, list):
        return [item.array if isinstance(item, _PendingArray) else item for item in value]
    return value


def load(file: BinaryIO | bytes, where: str, encoding: str = "bytes", max_items: int = 1 << 28) -> Any:
    """Unpickle ``file`` through the checks above; ``where`` names it in errors, and no array
    may have more than ``max_items`` items."""
    if isinstance(file, bytes):
        file = io.BytesIO(file)
    try:
        return resolved(_Restricted(file, where, encoding, max_items).load())
    except UnreadablePickle:
        raise
    except Exception as exc:  # truncated or corrupt pickles raise many types
        raise UnreadablePickle(where, f"not a readable pickle ({reason(exc)})") from None
