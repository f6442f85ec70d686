from dataclasses import replace
from html.parser import HTMLParser

import numpy as np
import pytest

from components import metrics, report, report_data, report_figures
from components.report_data import ReportData
from components.steps.cross_validate import FoldScore, summarize

HOSTILE = '<script>alert("x")</script> <img src="http://evil.example/a.png"> & "quoted"'


def test_misclassified_rows_are_really_misclassified():
    labels = np.array([0, 1, 2, 1, 0, 2])
    predicted = np.array([0, 2, 2, 0, 0, 1])
    rows = report_data.misclassified_rows(labels, predicted, most=16)
    assert rows.tolist() == [1, 3, 5]
    assert len(report_data.misclassified_rows(labels, predicted, most=2)) == 2
    assert report_data.misclassified_rows(labels, labels, most=16).size == 0


def test_normalized_confusion_rows_sum_to_one_and_an_absent_class_stays_zero():
    normalized = metrics.normalized_confusion([[3, 1, 0], [2, 2, 4], [0, 0, 0]])
    np.testing.assert_allclose(normalized.sum(axis=1), [1.0, 1.0, 0.0])
    np.testing.assert_allclose(normalized[0], [0.75, 0.25, 0.0])
    np.testing.assert_allclose(normalized[1], [0.25, 0.25, 0.5])


def test_reliability_bins_scores_against_observed_frequency():
    # Sigmoid outputs: two rows near 0.1 (one positive), two near 0.9 (both positive).
    proba = np.array([[0.12], [0.14], [0.86], [0.94]])
    curve = metrics.reliability(np.array([0, 1, 1, 1]), proba, bins=10)
    np.testing.assert_allclose(curve["mean_score"], [0.13, 0.86, 0.94])
    np.testing.assert_allclose(curve["observed"], [0.5, 1.0, 1.0])
    assert curve["rows"] == [2, 1, 1]
    np.testing.assert_allclose(curve["ece"], (2 * 0.37 + 0.14 + 0.06) / 4)
    # Softmax rows: top-label confidence against accuracy.
    multi = metrics.reliability(np.array([0, 2]), np.array([[0.7, 0.2, 0.1], [0.6, 0.3, 0.1]]), bins=10)
    np.testing.assert_allclose(multi["mean_score"], [0.6, 0.7])
    assert multi["observed"] == [0.0, 1.0]


def test_precision_recall_for_the_positive_class_or_each_class():
    binary = metrics.precision_recall(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]), ["neg", "pos"])
    assert list(binary) == ["pos"]
    assert binary["pos"]["average_precision"] == pytest.approx((1 + 2 / 3) / 2)
    three = metrics.precision_recall(np.array([0, 1, 1]), np.eye(3)[[0, 1, 1]], ["a", "b", "c"])
    assert list(three) == ["a", "b"] and three["a"]["average_precision"] == 1.0  # "c" has no test rows


def test_learning_curve_ticks_are_whole_epochs():
    history = {"loss": [0.9, 0.6, 0.5], "accuracy": [0.6, 0.7, 0.8], "val_loss": [1.0, 0.8, 0.7]}
    fig = report_figures.learning_curves(history)
    fig.canvas.draw()
    for ax in fig.axes:
        low, high = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        assert ticks == [1, 2, 3]
    report_figures.png_data_uri(fig)


def test_examples_most_confident_first_with_their_text_cut_short():
    labels = np.array([0, 1, 0, 1])
    proba = np.array([0.9, 0.55, 0.6, 0.8])  # rows 0 and 2 are wrong, row 0 more confidently
    shown = report_data.examples(labels, proba, ["neg", "pos"], lambda rows: [f"text {r} " * 200 for r in rows])
    assert [(x.row, x.true, x.predicted) for x in shown] == [(0, "neg", "pos"), (2, "neg", "pos")]
    assert shown[0].confidence == pytest.approx(0.9) and shown[1].confidence == pytest.approx(0.6)
    assert shown[0].text.startswith("text 0 text 0") and shown[0].text.endswith(" …")
    assert len(shown[0].text) <= report_data.TEXT_CHARS + 2


class _Elements(HTMLParser):
    """The page as a browser sees it: its tags, the URLs they load, and its text."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if name in ("src", "href", "srcset", "action")]

    def handle_data(self, data):
        self.text += data


def _data() -> ReportData:
    labels = np.array([0, 0, 1, 1, 1, 0])
    proba = np.array([0.2, 0.7, 0.9, 0.4, 0.8, 0.1])
    evaluation = metrics.classification_metrics(labels, proba, ["negative", "positive"], 0)
    evaluation.update(loss=0.5, baselines={"tfidf_logreg_accuracy": 0.7})
    cv = summarize(
        [FoldScore("a", k, 0.6 + k / 10, 0.5, 4, 2, 0.1) for k in range(2)] + [FoldScore("b", 0, 0.5, 1, 4, 2, 0.1)]
    )
    data = ReportData(
        title="Sentiment: evaluation",
        evaluation=evaluation,
        history={"loss": [0.9, 0.6], "accuracy": [0.6, 0.7]},
        curves=report_data.curves(labels, proba, evaluation),
        examples=report_data.examples(labels, proba, evaluation["class_names"], lambda rows: [HOSTILE for _ in rows]),
        blessing={"blessed": False, "forced": False, "register": False, "reason": "accuracy below <b>0.9</b>"},
        champion={"version": "v1", "metrics": {"accuracy": 0.8, "loss": 0.4}},
        data={
            "source": "/data/x.tar.gz",
            "dataset_sha256": "ab" * 32,
            "statistics": {"records": 16, "numeric_features": 2, "numeric": {"words": {"mean": 230.5}}},
            "splits": {"test": {"rows": 6}, "train": {"rows": 10.0, "label_counts": {"0": 6.0, "1": 4}}},
        },
        params={"epochs": 2, "variants": "a,b"},
        run={"study": "imdb", "variant": "a", "run id": "run-1", "image": "img:1"},
        cross_validation={"summary": cv},
    )
    return data


def test_report_has_every_section_escapes_review_text_and_embeds_its_images():
    page = report.render(_data())
    for title in (
        "Against the champion",
        "Test scores",
        "Learning curves",
        "Errors and confidence",
        "Per class",
        "Misclassified test examples",
        "Cross-validation",
        "Data",
        "Parameters",
        "Run",
    ):
        assert f"<h2>{title}</h2>" in page
    assert "<script" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;0.9&lt;/b&gt;" in page and "Not blessed" in page
    parsed = _Elements()
    parsed.feed(page)
    assert "script" not in parsed.tags and parsed.tags.count("img") >= 5
    assert parsed.links and all(link.startswith("data:image/png;base64,") for link in parsed.links)
    assert HOSTILE in parsed.text  # shown as text, whole
    assert "loses to the tfidf logreg baseline (0.7000)" in page  # accuracy 0.6667 < 0.7
    assert "champion v1" in page and "a (trained)" in page and page.index("a (trained)") < page.index("<td>b</td>")
    assert "6 (60.0%)" in page and "ab" * 32 in page and "run-1" in page
    assert page.index("<td>train</td>") < page.index("<td>test</td>"), "splits in their natural order"
    assert "numeric_features" not in page, "ingest's statistics belong to the data check section, not the facts"


def test_report_draws_image_examples_and_says_when_nothing_is_misclassified():
    drawn = []
    data = replace(_data(), draw_example=lambda ax, row: drawn.append(row) or ax.imshow(np.zeros((4, 4))))
    assert report.misclassified(data).count("data:image/png;base64,") == 1
    assert drawn == [1, 3]  # most confident first
    assert "No misclassified test examples" in report.misclassified(replace(data, examples=[]))
    untitled = [replace(x, text=None) for x in data.examples]
    plain = report.misclassified(replace(data, draw_example=None, examples=untitled))
    assert "<th>confidence</th></tr>" in plain and "<th>text</th>" not in plain


def test_decision_and_champion_sections_take_what_evaluate_gives():
    forced = report.decision({"blessed": False, "forced": True, "register": True, "reason": "forced <now>"})
    assert "Registered by force" in forced and "forced &lt;now&gt;" in forced and "forced: True" in forced
    assert "Blessed" in report.decision({"blessed": True, "reason": "ok", "champion_on_this_test": 0.5})
    assert "no champion" in report.champion_comparison(None, {"accuracy": 0.9})
    side_by_side = report.champion_comparison(
        {"version": "v7", "metrics": {"accuracy": 0.8}, "source": "this run's test rows"}, {"accuracy": 0.9}
    )
    assert "champion v7" in side_by_side and "0.1000" in side_by_side and "this run&#x27;s test rows" in side_by_side
