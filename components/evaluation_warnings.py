"""What a reader of an evaluation must not miss, as plain sentences (logged, and shown in the report).

A model that loses to a naive baseline (majority class, TF-IDF) has learnt less
than the data gives away; a serving model that disagrees with the Keras model
it wraps would serve other predictions than the ones scored.
"""

from __future__ import annotations


def evaluation_warnings(evaluation: dict) -> list[str]:
    """One sentence per baseline scoring above the model, and one when the serving model disagrees."""
    accuracy = evaluation["accuracy"]
    scores = {"majority class": evaluation["majority_baseline_accuracy"], **evaluation.get("baselines", {})}
    warnings = [
        f"the model's test accuracy {accuracy:.4f} loses to the "
        f"{name.removesuffix('_accuracy').replace('_', ' ')} baseline ({score:.4f})"
        for name, score in scores.items()
        if isinstance(score, (int, float)) and score > accuracy
    ]
    if evaluation.get("serving_agreement", 1.0) < 1.0:
        warnings.append(
            f"the serving model agrees with the Keras model on {evaluation['serving_agreement']:.2%} of the test rows"
        )
    return warnings
