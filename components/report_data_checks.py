"""The report's data check section: this run's statistics beside the champion's, and drift per feature.

Separate from ``components.report`` (which lays out the whole page and only
places this section) so the data check's presentation changes in one place.
"""

from __future__ import annotations

from components import report_html as h
from components.data_validation import verdict
from components.report_figures import drift_bars, png_data_uri

# Features shown side by side (the drift plot shows them all, largest first, up to PLOTTED).
TABLED = 20
PLOTTED = 40
ANOMALY_COLUMNS = ("feature", "kind", "detail")


def data_check_section(checks: dict) -> str:
    """HTML for the data check of ``checks`` (``components.data_validation.run_checks``)."""
    parts = [f"<p>{h.text(verdict(checks))}</p>"]
    parts += [f"<p>warning: {h.text(w)}</p>" for w in checks["warnings"]]
    mine, theirs = checks["statistics"], checks.get("champion_statistics")
    parts.append(h.table(["", "this run", "champion's data" if theirs else ""], _overview(mine, theirs)))
    if "out_of_vocabulary" in checks:
        parts.append(
            f"<p>Out-of-vocabulary rate against the champion's vocabulary: "
            f"{checks['out_of_vocabulary']['this_data']:.2%}</p>"
        )
    if checks["anomalies"]:
        parts += [
            "<h3>Schema anomalies</h3>",
            h.table(ANOMALY_COLUMNS, [[a[k] for k in ANOMALY_COLUMNS] for a in checks["anomalies"]]),
        ]
    if checks["drift"]:
        parts += ["<h3>Drift from the champion's data</h3>", drift_plot(checks["drift"], checks["policy"])]
    parts += ["<h3>Features</h3>", h.table(*_features(mine, theirs))]
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
    """Jensen-Shannon distance per feature (largest first, at most ``PLOTTED``), with the thresholds drawn."""
    figure = drift_bars(drift[:PLOTTED], policy["drift_threshold"], policy["label_drift_threshold"])
    return h.figure(png_data_uri(figure), "drift per feature")
