"""``read(path)``: the digits study's sources, told apart by what ``path`` is.

- a folder holding ``pendigits-train`` and ``pendigits-test``: UNIPEN with the
  official split (30 training writers, 14 other writers for testing);
- any other folder: Dynamic Motion Dataset JSON digitsets;
- a zip, or a (possibly compressed) tar archive: DMD digitsets inside it;
- any other file: one UNIPEN file.

Sources without an official split hold writers out for testing (see
``traces.hold_out_writers``).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

from components.compression import TRUNCATION_ERRORS, open_stream
from components.errors import DataError
from components.studies.digits import dmd
from components.studies.digits.traces import Trace, to_table
from components.studies.digits.unipen import OFFICIAL_FILES, read_unipen
from components.tables import Table

_TAR_MAGIC_OFFSET = 257  # "ustar" in a POSIX tar header


def read(path: str) -> Table:
    return to_table(traces(path), path)


def traces(path: str) -> Iterator[Trace]:
    """Every sample of a pendigits folder, a UNIPEN file or DMD digitsets (``predict`` reads single files)."""
    if os.path.isdir(path):
        official = {name: os.path.join(path, name) for name in OFFICIAL_FILES}
        present = [name for name, p in official.items() if os.path.isfile(p)]
        if len(present) == len(official):
            return itertools.chain.from_iterable(read_unipen(p, OFFICIAL_FILES[n]) for n, p in official.items())
        if present:
            missing = sorted(set(official) - set(present))
            raise DataError(path, f"has {present[0]} but not {missing[0]} (expected both pendigits files)")
        if not any(dmd.is_digitset(n) for _, _, files in os.walk(path) for n in files):
            raise DataError(path, "no pendigits-train/pendigits-test files and no DMD *.json digitsets")
        return dmd.read_folder(path)
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic.startswith(b"PK"):
        return dmd.read_zip(path)
    if _is_tar(path):
        return dmd.read_tar(path)
    return read_unipen(path)


def _is_tar(path: str) -> bool:
    try:
        with open_stream(path) as stream:
            head = stream.read(_TAR_MAGIC_OFFSET + 5)
    except TRUNCATION_ERRORS:
        return False  # not an archive we can read: the UNIPEN reader says what is wrong
    return head[_TAR_MAGIC_OFFSET:] == b"ustar"
