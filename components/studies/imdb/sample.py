"""Synthetic imdb sources in the real formats, with a learnable signal.

Each review mixes neutral filler words with a few sentiment words whose
polarity matches the label most of the time, plus ``<br />`` tags and
punctuation, so a test can check both the text handling and that learning
happened (a multi-hot model separates the classes well above chance).
"""

from __future__ import annotations

import io
import os
import tarfile

import numpy as np

POSITIVE = "great wonderful superb brilliant loved moving excellent delightful charming masterpiece".split()
NEGATIVE = "awful boring terrible dreadful hated dull waste poorly worst clumsy".split()
FILLER = (
    "the a movie film plot story actor actress scene director camera it was and of to in that this "
    "character ending music script role cast time watch seen studio screen minutes sequel"
).split()
FORMATS = ("tar.gz", "npz")


def _review(rng: np.random.Generator, positive: bool, signal: float) -> str:
    words = list(rng.choice(FILLER, size=rng.integers(20, 60)))
    for _ in range(rng.integers(2, 5)):
        agrees = rng.random() < signal
        pool = POSITIVE if positive == agrees else NEGATIVE
        words.insert(int(rng.integers(0, len(words))), str(rng.choice(pool)))
    text = " ".join(words)
    return text[:1].upper() + text[1:] + ". It's " + ("fine" if positive else "over") + "!<br /><br />The end."


def write_sample(
    out_dir: str, format: str = "tar.gz", per_class: int = 500, signal: float = 0.85, seed: int = 0
) -> str:
    """Write ``per_class`` reviews per label and split; return the source path."""
    if format not in FORMATS:
        raise ValueError(f"unknown imdb sample format {format!r}; expected one of {FORMATS}")
    rng = np.random.default_rng(seed)
    os.makedirs(out_dir, exist_ok=True)
    reviews = {
        (split, label): [_review(rng, label == "pos", signal) for _ in range(per_class)]
        for split in ("train", "test")
        for label in ("neg", "pos")
    }
    if format == "npz":
        return _write_npz(out_dir, reviews)
    path = os.path.join(out_dir, "aclImdb_v1.tar.gz")
    with tarfile.open(path, "w:gz") as archive:
        for (split, label), texts in reviews.items():
            for i, text in enumerate(texts):
                rating = int(rng.integers(7, 11) if label == "pos" else rng.integers(1, 5))
                data = text.encode("utf-8")
                info = tarfile.TarInfo(f"aclImdb/{split}/{label}/{i}_{rating}.txt")
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return path


def _write_npz(out_dir: str, reviews: dict) -> str:
    """Keras' imdb.npz as shipped: word frequency ranks from 1 ("the" is 1), no markers, as object arrays."""
    from components.studies.imdb.text import tokenize

    tokenized = {key: [tokenize(t) for t in texts] for key, texts in reviews.items()}
    counts: dict[str, int] = {}
    for docs in tokenized.values():
        for doc in docs:
            for word in doc:
                counts[word] = counts.get(word, 0) + 1
    rank = {w: i + 1 for i, w in enumerate(sorted(counts, key=lambda w: (-counts[w], w)))}
    arrays: dict[str, np.ndarray] = {}
    for split in ("train", "test"):
        docs = tokenized[(split, "neg")] + tokenized[(split, "pos")]
        x = np.empty(len(docs), dtype=object)
        x[:] = [[rank[w] for w in doc] for doc in docs]
        arrays[f"x_{split}"] = x
        arrays[f"y_{split}"] = np.array([0] * len(tokenized[(split, "neg")]) + [1] * len(tokenized[(split, "pos")]))
    path = os.path.join(out_dir, "imdb.npz")
    # object arrays are pickled here, exactly as Keras ships them
    np.savez(
        path, x_train=arrays["x_train"], y_train=arrays["y_train"], x_test=arrays["x_test"], y_test=arrays["y_test"]
    )
    return path
