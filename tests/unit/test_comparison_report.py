"""The report's side-by-side section and its warnings."""

from components.comparison_report import baseline_losses, section

EVALUATION = {
    "accuracy": 0.70,
    "serving_accuracy": 0.70,
    "serving_agreement": 1.0,
    "majority_baseline_accuracy": 0.50,
    "baselines": {"tfidf_logreg_accuracy": 0.85},
    "test_sha256": "cd" * 32,
    "blessing": {
        "reason": "accuracy 0.7000 does not beat the champion v1 (0.8000 ...)",
        "champion": {"version": "v1", "value": 0.80, "test_sha256": "cd" * 32, "problem": ""},
    },
}


def test_a_model_below_a_naive_baseline_is_warned_about_and_not_above_one():
    assert baseline_losses(EVALUATION) == ["The new model (0.7000) loses to the tfidf logreg baseline (0.8500)."]
    assert baseline_losses({**EVALUATION, "baselines": {}}) == []
    assert len(baseline_losses({**EVALUATION, "majority_baseline_accuracy": 0.75})) == 2


def test_both_models_side_by_side_with_the_data_and_the_reason():
    html = section(EVALUATION)
    assert "<td>0.7000</td><td>0.8000</td>" in html and "v1" in html and "cd" * 32 in html
    assert "does not beat the champion" in html and "loses to the tfidf logreg baseline" in html
    champion = {**EVALUATION["blessing"]["champion"], "value": None}
    unscored = {**EVALUATION, "blessing": {"reason": "r", "champion": champion}}
    assert "not scored" in section(unscored)
    assert "no champion" in section({**EVALUATION, "blessing": {"reason": "r", "champion": None}})
    assert "agrees with the Keras model on 99.00%" in section({**EVALUATION, "serving_agreement": 0.99})
