"""The report's side-by-side section: the new model and the champion on the same test rows.

Also the warnings a reader should not miss: a model that loses to a naive
baseline (majority class, TF-IDF) has learnt less than the data gives away,
and a serving model that disagrees with the Keras model it wraps would serve
other predictions than the ones scored.
"""

from __future__ import annotations

import html


def _row(cells: list[str], tag: str = "td") -> str:
    return "<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>"


def baseline_losses(evaluation: dict) -> list[str]:
    """One sentence for every naive baseline that scores above the new model."""
    accuracy = evaluation["accuracy"]
    scores = {"majority class": evaluation["majority_baseline_accuracy"], **evaluation.get("baselines", {})}
    return [
        f"The new model ({accuracy:.4f}) loses to the {name.removesuffix('_accuracy').replace('_', ' ')} "
        f"baseline ({score:.4f})."
        for name, score in scores.items()
        if isinstance(score, (int, float)) and score > accuracy
    ]


def section(evaluation: dict) -> str:
    """HTML: both models' accuracy on this run's test rows, the blessing, and warnings."""
    blessing = evaluation.get("blessing") or {}
    champion = blessing.get("champion")
    rows = [_row(["", "new model", "champion"], "th")]
    if champion:
        theirs = "not scored" if champion["value"] is None else f"{champion['value']:.4f}"
        rows.append(_row(["version", "(this run)", champion["version"]]))
    else:
        theirs = "no champion"
        rows.append(_row(["version", "(this run)", "-"]))
    rows.append(_row(["accuracy on this run's test rows", f"{evaluation['accuracy']:.4f}", theirs]))
    if "serving_accuracy" in evaluation:
        rows.append(_row(["same, through the serving SavedModel", f"{evaluation['serving_accuracy']:.4f}", theirs]))
    parts = ["<h2>New model and champion, same test rows</h2>", f"<table>{''.join(rows)}</table>"]
    if evaluation.get("test_sha256"):
        parts.append(f"<p>Test data sha256 {html.escape(evaluation['test_sha256'])}.</p>")
    if blessing.get("reason"):
        parts.append(f"<p>Blessing: {html.escape(blessing['reason'])}</p>")
    warnings = baseline_losses(evaluation)
    if evaluation.get("serving_agreement", 1.0) < 1.0:
        warnings.append(
            f"The serving model agrees with the Keras model on {evaluation['serving_agreement']:.2%} of the test rows."
        )
    parts += [f'<p class="warning"><strong>Warning:</strong> {html.escape(w)}</p>' for w in warnings]
    return "".join(parts)
