"""What ``kfp-studies predict`` reads: a user's raw files, as a serving signature takes them.

Each study's inputs go through the study's own readers (the fastText, image,
UNIPEN/digitset and Kitsune CSV readers ingest uses), so a file is accepted
or refused for the same reasons, with the same one-line ``DataError`` naming
it. Every record gets a name (file, file and line, or file and sample) for
the table of predictions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from components.errors import DataError
from components.tables import Ragged

Records = tuple[list[str], Any]
"""Record names, and the records as the signature takes them."""


def _files(paths: list[str], extensions: tuple[str, ...] = ()) -> Iterator[str]:
    """The paths, a folder as the files in it (with one of ``extensions``, when given), sorted."""
    for path in paths:
        if os.path.isdir(path):
            found = sorted(
                os.path.join(path, n)
                for n in os.listdir(path)
                if os.path.isfile(os.path.join(path, n)) and (not extensions or n.lower().endswith(extensions))
            )
            if not found:
                raise DataError(path, f"no input files in this folder (expected {' or '.join(extensions) or 'files'})")
            yield from found
        elif not os.path.exists(path):
            raise FileNotFoundError(f"input not found: {path}")
        else:
            yield path


def reviews(paths: list[str], state: dict) -> Records:
    """Review texts: a text file is one review; a fastText file (``__label__N <text>`` lines) one per line."""
    from components.studies.amazon import sources as fasttext

    names: list[str] = []
    texts: list[bytes] = []
    for path in _files(paths, (".txt",)):
        with open(path, "rb") as f:
            head = f.read(9)
        if head == b"__label__":
            table = fasttext.read(path)
            column: Ragged = table["text"]  # type: ignore[assignment]
            names += [f"{path}:{line}" for line in range(1, len(column) + 1)]
            texts += [t.encode() for t in column.to_strings()]
            continue
        with open(path, "rb") as f:
            data = f.read()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(path, f"not UTF-8 text (byte {exc.start}); expected a review as a text file") from None
        names.append(path)
        texts.append(data)
    return names, np.array(texts, dtype=object)


def images(paths: list[str], state: dict) -> Records:
    """32x32 PNG or JPEG images, or folders of them."""
    from components.studies.cifar10.images import EXTENSIONS, decode_image

    names = list(_files(paths, EXTENSIONS))
    decoded = []
    for path in names:
        with open(path, "rb") as f:
            decoded.append(decode_image(f.read(), path))
    return names, np.stack(decoded)


def trajectories(paths: list[str], state: dict) -> Records:
    """Pen trajectories from UNIPEN files or DMD digitsets, cleaned and resampled as preprocess does."""
    from components.studies.digits import sources, trajectory

    names, rows = [], []
    for path in _files(paths):
        for number, trace in enumerate(sources.traces(path), start=1):
            names.append(f"{path}#{number}")
            rows.append(trajectory.resample(trajectory.clean(trace.xy), int(state["points"])))
    if not rows:
        raise DataError(", ".join(paths), "no digit samples found")
    return names, np.stack(rows)


def kitsune_rows(paths: list[str], state: dict) -> Records:
    """Raw Kitsune feature rows from CSV files (optionally gzipped; header and row index detected)."""
    from components.compression import open_stream
    from components.studies.mirai.numeric_csv import read_numeric_csv

    width = int(state["scaler"]["first_column"]) + int(state["features"])
    names, blocks = [], []
    for path in _files(paths):
        with open_stream(path) as stream:
            values = read_numeric_csv(stream, path).values
        if values.shape[1] != width:
            raise DataError(path, f"{values.shape[1]} feature columns; expected {width} (a Kitsune row less its index)")
        names += [f"{path}:{row}" for row in range(1, len(values) + 1)]
        blocks.append(values.astype(np.float32))
    return names, np.concatenate(blocks)


READERS: dict[str, Callable[[list[str], dict], Records]] = {
    "imdb": reviews,
    "amazon": reviews,
    "cifar10": images,
    "digits": trajectories,
    "mirai": kitsune_rows,
}
