"""A schema: what the champion's training data looked like, as expectations a new run's data must meet.

Inferred from statistics (``components.statistics``) the way TFDV's
``infer_schema`` does it from its statistics: the labels seen, every column's
dtype and per-row shape (an image of another size is an anomaly), each numeric
feature's observed range and whether it had missing values, and for text
studies the vocabulary the model was fitted with. The schema is registered
with the model, so the next run validates against the champion's; its tolerances may be
edited in the registered file, like a curated TFDV schema.

``validate`` compares a run's statistics, with histograms binned on the
champion's edges (so values outside the schema's range are counted), with a
schema and lists the anomalies by feature.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

FORMAT = "kfp-studies/schema/1"
# Share of a feature's values allowed outside the champion's range before it is an
# anomaly: a new extreme now and then is normal, a shifted feature is not.
OUT_OF_RANGE_TOLERANCE = 0.01
# Extra share of missing values allowed over what the training data had.
MISSING_TOLERANCE = 0.01


@dataclass(frozen=True)
class Anomaly:
    feature: str
    kind: str
    detail: str
    severity: float  # 0..1 (or more): how far off, to name the worst first

    def as_dict(self) -> dict:
        return asdict(self)


def infer(stats: dict, vocabulary: list | None = None) -> dict:
    """The schema of the data ``stats`` describe."""
    records = max(1, stats["records"])
    schema: dict[str, Any] = {
        "format": FORMAT,
        "labels": sorted(stats["labels"], key=int),
        "columns": stats["columns"],
        "out_of_range_tolerance": OUT_OF_RANGE_TOLERANCE,
        "missing_tolerance": MISSING_TOLERANCE,
        "features": {
            name: {"min": f["min"], "max": f["max"], "missing_share": f["missing"] / max(1, f["count"] + f["missing"])}
            for name, f in stats["numeric"].items()
        },
        "records_seen": records,
    }
    if vocabulary:
        schema["vocabulary"] = list(vocabulary)
    return schema


def validate(stats: dict, schema: dict) -> list[Anomaly]:
    """Anomalies of ``stats`` (binned on the schema's ranges) against ``schema``, worst first."""
    found = _columns(stats["columns"], schema.get("columns", {})) + _labels(stats["labels"], schema["labels"])
    tolerance = float(schema.get("out_of_range_tolerance", OUT_OF_RANGE_TOLERANCE))
    missing_tolerance = float(schema.get("missing_tolerance", MISSING_TOLERANCE))
    for name, expected in schema.get("features", {}).items():
        feature = stats["numeric"].get(name)
        if feature is None:
            found.append(Anomaly(name, "feature missing", "the schema's feature is not in this data", 1.0))
            continue
        total = feature["count"] + feature["missing"]
        missing = feature["missing"] / max(1, total)
        if missing > expected["missing_share"] + missing_tolerance:
            found.append(
                Anomaly(
                    name,
                    "missing values",
                    f"{missing:.1%} missing; the schema allows {expected['missing_share']:.1%}",
                    missing,
                )
            )
        found += _range(name, feature, expected, tolerance)
    for name in sorted(set(stats["numeric"]) - set(schema.get("features", {}))):
        found.append(Anomaly(name, "new feature", "not in the schema", 1.0))
    return sorted(found, key=lambda a: -a.severity)


def _columns(columns: dict, expected: dict) -> list[Anomaly]:
    found = []
    for name, facts in expected.items():
        have = columns.get(name)
        if have is None:
            found.append(Anomaly(name, "column missing", f"expected {facts['dtype']} {facts['shape']}", 1.0))
        elif have != facts:
            found.append(
                Anomaly(
                    name,
                    "column type",
                    f"{have['dtype']} of shape {have['shape']}; expected {facts['dtype']} of {facts['shape']}",
                    1.0,
                )
            )
    found += [Anomaly(n, "new column", "not in the schema", 1.0) for n in sorted(set(columns) - set(expected))]
    return found


def _labels(counts: dict, expected: list) -> list[Anomaly]:
    total = max(1, sum(counts.values()))
    found = [
        Anomaly("label", "unexpected label", f"label {k} ({counts[k]} records) is not in the schema", counts[k] / total)
        for k in sorted(set(counts) - set(expected), key=int)
    ]
    found += [
        Anomaly("label", "label vanished", f"no records of label {k}, which the schema expects", 1.0)
        for k in expected
        if not counts.get(k)
    ]
    return found


def _range(name: str, feature: dict, expected: dict, tolerance: float) -> list[Anomaly]:
    """Values outside the schema's range: the outer bins of a histogram binned on the
    champion's edges, which span exactly the range the schema recorded."""
    counts = feature["histogram"]["counts"]
    if expected["min"] is None or not feature["count"]:
        return []
    share = (counts[0] + counts[-1]) / feature["count"]
    if share <= tolerance:
        return []
    return [
        Anomaly(
            name,
            "out of range",
            f"{share:.1%} of values outside [{expected['min']:.4g}, {expected['max']:.4g}] "
            f"(this data: [{feature['min']:.4g}, {feature['max']:.4g}])",
            share,
        )
    ]
