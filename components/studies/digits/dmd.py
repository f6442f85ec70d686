"""Reader for Dynamic Motion Dataset digitsets: one JSON file per writer.

    {"digitset_metadata": {"user_age": .., "user_sex": .., "user_hand": ..},
     "digits": {"0": [sample, ...], ..., "9": [...]}}

A sample is a list of frames ``[X, Y, P, dt]``; the study keeps X and Y (the
seed's pressure normalisation was switched off). The writer is the file's
path without ``.json``. The files can sit in a folder or in a ``.tar``,
``.tar.gz`` or ``.zip`` archive, which is streamed, never extracted.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator

import numpy as np

from components.archives import is_hidden, iter_folder_files, iter_tar_files, open_zip, read_zip_member, zip_members
from components.errors import DataError, reason
from components.studies.digits.traces import Trace, parse_label
from components.text_encoding import decode_utf8

FRAME_FIELDS = 4  # X, Y, P, dt
# A writer's file holds 100 samples of a few hundred frames: well under a megabyte.
MAX_FILE_BYTES = 64 << 20


def is_digitset(name: str) -> bool:
    base = os.path.basename(name)
    return base.endswith(".json") and not is_hidden(name)


def read_folder(root: str) -> Iterator[Trace]:
    for where, name, data in iter_folder_files(root, is_digitset, max_bytes=MAX_FILE_BYTES):
        yield from parse_digitset(data, where, name)


def read_tar(path: str) -> Iterator[Trace]:
    for where, name, data in iter_tar_files(path, is_digitset, max_bytes=MAX_FILE_BYTES):
        yield from parse_digitset(data, where, name)


def read_zip(path: str) -> Iterator[Trace]:
    with open_zip(path) as archive:
        for info in zip_members(archive, path):
            if is_digitset(info.filename):
                data = read_zip_member(archive, info, path, MAX_FILE_BYTES)
                yield from parse_digitset(data, f"{path}:{info.filename}", info.filename)


def parse_digitset(data: bytes, where: str, name: str) -> Iterator[Trace]:
    """Every sample of one writer's file; ``where`` names it in errors, ``name`` is the writer."""
    text = decode_utf8(data, where)
    try:
        document = json.loads(text)
    except RecursionError:
        raise DataError(where, "not valid JSON (nested too deeply for a digitset)") from None
    except ValueError as exc:  # JSONDecodeError, or an integer of more digits than Python converts
        raise DataError(where, f"not valid JSON ({reason(exc)})") from None
    if not isinstance(document, dict) or not isinstance(document.get("digits"), dict):
        raise DataError(where, 'missing the \'digits\' object (expected a DMD digitset: {"digits": {"0": [...]}})')
    writer = name[: -len(".json")]
    for key, samples in document["digits"].items():
        label = parse_label(key, f"{where}: digits[{key!r}]")
        if not isinstance(samples, list):
            raise DataError(f"{where}: digits[{key!r}]", "expected a list of samples")
        for i, sample in enumerate(samples):
            yield Trace(writer, label, _frames(sample, f"{where}: digits[{key!r}][{i}]"))


def _frames(sample, where: str) -> np.ndarray:
    if not isinstance(sample, list) or not sample:
        raise DataError(where, "expected a non-empty list of [X, Y, P, dt] frames")
    for j, frame in enumerate(sample):
        if (
            not isinstance(frame, list)
            or len(frame) != FRAME_FIELDS
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in frame)
        ):
            raise DataError(f"{where}[{j}]", f"expected a frame of {FRAME_FIELDS} numbers [X, Y, P, dt], got {frame!r}")
    xy = [(float(frame[0]), float(frame[1])) for frame in sample if _finite(frame[0]) and _finite(frame[1])]
    if len(xy) != len(sample):
        raise DataError(where, "pen coordinates must be finite")
    return np.array(xy, np.float32)


def _finite(value: int | float) -> bool:
    """Whether a JSON number is a finite float32 coordinate (a 400-digit integer is not)."""
    try:
        return math.isfinite(value) and abs(float(value)) <= float(np.finfo(np.float32).max)
    except OverflowError:
        return False
