"""Synthetic Kitsune Mirai sources in the real format, up to the real size.

The real pair is not available here, so this writes one like it:
``Mirai_dataset.csv[.gz]`` with a header row, a 0-based row-index column and
115 features (5 time windows x 23 statistics of packet streams, named as in
Kitsune), printed at full double precision as the real file is (about 1.4 GB
at the full 764,137 rows), and ``Mirai_labels.csv[.gz]`` with the matching
index and a 0/1 label. As in the real capture, benign rows come first and
the classes keep its ratio (121,621 benign to 642,516 attack).

The planted signal: each row's statistics derive from a few latent traffic
traits (rate, packet size, timing) whose centre differs for attack traffic,
plus noise; a share of attack rows (``confusable``) is drawn like benign
traffic, which caps the reachable accuracy near the seed's 0.92 instead of
making the task trivial. One feature is constant, as a standardiser must
handle. Everything is generated and written in chunks of rows, so even the
full size needs little memory; formatting and compressing overlap in two
threads.
"""

from __future__ import annotations

import gzip
import os
import tarfile
import tempfile
from collections.abc import Iterator

import numpy as np

from components.prefetch import prefetched
from components.studies.mirai.sources import DATASET, LABELS

SEED_COUNTS = (121621, 642516)  # benign, attack rows of the real Mirai capture
FULL_ROWS = sum(SEED_COUNTS)
FORMATS = ("csv.gz", "csv", "tar")
WINDOWS = ("5", "3", "1", "0.1", "0.01")
STREAMS = (
    ("MI_dir", ("weight", "mean", "variance")),
    ("H", ("weight", "mean", "variance")),
    ("HH", ("weight", "mean", "std", "magnitude", "radius", "covariance", "pcc")),
    ("HH_jit", ("weight", "mean", "variance")),
    ("HpHp", ("weight", "mean", "std", "magnitude", "radius", "covariance", "pcc")),
)
FEATURES = tuple(f"{stream}_L{w}_{stat}" for stream, stats in STREAMS for w in WINDOWS for stat in stats)
CONSTANT_FEATURE = "HpHp_L0.01_pcc"
# Latent traits (rate, packet size, jitter, spread): benign centre 0, attack shifted.
_ATTACK_CENTRE = np.array([2.5, 3.0, -2.5, 0.5])
CHUNK_ROWS = 5000


def class_counts(per_class: int | None = None, rows: int | None = None) -> tuple[int, int]:
    """(benign, attack) rows in the real capture's ratio: ``per_class`` counts
    the benign (minority) rows, ``rows`` the total; ``rows=FULL_ROWS`` (or
    ``per_class=121621``) is the real size."""
    if rows is not None and per_class is None:
        benign = round(rows * SEED_COUNTS[0] / FULL_ROWS)
        return benign, rows - benign
    if per_class is not None and rows is None:
        return per_class, round(per_class * SEED_COUNTS[1] / SEED_COUNTS[0])
    raise ValueError("give exactly one of per_class (benign rows) and rows (all rows)")


def write_sample(
    out_dir: str,
    format: str = "csv.gz",
    per_class: int | None = None,
    rows: int | None = None,
    seed: int = 0,
    header: bool = True,
    index: bool = True,
    confusable: float = 0.06,
) -> str:
    """Write the pair and return the source path for ingest (the folder, or the tar).

    ``per_class`` is the number of benign rows (``kfp-studies sample --size``),
    with attack rows in the real ratio; by default 300 (1,885 rows in all)."""
    if format not in FORMATS:
        raise ValueError(f"unknown mirai sample format {format!r}; expected one of {FORMATS}")
    if per_class is None and rows is None:
        per_class = 300
    counts = class_counts(per_class, rows)
    if min(counts) < 1:
        raise ValueError(f"a sample needs rows of both classes; got {counts[0]} benign and {counts[1]} attack")
    os.makedirs(out_dir, exist_ok=True)
    if format == "tar":
        with tempfile.TemporaryDirectory(dir=out_dir) as loose:
            _write_pair(loose, ".gz", counts, seed, header, index, confusable)
            path = os.path.join(out_dir, "Mirai.tar")
            with tarfile.open(path, "w") as archive:
                for name in (DATASET, LABELS):
                    archive.add(os.path.join(loose, name + ".gz"), arcname=name + ".gz")
        return path
    _write_pair(out_dir, ".gz" if format == "csv.gz" else "", counts, seed, header, index, confusable)
    return out_dir


def _write_pair(
    folder: str, suffix: str, counts: tuple[int, int], seed: int, header: bool, index: bool, confusable: float
) -> None:
    labels = np.repeat(np.array([0, 1], np.uint8), counts)
    data_header = ",".join(("",) * index + FEATURES) if header else None
    _write_lines(
        os.path.join(folder, DATASET + suffix),
        data_header,
        _feature_lines(labels, np.random.default_rng(seed), index, confusable),
    )
    _write_lines(
        os.path.join(folder, LABELS + suffix), (",x" if index else "x") if header else None, _label_lines(labels, index)
    )


def _write_lines(path: str, header: str | None, chunks: Iterator[str]) -> None:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as out, prefetched(chunks) as texts:
        if header is not None:
            out.write(header.encode() + b"\n")
        for text in texts:
            out.write(text.encode())


def _feature_lines(labels: np.ndarray, rng: np.random.Generator, index: bool, confusable: float) -> Iterator[str]:
    for start in range(0, len(labels), CHUNK_ROWS):
        attack = labels[start : start + CHUNK_ROWS] == 1
        looks_like_attack = attack & (rng.random(len(attack)) >= confusable)
        yield _csv_rows(_features(rng, looks_like_attack).tolist(), start, index)


def _label_lines(labels: np.ndarray, index: bool) -> Iterator[str]:
    for start in range(0, len(labels), CHUNK_ROWS):
        yield _csv_rows([[label] for label in labels[start : start + CHUNK_ROWS].tolist()], start, index)


def _csv_rows(rows: list[list], start: int, index: bool) -> str:
    """Rows as CSV lines (floats at full precision), each after its row number when ``index``."""
    return "".join((f"{start + i}," if index else "") + ",".join(map(str, row)) + "\n" for i, row in enumerate(rows))


def _features(rng: np.random.Generator, looks_like_attack: np.ndarray) -> np.ndarray:
    """Kitsune-like statistics (float64, rows x 115) from latent traits."""
    n = len(looks_like_attack)
    traits = rng.standard_normal((n, 4)) + np.outer(looks_like_attack, _ATTACK_CENTRE)
    rate, size, jitter, spread = traits.T

    def noise(scale: float = 0.3) -> np.ndarray:
        return scale * rng.standard_normal(n)

    columns = []
    for stream, stats in STREAMS:
        fresh = rng.random(n) < 0.05  # a stream seen for the first time: weight 1, no spread yet
        for w in range(len(WINDOWS)):
            weight = np.where(fresh, 1.0, np.exp(1.0 + 0.9 * w + 0.6 * rate + noise()))
            if stream == "HH_jit":
                mean = np.exp(-2.0 + 0.8 * jitter + noise())
                variance = np.where(fresh, 0.0, np.exp(-3.0 + 1.5 * jitter + 0.2 * w + noise(0.5)))
            else:
                mean = 60.0 + np.exp(4.5 - 0.6 * size + noise(0.2))
                variance = np.where(fresh, 0.0, np.exp(6.0 + 0.3 * w - 0.8 * size + 0.5 * spread + noise(0.5)))
            std = np.sqrt(variance)
            correlated = ~fresh & (rng.random(n) < 0.4)
            covariance = np.where(correlated, std * np.exp(0.7 * spread + noise()), 0.0)
            pcc = np.where(correlated, np.tanh(0.8 * spread + noise()), 0.0)
            by_name = {
                "weight": weight,
                "mean": mean,
                "variance": variance,
                "std": std,
                "magnitude": np.sqrt(2.0) * mean + noise(5.0) ** 2,
                "radius": np.sqrt(2.0 * variance),
                "covariance": covariance,
                "pcc": pcc,
            }
            columns += [by_name[stat] for stat in stats]
    values = np.stack(columns, axis=1)
    values[:, FEATURES.index(CONSTANT_FEATURE)] = 0.0
    return values
