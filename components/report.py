"""A self-contained HTML evaluation report: plots embedded as PNG, no external files.

People look at curves and heatmaps rather than read numbers, so the report
leads with them; the numbers follow in tables.
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from components import comparison_report  # noqa: E402


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def learning_curves(history: dict) -> str:
    metrics = [m for m in ("loss", "accuracy") if m in history]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=False):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], "o-", label="training")
        if "val_" + metric in history:
            ax.plot(epochs, history["val_" + metric], "s--", label="validation")
        ax.set(xlabel="epoch", ylabel=metric, title=metric)
        ax.legend()
        ax.grid(alpha=0.3)
    return _png(fig)


def confusion_heatmap(matrix: list[list[int]], class_names: list[str]) -> str:
    counts = np.asarray(matrix)
    size = max(3.5, 0.6 * len(class_names))
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(counts, cmap="Blues")
    fig.colorbar(image, ax=ax)
    ax.set(
        xticks=range(len(class_names)),
        yticks=range(len(class_names)),
        xlabel="predicted",
        ylabel="true",
        title="confusion matrix",
    )
    ax.set_xticklabels(class_names, rotation=45, ha="right")
    ax.set_yticklabels(class_names)
    threshold = counts.max() / 2 if counts.size else 0
    for (i, j), value in np.ndenumerate(counts):
        ax.text(j, i, str(value), ha="center", va="center", color="white" if value > threshold else "black")
    return _png(fig)


def roc_plot(curve: dict, auc: float) -> str:
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot(curve["fpr"], curve["tpr"], label=f"AUC {auc:.4f}")
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    ax.legend(loc="lower right")
    return _png(fig)


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def example_grid(draw, table: dict, rows, labels, predicted, class_names: list[str]) -> str:
    """Misclassified test examples, each drawn by the study (``draw(ax, table, row)``)
    and titled with its true and predicted class."""
    rows = list(rows)
    if not rows:
        return "<p>No misclassified test examples.</p>"
    cols = min(8, len(rows))
    fig, axes = plt.subplots(
        (len(rows) + cols - 1) // cols,
        cols,
        figsize=(1.8 * cols, 2.1 * ((len(rows) + cols - 1) // cols)),
        squeeze=False,
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, row in zip(axes.flat, rows, strict=False):
        draw(ax, table, row)
        ax.set_title(f"true {class_names[int(labels[row])]}\npred {class_names[int(predicted[row])]}", fontsize=8)
    return _png(fig)


def render(
    title: str, evaluation: dict, history: dict, facts: dict, examples: str | None = None, data: str | None = None
) -> str:
    """The whole report page for one evaluated model."""
    summary = [
        ["accuracy", f"{evaluation['accuracy']:.4f}"],
        ["loss", f"{evaluation['loss']:.4f}"],
        ["majority-class baseline accuracy", f"{evaluation['majority_baseline_accuracy']:.4f}"],
    ]
    summary += [[f"baseline: {k}", f"{v:.4f}"] for k, v in evaluation.get("baselines", {}).items()]
    summary.append(["macro F1", f"{evaluation['macro_f1']:.4f}"])
    if "roc_auc" in evaluation:
        summary.append(["ROC AUC", f"{evaluation['roc_auc']:.4f}"])
    per_class = [
        [name, f"{m['precision']:.4f}", f"{m['recall']:.4f}", f"{m['f1']:.4f}", m["support"]]
        for name, m in evaluation["per_class"].items()
    ]
    per_class.append(
        [
            "macro avg",
            f"{evaluation['macro_precision']:.4f}",
            f"{evaluation['macro_recall']:.4f}",
            f"{evaluation['macro_f1']:.4f}",
            sum(m["support"] for m in evaluation["per_class"].values()),
        ]
    )
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        _table(["metric", "value"], summary),
        comparison_report.section(evaluation),
        "<h2>Learning curves</h2>",
        learning_curves(history),
        "<h2>Confusion matrix</h2>",
        confusion_heatmap(evaluation["confusion_matrix"], evaluation["class_names"]),
        "<h2>Classification report</h2>",
        _table(["class", "precision", "recall", "F1", "support"], per_class),
    ]
    if examples:
        sections += ["<h2>Misclassified test examples</h2>", examples]
    if "roc_curve" in evaluation:
        sections += ["<h2>ROC curve</h2>", roc_plot(evaluation["roc_curve"], evaluation["roc_auc"])]
    scalars = {k: v for k, v in evaluation.get("extras", {}).items() if isinstance(v, (int, float))}
    if scalars:
        sections += [
            "<h2>Study-specific</h2>",
            _table(["metric", "value"], [[k, f"{v:.4f}"] for k, v in scalars.items()]),
        ]
    if data:
        sections.append(data)  # components.report_data: statistics beside the champion's, drift
    sections += ["<h2>Run</h2>", _table(["fact", "value"], [[k, v] for k, v in facts.items()])]
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body>{''.join(sections)}</body></html>"
    )
