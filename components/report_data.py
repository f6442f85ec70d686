"""The report's data section: this run's statistics beside the champion's, and drift per feature.

Separate from ``components.report`` (which lays out the whole page and only
places this section) so the data check's presentation changes in one place.
"""

from __future__ import annotations

import html

import matplotlib.pyplot as plt

from components.data_validation import verdict
from components.report import _png, _table

# Features shown side by side (the drift plot shows them all, largest first, up to PLOTTED).
TABLED = 20
PLOTTED = 40
ANOMALY_COLUMNS = ("feature", "kind", "detail")


def section(checks: dict) -> str:
    """HTML for the data section of ``checks`` (``components.data_validation.run_checks``)."""
    parts = ["<h2>Data</h2>", f"<p>{html.escape(verdict(checks))}</p>"]
    parts += [f"<p>warning: {html.escape(w)}</p>" for w in checks["warnings"]]
    mine, theirs = checks["statistics"], checks.get("champion_statistics")
    parts.append(_table(["", "this run", "champion's data" if theirs else ""], _overview(mine, theirs)))
    if "out_of_vocabulary" in checks:
        parts.append(
            f"<p>Out-of-vocabulary rate against the champion's vocabulary: "
            f"{checks['out_of_vocabulary']['this_data']:.2%}</p>"
        )
    if checks["anomalies"]:
        parts += [
            "<h3>Schema anomalies</h3>",
            _table(
                ["feature", "kind", "detail"],
                [[a[k] for k in ("feature", "kind", "detail")] for a in checks["anomalies"]],
            ),
        ]
    if checks["drift"]:
        parts += ["<h3>Drift from the champion's data</h3>", drift_plot(checks["drift"], checks["policy"])]
    parts += ["<h3>Features</h3>", _table(*_features(mine, theirs))]
    return "".join(parts)


def _overview(mine: dict, theirs: dict | None) -> list[list]:
    rows = [["records", mine["records"], theirs["records"] if theirs else ""]]
    rows.append(["labels", mine["labels"], theirs["labels"] if theirs else ""])
    if "groups" in mine:
        rows.append(["groups", mine["groups"], theirs.get("groups", "") if theirs else ""])
    if "out_of_vocabulary_rate" in mine:
        rows.append(
            [
                "out-of-vocabulary rate (own vocabulary)",
                f"{mine['out_of_vocabulary_rate']:.2%}",
                f"{theirs['out_of_vocabulary_rate']:.2%}" if theirs and "out_of_vocabulary_rate" in theirs else "",
            ]
        )
    return rows


def _features(mine: dict, theirs: dict | None) -> tuple[list[str], list[list]]:
    header = ["feature", "mean", "std", "min", "max", "missing"]
    if theirs:
        header += ["champion mean", "champion std", "champion min", "champion max"]
    rows = []
    for name, f in list(mine["numeric"].items())[:TABLED]:
        row = [name, *(_fmt(f[k]) for k in ("mean", "std", "min", "max")), f["missing"]]
        other = (theirs or {}).get("numeric", {}).get(name)
        if theirs:
            row += [_fmt(other[k]) if other else "" for k in ("mean", "std", "min", "max")]
        rows.append(row)
    return header, rows


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def drift_plot(drift: list[dict], policy: dict) -> str:
    """Jensen-Shannon distance per feature (largest first), with the thresholds drawn."""
    shown = drift[:PLOTTED]
    fig, ax = plt.subplots(figsize=(8, 0.25 * len(shown) + 1.2))
    names = [d["feature"] for d in shown][::-1]
    values = [d["js_distance"] for d in shown][::-1]
    colours = ["tab:red" if d["drifted"] else "tab:blue" for d in shown][::-1]
    ax.barh(names, values, color=colours)
    ax.axvline(policy["drift_threshold"], color="black", linestyle="--", label="drift_threshold")
    if policy["label_drift_threshold"] != policy["drift_threshold"]:
        ax.axvline(policy["label_drift_threshold"], color="grey", linestyle=":", label="label_drift_threshold")
    ax.set(xlabel="Jensen-Shannon distance from the champion's data", xlim=(0, max(1e-3, *values) * 1.1))
    ax.legend(loc="lower right")
    return _png(fig)
