"""What an evaluation warns about, and the champion beside the new model in the report."""

from components import report
from components.blessing import ChampionScore
from components.evaluation_warnings import evaluation_warnings
from components.report_data import champion_scores

EVALUATION = {
    "accuracy": 0.70,
    "serving_accuracy": 0.70,
    "serving_agreement": 1.0,
    "majority_baseline_accuracy": 0.50,
    "baselines": {"tfidf_logreg_accuracy": 0.85},
    "test_sha256": "cd" * 32,
}


def test_a_model_below_a_naive_baseline_is_warned_about_and_not_above_one():
    assert evaluation_warnings(EVALUATION) == [
        "the model's test accuracy 0.7000 loses to the tfidf logreg baseline (0.8500)"
    ]
    assert evaluation_warnings({**EVALUATION, "baselines": {}}) == []
    assert len(evaluation_warnings({**EVALUATION, "majority_baseline_accuracy": 0.75})) == 2
    disagreeing = evaluation_warnings({**EVALUATION, "baselines": {}, "serving_agreement": 0.99})
    assert disagreeing == ["the serving model agrees with the Keras model on 99.00% of the test rows"]


def test_the_champion_is_shown_with_its_score_on_this_runs_rows_or_why_it_has_none():
    scored = champion_scores(ChampionScore("v1", 0.80, "cd" * 32), EVALUATION)
    html = report.champion_comparison(scored, EVALUATION)
    assert "champion v1" in html and "0.8000" in html and "-0.1000" in html
    assert "its serving model on this run&#x27;s test rows (sha256 cdcdcdcdcdcd" in html
    unscored = champion_scores(ChampionScore("v1", None, "cd" * 32, "card sha256 mismatch"), EVALUATION)
    assert "could not be scored: card sha256 mismatch" in report.champion_comparison(unscored, EVALUATION)
    assert champion_scores(None, EVALUATION) is None
    assert "no champion" in report.champion_comparison(None, EVALUATION)
