"""The report's figures, drawn with matplotlib (Agg: no display needed) from plain numbers.

Each function returns a ``Figure`` so tests can inspect its axes; ``png_data_uri``
turns one into the ``data:`` URI the HTML embeds, which keeps the report a
single file that opens anywhere, offline.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


def png_data_uri(fig: Figure) -> str:
    """The figure as a base64 PNG ``data:`` URI; the figure is closed (pyplot keeps open ones alive)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def learning_curves(history: dict) -> Figure:
    """Loss and accuracy per epoch (validation dashed, when there was one). Epochs are
    counted from 1 and ticked in whole numbers: a fractional epoch was never measured."""
    metrics = [m for m in ("loss", "accuracy") if m in history]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=False):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], "o-", label="training")
        if "val_" + metric in history:
            ax.plot(epochs, history["val_" + metric], "s--", label="validation")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="epoch", ylabel=metric, title=metric, xlim=(0.5, len(epochs) + 0.5))
        ax.legend()
        ax.grid(alpha=0.3)
    return fig


def confusion_heatmap(normalized: np.ndarray, counts: Sequence[Sequence[int]], class_names: list[str]) -> Figure:
    """The confusion matrix with each true class's row normalised to 1, so a small class's
    errors show as clearly as a large one's; each cell also gives its count."""
    size = max(3.2, 0.55 * len(class_names))
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    image = ax.imshow(normalized, cmap="Blues", vmin=0.0, vmax=1.0)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="fraction of the true class")
    ticks = range(len(class_names))
    ax.set(xticks=ticks, yticks=ticks, xlabel="predicted", ylabel="true")
    ax.set_xticklabels(class_names, rotation=45, ha="right")
    ax.set_yticklabels(class_names)
    small = len(class_names) > 4
    for (i, j), share in np.ndenumerate(normalized):
        label = f"{share:.0%}" if small else f"{share:.1%}\n({counts[i][j]})"
        ax.text(
            j, i, label, ha="center", va="center", fontsize=7 if small else 9, color="white" if share > 0.5 else "black"
        )
    return fig


def precision_recall_curves(curves: dict[str, dict]) -> Figure:
    """One precision-recall curve per class in ``curves`` (``components.metrics.precision_recall``)."""
    fig, ax = plt.subplots(figsize=(4.2, 3.8))
    for name, curve in curves.items():
        ax.plot(curve["recall"], curve["precision"], label=f"{name} (AP {curve['average_precision']:.3f})")
    # A margin round the unit square: a good model's curve runs along its top and right edges.
    ax.set(xlabel="recall", ylabel="precision", xlim=(-0.02, 1.02), ylim=(-0.02, 1.03))
    if len(curves) > 3:  # one curve per class: the legend goes beside the axes, not over the curves
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=7)
    else:
        ax.legend(loc="lower left")
    ax.grid(alpha=0.3)
    return fig


def calibration(curve: dict) -> Figure:
    """The reliability diagram (``components.metrics.reliability``) over a histogram of the
    scores: a well calibrated model follows the diagonal, and the histogram says how many
    rows each part of it rests on."""
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(4.2, 4.8), sharex=True, gridspec_kw={"height_ratios": [3, 1], "hspace": 0.08}
    )
    top.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
    top.plot(curve["mean_score"], curve["observed"], "o-", label=f"model (ECE {curve['ece']:.3f})")
    top.set(ylabel="observed frequency", xlim=(-0.02, 1.02), ylim=(-0.02, 1.03))
    top.legend(loc="upper left", fontsize=8)
    top.grid(alpha=0.3)
    bottom.hist(curve["scores"], bins=20, range=(0, 1), color="tab:blue", alpha=0.7)
    bottom.set(xlabel=curve["score"], ylabel="rows")
    return fig


def roc(curve: dict, auc: float) -> Figure:
    fig, ax = plt.subplots(figsize=(4.2, 3.8))
    ax.plot(curve["fpr"], curve["tpr"], label=f"AUC {auc:.4f}")
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", xlim=(-0.02, 1.02), ylim=(-0.02, 1.03))
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return fig


def example_grid(draw: Callable[[Axes, int], None], rows: Sequence[int], titles: Sequence[str]) -> Figure:
    """Test rows drawn by the study (``draw(ax, row)``), each under its title."""
    cols = min(8, len(rows))
    lines = (len(rows) + cols - 1) // cols
    fig, axes = plt.subplots(lines, cols, figsize=(1.8 * cols, 2.3 * lines), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, row, title in zip(axes.flat, rows, titles, strict=False):
        draw(ax, row)
        ax.set_title(title, fontsize=8)
    return fig


def drift_bars(drift: Sequence[dict], drift_threshold: float, label_threshold: float) -> Figure:
    """Jensen-Shannon distance per feature from the champion's data, in the order given (largest
    first), drifted features in red, with the thresholds drawn."""
    fig, ax = plt.subplots(figsize=(8, 0.25 * len(drift) + 1.2))
    names = [d["feature"] for d in drift][::-1]
    values = [d["js_distance"] for d in drift][::-1]
    colours = ["tab:red" if d["drifted"] else "tab:blue" for d in drift][::-1]
    ax.barh(names, values, color=colours)
    ax.axvline(drift_threshold, color="black", linestyle="--", label="drift_threshold")
    if label_threshold != drift_threshold:
        ax.axvline(label_threshold, color="grey", linestyle=":", label="label_drift_threshold")
    ax.set(xlabel="Jensen-Shannon distance from the champion's data", xlim=(0, max(1e-3, *values) * 1.1))
    ax.legend(loc="lower right")
    return fig
