"""Dataset statistics, accumulated batch by batch so they never copy the data.

A study says which numeric features its raw table has through the recipe hook
``profile`` (a list of :class:`NumericColumns`: names plus a re-iterable
source of ``(rows, k)`` batches); this module turns them into counts,
missing values, range, mean, std and a histogram. Everything else is generic:
record and label counts, the columns' dtypes and shapes (the image size
checks come from there), and the number of groups (digits: writers).

Two passes over the batches: the first finds each feature's range, mean and
std (merged per batch with Chan's formula, so a million rows never sit in
float64 at once); the second counts the histogram on edges from that range,
or on a *reference*'s edges when comparing with the champion's data, so both
histograms share bins and drift can be measured bin by bin. Extra memory is
one batch, whatever the data's size.

The JSON layout (``statistics.json``) is documented in docs/data-validation.md.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from components import tables
from components.tables import AnyTable, Column, Ragged, Shards, Table
from components.vocabulary import Corpus

BINS = 20
# Values per batch: 4M float64 values are 32 MB, whatever the feature count.
BATCH_VALUES = 1 << 22
FORMAT = "kfp-studies/statistics/1"


@dataclass(frozen=True)
class NumericColumns:
    """Numeric features read together: ``batches()`` yields ``(rows, len(names))``
    arrays, a fresh iterator per call (statistics take two passes)."""

    names: tuple[str, ...]
    batches: Callable[[], Iterable[np.ndarray]]


def row_chunks(n: int, values_per_row: int) -> Iterator[slice]:
    """Consecutive row slices of about :data:`BATCH_VALUES` values each."""
    step = max(1, BATCH_VALUES // max(1, values_per_row))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def matrix_columns(prefix: str, array: np.ndarray) -> NumericColumns:
    """Each column of a 2-D array (mirai's features) as feature ``<prefix><index>``."""
    width = array.shape[1]
    names = tuple(f"{prefix}{i:03d}" for i in range(width))
    return NumericColumns(names, lambda: (array[s] for s in row_chunks(len(array), width)))


def image_channels(images: np.ndarray, channels: tuple[str, ...]) -> NumericColumns:
    """Pixel values per channel of ``(n, h, w, c)`` images: per-channel mean, std and histogram."""
    per_image = int(np.prod(images.shape[1:]))
    return NumericColumns(
        channels,
        lambda: (images[s].reshape(-1, images.shape[-1]) for s in row_chunks(len(images), per_image)),
    )


def ragged_lengths(name: str, column: Ragged) -> NumericColumns:
    """Values per row of a ragged column (tokens per review, points per trajectory)."""
    lengths = column.row_splits
    return NumericColumns(
        (name,),
        lambda: (np.diff(lengths[s.start : s.stop + 1])[:, None] for s in row_chunks(len(column), 1)),
    )


_WHITESPACE = np.zeros(256, bool)
_WHITESPACE[[9, 10, 11, 12, 13, 32]] = True


def text_lengths(column: Ragged) -> NumericColumns:
    """``bytes`` and ``words`` (whitespace-separated runs) per row of a UTF-8 text column,
    counted on the bytes in chunks of rows (no string is decoded), once: the per-row
    counts are small (two numbers a row) and serve both passes."""
    counted: list[np.ndarray] = []

    def batches() -> Iterator[np.ndarray]:
        if not counted:
            counted.append(np.concatenate([*_count_words(column)]) if len(column) else np.zeros((0, 2), np.int64))
        yield counted[0]

    return NumericColumns(("bytes", "words"), batches)


def _count_words(column: Ragged) -> Iterator[np.ndarray]:
    splits, rows, start = column.row_splits, len(column), 0
    while start < rows:
        # Rows until about BATCH_VALUES bytes (at least one row).
        stop = int(np.searchsorted(splits, splits[start] + BATCH_VALUES, side="right")) - 1
        stop = min(rows, max(stop, start + 1))
        offsets = splits[start : stop + 1] - splits[start]
        space = np.take(_WHITESPACE, column.values[splits[start] : splits[stop]])
        begins = ~space
        begins[1:] &= space[:-1]  # a word begins after a space, or at its row's first byte
        firsts = offsets[:-1][offsets[:-1] < len(space)]
        begins[firsts] = ~space[firsts]
        # Words per row: how many word starts fall between the row's offsets.
        before = np.searchsorted(np.flatnonzero(begins), offsets)
        yield np.stack([np.diff(offsets), np.diff(before)], axis=1)
        start = stop


def out_of_vocabulary_rate(corpus: Corpus, vocabulary: Iterable) -> float:
    """Share of token occurrences in ``corpus`` that ``vocabulary`` does not hold."""
    known = set(vocabulary)
    inside = np.fromiter((t in known for t in corpus.lexicon), bool, len(corpus.lexicon))
    total = len(corpus.tokens.values)
    return float(1.0 - inside[corpus.tokens.values].sum() / total) if total else 0.0


def compute_stored(
    stored: AnyTable, profile: Callable[[Table], list[NumericColumns]], reference: dict | None = None
) -> dict:
    """:func:`compute` of a table in memory, or of a sharded one a shard at a time: each
    feature's batches run over the shards in turn, so memory holds one shard."""
    if not isinstance(stored, Shards):
        return compute(stored, profile(stored), reference)
    first = next(iter(stored))

    def chained(index: int) -> Callable[[], Iterator[np.ndarray]]:
        return lambda: (batch for shard in stored for batch in profile(shard)[index].batches())

    features = [NumericColumns(f.names, chained(i)) for i, f in enumerate(profile(first))]
    return compute(stored, features, reference, columns=first)


def compute(
    table: Mapping[str, Column] | Shards,
    features: list[NumericColumns],
    reference: dict | None = None,
    columns: Mapping[str, Column] | None = None,
) -> dict:
    """The statistics of ``table``; histograms on ``reference``'s edges where it has the feature.
    ``columns``: a table whose columns' dtypes and shapes stand for ``table``'s (a sharded table's first shard)."""
    labels, counts = np.unique(tables.array(table, "label"), return_counts=True)
    described = columns if columns is not None else table
    assert not isinstance(described, Shards)
    stats: dict[str, Any] = {
        "format": FORMAT,
        "records": tables.num_rows(table),
        "columns": {name: _column_facts(col) for name, col in sorted(described.items())},
        "labels": {str(int(k)): int(v) for k, v in zip(labels, counts, strict=True)},
        "numeric": {},
    }
    group = tables.optional_array(table, "group")
    if group is not None:
        stats["groups"] = len(np.unique(group))
    ref_numeric = (reference or {}).get("numeric", {})
    for feature in features:
        moments = _moments(feature)
        edges = [_edges(ref_numeric.get(n), m) for n, m in zip(feature.names, moments, strict=True)]
        histograms = _histograms(feature, edges)
        for name, m, e, h in zip(feature.names, moments, edges, histograms, strict=True):
            stats["numeric"][name] = {**m, "histogram": {"edges": e.tolist(), "counts": h.tolist()}}
    return stats


def _column_facts(column: Column) -> dict:
    if isinstance(column, Ragged):
        return {"dtype": str(column.values.dtype), "shape": [None, *column.values.shape[1:]]}
    return {"dtype": str(column.dtype), "shape": list(column.shape[1:])}


def _moments(feature: NumericColumns) -> list[dict]:
    """count, missing, min, max, mean and std per column, merged over the batches."""
    k = len(feature.names)
    n, missing = np.zeros(k), np.zeros(k)
    low, high = np.full(k, np.inf), np.full(k, -np.inf)
    mean, m2 = np.zeros(k), np.zeros(k)
    for batch in feature.batches():
        x = np.asarray(batch, np.float64).reshape(len(batch), k)
        finite = np.isfinite(x)
        if finite.all():  # the usual case, in fewer passes over the batch
            count = np.full(k, len(x))
            low, high = np.minimum(low, x.min(axis=0)), np.maximum(high, x.max(axis=0))
            b_mean = x.mean(axis=0)
            b_m2 = ((x - b_mean) ** 2).sum(axis=0)
        else:
            count = finite.sum(axis=0)
            missing += len(x) - count
            if not count.any():
                continue
            low = np.minimum(low, np.where(finite, x, np.inf).min(axis=0))
            high = np.maximum(high, np.where(finite, x, -np.inf).max(axis=0))
            b_mean = np.where(finite, x, 0.0).sum(axis=0) / np.maximum(count, 1)
            b_m2 = (np.where(finite, x - b_mean, 0.0) ** 2).sum(axis=0)
        total = n + count
        delta = b_mean - mean
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(total > 0, mean + delta * count / total, 0.0)
            m2 = np.where(total > 0, m2 + b_m2 + delta**2 * n * count / total, 0.0)
        n = total
    out = []
    for i in range(k):
        seen = n[i] > 0
        out.append(
            {
                "count": int(n[i]),
                "missing": int(missing[i]),
                "min": float(low[i]) if seen else None,
                "max": float(high[i]) if seen else None,
                "mean": float(mean[i]) if seen else None,
                "std": float(math.sqrt(m2[i] / n[i])) if seen else None,
            }
        )
    return out


def _edges(reference: dict | None, moments: dict) -> np.ndarray:
    """The reference's edges when it has this feature, else BINS equal bins over the range."""
    if reference and reference.get("histogram", {}).get("edges"):
        return np.asarray(reference["histogram"]["edges"], np.float64)
    if moments["min"] is None:
        return np.zeros(BINS + 1)
    return np.linspace(moments["min"], moments["max"], BINS + 1)


def _histograms(feature: NumericColumns, edges: list[np.ndarray]) -> list[np.ndarray]:
    """Counts per column in ``len(edges) + 1`` bins: below the first edge, each
    inner bin (the last one closed), above the last edge. Missing values are not counted."""
    counts = [np.zeros(len(e) + 1, np.int64) for e in edges]
    for batch in feature.batches():
        # One column after another: transposed once, so each column is contiguous.
        columns = np.ascontiguousarray(np.asarray(batch).reshape(len(batch), len(edges)).T)
        all_finite = bool(np.isfinite(columns).all())
        for i, e in enumerate(edges):
            column = columns[i] if all_finite else columns[i][np.isfinite(columns[i])]
            index = np.searchsorted(e, column, side="right")
            index[column == e[-1]] = len(e) - 1
            counts[i] += np.bincount(index, minlength=len(e) + 1)
    return counts


def summary(stats: dict, most: int = 12) -> dict:
    """A compact view for an artifact's metadata (the KFP UI lists it): counts and, for
    the first ``most`` features, mean, std and range."""
    numeric = stats.get("numeric", {})
    short = {
        name: {k: _round(v[k]) for k in ("mean", "std", "min", "max", "missing")}
        for name, v in list(numeric.items())[:most]
    }
    return {
        "records": stats["records"],
        "labels": stats["labels"],
        "numeric_features": len(numeric),
        "numeric": short,
        **({"groups": stats["groups"]} if "groups" in stats else {}),
    }


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def save(path: str, stats: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=1, sort_keys=True)


def text_profile(table: Mapping[str, Column]) -> NumericColumns:
    """Review lengths: bytes and words of a ``text`` column, or tokens of Keras' word-id ``tokens``."""
    if "text" in table:
        return text_lengths(tables.ragged(table, "text"))
    return ragged_lengths("tokens", tables.ragged(table, "tokens"))
