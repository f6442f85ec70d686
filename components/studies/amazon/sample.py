"""Synthetic amazon sources in the fastText format, with a learnable signal, at any size.

Like the public download, a sample is a pair: ``train.ft.txt[.gz|.bz2]``
with ``per_class`` reviews of each label and ``test.ft.txt[...]`` with a
ninth of that (the public 3,600,000 and 400,000 reviews are
``per_class=1_800_000``); ``pair=False`` writes the training file alone.

Each review is a title and a body of neutral filler words with a few
sentiment words whose polarity matches the label most of the time. Mixed
case, punctuation and apostrophes exercise the text standardisation. Samples
under ``PUBLIC_LENGTH_FROM`` reviews per class have short reviews, which
keeps a recurrent model fast enough for a local pipeline run; larger ones
have the public data's length (about 80 words, 450 bytes a line: 1.6 GB of
text for the full training file), so they measure what the real data costs.

Reviews are drawn a chunk at a time with numpy and compressed in two
threads, each chunk as its own gzip member or bzip2 stream (readers,
``gzip -dc`` and ``bzip2 -dc`` read such files whole), so the full-size pair
takes minutes rather than the better part of an hour.
"""

from __future__ import annotations

import bz2
import collections
import gzip
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from components.tables import Ragged

POSITIVE = "great excellent love perfect amazing works recommend sturdy happy best".split()
NEGATIVE = "broke terrible waste refund junk worst disappointed useless returned poor".split()
FILLER = (
    "the a this product item it i bought for my and was to of with after use one box price order "
    "shipping size color battery book cd player quality weeks months time"
).split()
CLOSINGS = ("here", "done", "mine", "as described")
FORMATS = ("ft.txt", "ft.txt.gz", "ft.txt.bz2")
_COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "ft.txt": bytes,
    "ft.txt.gz": lambda data: gzip.compress(data, compresslevel=6, mtime=0),
    "ft.txt.bz2": lambda data: bz2.compress(data, compresslevel=9),
}
TEST_SHARE = 9  # the public test file has a ninth of the training file's reviews
PUBLIC_LENGTH_FROM = 100_000
SHORT_WORDS, PUBLIC_WORDS = (8, 30), (30, 130)
CHUNK_REVIEWS = 20_000
# Every word the reviews use (sentiment words also in capitals), and each line built from
# pieces of bytes: a word as the title's first (capitalised), inner (lowercase) or last
# (with the colon) word, a body word, a body's last word with a closing, and the labels.
_WORDS = [*FILLER, *POSITIVE, *NEGATIVE, *(w.upper() for w in POSITIVE), *(w.upper() for w in NEGATIVE)]
_FIRST_POSITIVE, _FIRST_NEGATIVE, _FIRST_UPPER = len(FILLER), len(FILLER) + len(POSITIVE), len(FILLER) + 20
_PIECES = [
    *(w.capitalize() + " " for w in _WORDS),
    *(w.lower() + " " for w in _WORDS),
    *(w.lower() + ": " for w in _WORDS),
    *(w + " " for w in _WORDS),
    *(f"{w}. It's {closing}!\n" for closing in CLOSINGS for w in _WORDS),
    "__label__1 ",
    "__label__2 ",
]
_TITLE_FIRST, _TITLE_INNER, _TITLE_LAST, _BODY, _CLOSING = (k * len(_WORDS) for k in range(5))
_LABEL = (4 + len(CLOSINGS)) * len(_WORDS) - 1  # + 1 for __label__1, + 2 for __label__2


def write_sample(
    out_dir: str,
    format: str = "ft.txt",
    per_class: int = 500,
    signal: float = 0.9,
    seed: int = 0,
    pair: bool = True,
) -> str:
    """Write the pair (or with ``pair=False`` the training file alone); return the folder
    (or the file). Every file's labels are balanced and shuffled."""
    if format not in FORMATS:
        raise ValueError(f"unknown amazon sample format {format!r}; expected one of {FORMATS}")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    words = PUBLIC_WORDS if per_class >= PUBLIC_LENGTH_FROM else SHORT_WORDS
    train = os.path.join(out_dir, f"train.{format}")
    _write(train, format, _lines(rng, per_class, signal, words))
    if not pair:
        return train
    _write(os.path.join(out_dir, f"test.{format}"), format, _lines(rng, max(1, per_class // TEST_SHARE), signal, words))
    return out_dir


def _write(path: str, format: str, chunks: Iterator[bytes]) -> None:
    """Compress the chunks in two threads, in order, keeping a few in flight."""
    compress = _COMPRESS[format]
    pending: collections.deque[Future[bytes]] = collections.deque()
    with open(path, "wb") as out, ThreadPoolExecutor(2) as pool:
        for chunk in chunks:
            pending.append(pool.submit(compress, chunk))
            if len(pending) > 3:
                out.write(pending.popleft().result())
        while pending:
            out.write(pending.popleft().result())


def _lines(rng: np.random.Generator, per_class: int, signal: float, words: tuple[int, int]) -> Iterator[bytes]:
    labels = rng.permutation(np.repeat(np.array([1, 2], np.int64), per_class))
    pieces = Ragged.from_rows((np.frombuffer(p.encode(), np.uint8) for p in _PIECES), np.uint8)
    for start in range(0, len(labels), CHUNK_REVIEWS):
        yield _chunk(rng, labels[start : start + CHUNK_REVIEWS], signal, words, pieces)


def _chunk(rng: np.random.Generator, labels: np.ndarray, signal: float, words: tuple[int, int], pieces: Ragged):
    """One chunk of lines, ``__label__N Title words: body words. It's <closing>!``, drawn for
    every review at once and joined from byte pieces without a loop over reviews."""
    n = len(labels)
    counts = rng.integers(*words, size=n)
    ids = rng.integers(0, len(FILLER), size=int(counts.sum()))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # Two to four sentiment words per review, over filler at random places, agreeing with the label mostly.
    planted = rng.integers(2, 5, size=n)
    review = np.repeat(np.arange(n), planted)
    where = starts[review] + (rng.random(len(review)) * counts[review]).astype(np.int64)
    positive = (labels[review] == 2) == (rng.random(len(review)) < signal)
    word = rng.integers(0, len(POSITIVE), size=len(review)) + np.where(positive, _FIRST_POSITIVE, _FIRST_NEGATIVE)
    ids[where] = np.where(rng.random(len(review)) < 0.2, word + _FIRST_UPPER - _FIRST_POSITIVE, word)
    # Each word's piece by its place in the review: three title words, the body, the closing last.
    place = np.arange(len(ids)) - np.repeat(starts, counts)
    last = place == np.repeat(counts - 1, counts)
    block = np.select([place == 0, place == 1, place == 2], [_TITLE_FIRST, _TITLE_INNER, _TITLE_LAST], _BODY)
    closing = np.repeat(rng.integers(0, len(CLOSINGS), size=n), counts)
    block = np.where(last, _CLOSING + closing * len(_WORDS), block)
    line = np.empty(len(ids) + n, np.int64)
    label_at = starts + np.arange(n)
    line[label_at] = _LABEL + labels
    line[np.setdiff1d(np.arange(len(line)), label_at, assume_unique=True)] = block + ids
    return pieces.take(line).values.tobytes()
