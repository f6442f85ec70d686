"""The evaluation report: one self-contained HTML page per evaluated model.

It answers, in this order, what an engineer asks of a run: was the model
registered and why; how it compares with the champion and the baselines; how
it scores, in curves before tables; which examples it gets wrong; how the
variants compared in cross-validation; and what data, parameters and code
produced it. Numbers come from ``components.report_data``, figures from
``components.report_figures`` and the markup from ``components.report_html``;
this module only decides what goes where.
"""

from __future__ import annotations

import os

from matplotlib.figure import Figure

from components import report_figures as figures
from components import report_html as h
from components.evaluation_warnings import evaluation_warnings
from components.report_data import Example, ReportData
from components.report_data_checks import data_check_section
from components.steps.cross_validate import ranked

REPORT_FILE = "report.html"
SPLITS = ("train", "validation", "test")
PROVENANCE = ("source", "source_bytes", "source_sha256", "records", "dataset_sha256")  # shown first, in this order
SCALARS = (
    ("accuracy", "accuracy"),
    ("loss", "loss"),
    ("macro_f1", "macro F1"),
    ("roc_auc", "ROC AUC"),
    ("majority_baseline_accuracy", "majority-class baseline accuracy"),
)


def render(data: ReportData) -> str:
    """The whole page."""
    e = data.evaluation
    sections = [
        decision(data.blessing),
        *baseline_warnings(e),
        h.section("Against the champion", champion_comparison(data.champion, e)),
        h.section("Test scores", h.table(["metric", "value"], _scalars(e))),
        h.section("Learning curves", _embed(figures.learning_curves(data.history), "learning curves")),
        h.section("Errors and confidence", _score_figures(data)),
        h.section("Per class", _per_class(e)),
        h.section("Misclassified test examples", misclassified(data)),
        h.section("Cross-validation", cross_validation(data.cross_validation, data.run.get("variant"))),
        h.section("Data", data_summary(data.data, e["class_names"])),
        *([h.section("Data check", data_check_section(data.data_checks))] if data.data_checks else []),
        h.section("Parameters", h.pairs(data.params) if data.params else "<p>not recorded</p>"),
        h.section("Run", h.pairs(data.run)),
    ]
    extras = {k: v for k, v in e.get("extras", {}).items() if isinstance(v, (int, float))}
    if extras:
        sections.append(h.section("Study-specific", h.table(["metric", "value"], extras.items())))
    subtitle = " · ".join(str(data.run[k]) for k in ("study", "variant", "evaluated") if k in data.run)
    return h.page(data.title, subtitle, sections)


def save(page: str, artifact_path: str) -> str:
    """Write the page to the KFP HTML artifact (which the KFP UI shows) and, beside it, as
    ``report.html``, a name a browser opens as a page; returns the latter's path."""
    path = html_path(artifact_path)
    for target in (artifact_path, path):
        with open(target, "w", encoding="utf-8") as f:
            f.write(page)
    return path


def html_path(artifact_path: str) -> str:
    """Where :func:`save` writes ``report.html`` for the HTML artifact at ``artifact_path``."""
    return os.path.join(os.path.dirname(artifact_path), REPORT_FILE)


def decision(blessing: dict) -> str:
    """The blessing verdict and its reason first, then whatever other fields it has."""
    if not blessing:
        return h.verdict("No blessing decision was recorded.", "warn")
    reason = h.text(blessing.get("reason", "no reason given"))
    if blessing.get("register") and not blessing.get("blessed", True):
        box = h.verdict(f"<b>Registered by force</b>, not blessed: {reason}", "warn")
    elif blessing.get("register", blessing.get("blessed")):
        box = h.verdict(f"<b>Blessed</b>: this model is registered. {reason}", "good")
    else:
        box = h.verdict(f"<b>Not blessed</b>: this model is not registered. {reason}", "bad")
    others = " · ".join(f"{h.text(k)}: {h.text(h.plain(v))}" for k, v in blessing.items() if k != "reason")
    return box + (f"<p class='muted'>{others}</p>" if others else "")


def baseline_warnings(evaluation: dict) -> list[str]:
    """A warning box for each thing :func:`components.evaluation_warnings.evaluation_warnings` finds."""
    return [h.verdict(f"<b>Warning</b>: {h.text(w)}.", "warn") for w in evaluation_warnings(evaluation)]


def champion_comparison(champion: dict | None, evaluation: dict) -> str:
    """This model beside the registry's champion, metric by metric.

    ``champion`` is what evaluate compared against: a dict with the champion's
    ``version`` and its ``metrics``, or None when the registry has no champion.
    Its metrics are shown as given; the ``source`` field, when present, says
    where they were measured (its card, or this run's test rows)."""
    if not champion:
        return "<p>The registry has no champion for this study yet.</p>"
    theirs = champion.get("metrics", {})
    shared = [(key, label) for key, label in SCALARS if key in theirs and key in evaluation]
    version = f"champion {champion.get('version', '?')}"
    rows = [
        [label, evaluation[key], float(theirs[key]), float(evaluation[key]) - float(theirs[key])]
        for key, label in shared
    ]
    note = f"<p class='muted'>Champion scores: {h.text(champion['source'])}.</p>" if "source" in champion else ""
    return h.table(["metric", "this model", version, "difference"], rows) + note


def cross_validation(comparison: dict, chosen: str | None) -> str:
    """The variants' fold scores, best first (``compare_variants``' summary)."""
    if "summary" not in comparison:
        return f"<p>{h.text(comparison.get('skipped', 'Cross-validation was not recorded.'))}</p>"
    rows = [
        [
            f"{variant} (trained)" if variant == chosen else variant,
            f"{s['mean_accuracy']:.2%} ± {s['std_accuracy']:.2%}",
            ", ".join(f"{f['accuracy']:.2%}" for f in s["folds"]),
            f"{s['seconds_per_epoch']:.2f}",
        ]
        for variant, s in ranked(comparison["summary"])
    ]
    return h.table(["variant", "CV accuracy (mean ± std)", "folds", "s/epoch"], rows)


def data_summary(data: dict, class_names: list[str]) -> str:
    """Where the data came from (ingest) and how it was split, with each split's class balance (preprocess).
    Ingest's statistics are left to the data check section, which sets them beside the champion's."""
    if not data:
        return "<p>not recorded</p>"
    first = [k for k in PROVENANCE if k in data]
    provenance = {
        k: data[k] for k in [*first, *sorted(set(data) - set(first) - {"splits", "label_counts", "statistics"})]
    }
    rows = []
    splits = data.get("splits", {})  # KFP metadata does not keep the order: train, validation, test
    for name in [*(n for n in SPLITS if n in splits), *sorted(set(splits) - set(SPLITS))]:
        split = splits[name]
        counts = [int(split.get("label_counts", {}).get(str(k), 0)) for k in range(len(class_names))]
        total = sum(counts) or 1
        share = "{:.1%}" if len(class_names) <= 4 else "{:.0%}"  # ten classes must fit the page's width
        rows.append([name, int(split.get("rows", 0))] + [f"{n} ({share.format(n / total)})" for n in counts])
    balance = h.table(["split", "rows", *class_names], rows) if rows else ""
    return h.pairs(provenance) + balance


def misclassified(data: ReportData) -> str:
    examples = data.examples
    if not examples:
        return "<p>No misclassified test examples.</p>"
    matrix = data.evaluation["confusion_matrix"]
    wrong = sum(map(sum, matrix)) - sum(matrix[k][k] for k in range(len(matrix)))
    shown = f"All {wrong}" if wrong == len(examples) else f"A seeded sample of {len(examples)} of the {wrong}"
    intro = (
        f"<p class='muted'>{shown} misclassified test rows, most confident first; "
        "confidence is the model's probability for the class it predicted.</p>"
    )
    if data.draw_example is not None:
        grid = figures.example_grid(data.draw_example, [x.row for x in examples], [_title(x) for x in examples])
        return intro + _embed(grid, "misclassified test examples")
    rows = [[x.row, x.true, x.predicted, f"{x.confidence:.1%}"] for x in examples]
    if all(x.text is None for x in examples):  # a study with neither text nor drawings (mirai): classes only
        return intro + h.table(["test row", "true", "predicted", "confidence"], rows)
    rows = [[*r, x.text or ""] for r, x in zip(rows, examples, strict=True)]
    return intro + h.table(["test row", "true", "predicted", "confidence", "text"], rows, css="reviews")


def _embed(fig: Figure, alt: str, caption: str = "") -> str:
    return h.figure(figures.png_data_uri(fig), alt, caption)


def _title(x: Example) -> str:
    return f"true {x.true}\npred {x.predicted} ({x.confidence:.0%})"


def _scalars(e: dict) -> list[list]:
    rows: list[list] = [[label, e[key]] for key, label in SCALARS if key in e]
    rows += [[f"baseline: {k}", v] for k, v in e.get("baselines", {}).items()]
    return rows


def _score_figures(data: ReportData) -> str:
    e, c = data.evaluation, data.curves
    parts = [
        _embed(
            figures.confusion_heatmap(c.normalized_confusion, e["confusion_matrix"], e["class_names"]),
            "normalised confusion matrix",
            "Confusion matrix, each true class's row normalised to 1.",
        ),
        _embed(
            figures.precision_recall_curves(c.precision_recall),
            "precision-recall curves",
            "Precision against recall as the decision threshold moves (AP: average precision).",
        ),
        _embed(
            figures.calibration(c.reliability),
            "calibration plot",
            "Calibration: predicted probability against observed frequency, in ten bins "
            "(ECE: expected calibration error); below, how the scores spread.",
        ),
    ]
    if "roc_curve" in e:
        parts.append(_embed(figures.roc(e["roc_curve"], e["roc_auc"]), "ROC curve", "ROC curve."))
    return h.row(*parts)


def _per_class(e: dict) -> str:
    rows = [[name, m["precision"], m["recall"], m["f1"], m["support"]] for name, m in e["per_class"].items()]
    support = sum(m["support"] for m in e["per_class"].values())
    rows.append(["macro average", e["macro_precision"], e["macro_recall"], e["macro_f1"], support])
    return h.table(["class", "precision", "recall", "F1", "support"], rows)
