"""Synthetic amazon sources in the fastText format, with a learnable signal.

Each review is a title and a body of neutral filler words with a few
sentiment words whose polarity matches the label most of the time. Mixed
case, punctuation and apostrophes exercise the text standardisation; short
reviews keep a recurrent model fast enough for a local pipeline run.
"""

from __future__ import annotations

import bz2
import gzip
import os
from collections.abc import Callable
from typing import IO

import numpy as np

POSITIVE = "great excellent love perfect amazing works recommend sturdy happy best".split()
NEGATIVE = "broke terrible waste refund junk worst disappointed useless returned poor".split()
FILLER = (
    "the a this product item it i bought for my and was to of with after use one box price order "
    "shipping size color battery book cd player quality weeks months time"
).split()
CLOSINGS = ("here", "done", "mine", "as described")
FORMATS = ("ft.txt", "ft.txt.gz", "ft.txt.bz2")
_OPENERS: dict[str, Callable[..., IO[str]]] = {"ft.txt": open, "ft.txt.gz": gzip.open, "ft.txt.bz2": bz2.open}


def _review(rng: np.random.Generator, positive: bool, signal: float) -> str:
    words = [str(w) for w in rng.choice(FILLER, size=rng.integers(8, 30))]
    for _ in range(rng.integers(2, 5)):
        agrees = rng.random() < signal
        word = str(rng.choice(POSITIVE if positive == agrees else NEGATIVE))
        words.insert(int(rng.integers(0, len(words))), word.upper() if rng.random() < 0.2 else word)
    title = " ".join(words[:3]).capitalize()
    return f"{title}: {' '.join(words[3:])}. It's {rng.choice(CLOSINGS)}!"


def write_sample(out_dir: str, format: str = "ft.txt", per_class: int = 500, signal: float = 0.9, seed: int = 0) -> str:
    """Write ``per_class`` reviews per label, in shuffled order; return the file's path."""
    if format not in FORMATS:
        raise ValueError(f"unknown amazon sample format {format!r}; expected one of {FORMATS}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat([1, 2], per_class))
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"train.{format}")
    with _OPENERS[format](path, "wt", encoding="utf-8", newline="\n") as f:
        for label in labels:
            f.write(f"__label__{label} {_review(rng, label == 2, signal)}\n")
    return path
