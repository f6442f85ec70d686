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
import os
import zipfile
from collections.abc import Iterator

import numpy as np

from components.archives import iter_folder_files, iter_tar_files
from components.errors import DataError
from components.studies.digits.traces import Trace, parse_label

FRAME_FIELDS = 4  # X, Y, P, dt


def is_digitset(name: str) -> bool:
    base = os.path.basename(name)
    return base.endswith(".json") and not base.startswith(".")


def read_folder(root: str) -> Iterator[Trace]:
    for where, name, data in iter_folder_files(root, is_digitset):
        yield from parse_digitset(data, where, name)


def read_tar(path: str) -> Iterator[Trace]:
    for where, name, data in iter_tar_files(path, is_digitset):
        yield from parse_digitset(data, where, name)


def read_zip(path: str) -> Iterator[Trace]:
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir() and is_digitset(info.filename):
                    yield from parse_digitset(archive.read(info), f"{path}:{info.filename}", info.filename)
    except zipfile.BadZipFile as exc:
        raise DataError(path, f"not a readable zip archive ({exc})") from None


def parse_digitset(data: bytes, where: str, name: str) -> Iterator[Trace]:
    """Every sample of one writer's file; ``where`` names it in errors, ``name`` is the writer."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(where, f"not valid JSON ({exc})") from None
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
    xy = np.array([frame[:2] for frame in sample], np.float64)
    if not np.isfinite(xy).all():
        raise DataError(where, "pen coordinates must be finite")
    return xy.astype(np.float32)
