"""Unpickling restricted to an allow-list of globals.

Some public dataset formats (CIFAR-10's python batches, Keras' ``imdb.npz``
with object arrays) are pickles. Loading them with plain ``pickle`` would run
whatever code the file names; this loader only builds the plain containers
and numpy arrays those formats actually contain, and names anything else.
Its errors are DataErrors, so a hostile or corrupt pickle is reported
like any other bad input: one line naming the file.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterable
from typing import BinaryIO

from components.errors import DataError

NUMPY_ARRAY_GLOBALS = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("_codecs", "encode"),
    }
)


class UnreadablePickle(DataError, pickle.UnpicklingError):
    """A pickle that is corrupt or truncated."""


class ForbiddenPickle(UnreadablePickle):
    """The pickle names a global outside the allow-list."""


class _Restricted(pickle.Unpickler):
    def __init__(self, file: BinaryIO, allowed: frozenset, where: str, encoding: str):
        super().__init__(file, encoding=encoding)
        self._allowed = allowed
        self._where = where

    def find_class(self, module: str, name: str):
        if (module, name) not in self._allowed:
            raise ForbiddenPickle(
                self._where,
                f"the pickle references {module}.{name}, which is not allowed "
                "(only plain containers and numpy arrays are read)",
            )
        return super().find_class(module, name)


def load(
    file: BinaryIO | bytes,
    where: str,
    allowed: Iterable[tuple[str, str]] = NUMPY_ARRAY_GLOBALS,
    encoding: str = "bytes",
):
    """Unpickle ``file`` allowing only ``allowed`` globals; ``where`` names it in errors."""
    if isinstance(file, bytes):
        file = io.BytesIO(file)
    try:
        return _Restricted(file, frozenset(allowed), where, encoding).load()
    except ForbiddenPickle:
        raise
    except Exception as exc:  # truncated or corrupt pickles raise many types
        raise UnreadablePickle(where, f"not a readable pickle ({exc})") from None
