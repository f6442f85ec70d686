"""Cross-validation fan-out: the plan, per-fold refitting, and fan-in through storage."""

import numpy as np
import pytest

from components import splits, storage, tables
from components.steps import cross_validate as cv
from components.steps.ingest import run_ingest
from components.studies import get_study

PARAMS = {"epochs": 1, "batch_size": 64, "cv_folds": 3, "variants": "32-1,final"}


@pytest.fixture(scope="module")
def raw(tmp_path_factory, imdb_sample):
    path = str(tmp_path_factory.mktemp("raw") / "dataset")
    return path, run_ingest("imdb", imdb_sample, path).dataset_sha256


def test_plan_is_variants_times_folds_with_content_addressed_uris(raw, tmp_path):
    items = cv.plan("imdb", raw[1], PARAMS, 42, str(tmp_path))
    assert [(i["variant"], i["fold"]) for i in items] == [(v, k) for v in ("32-1", "final") for k in range(3)]
    assert len({i["result_uri"] for i in items}) == 6
    assert items == cv.plan("imdb", raw[1], PARAMS, 42, str(tmp_path)), "same inputs, same URIs (cache-friendly)"
    changed = cv.plan("imdb", raw[1], {**PARAMS, "epochs": 2}, 42, str(tmp_path))
    assert not {i["result_uri"] for i in items} & {i["result_uri"] for i in changed}


def test_transforms_are_refitted_on_each_fold_only(raw, monkeypatch):
    """A vocabulary fitted on held-out or test rows would leak; record what fit sees."""
    recipe = get_study("imdb").recipe()
    seen = []
    real_fit = recipe.fit
    monkeypatch.setattr(
        recipe, "fit", lambda prepared, rows, p: seen.append(rows.copy()) or real_fit(prepared, rows, p)
    )
    table = tables.load(raw[0])
    train_rows, test_rows = splits.train_test_rows(table["split"], table["label"], 0.0, 42)
    for fold in range(3):
        cv.run_fold("imdb", raw[0], PARAMS, "32-1", 42, fold)
    held_out = [b for _, b in splits.folds(train_rows, table["label"], 3, 42)]
    assert len(seen) == 3
    for fitted, held in zip(seen, held_out, strict=False):
        assert not set(fitted) & set(held), "fit saw its own fold's held-out rows"
        assert not set(fitted) & set(test_rows), "fit saw test rows"
        assert len(fitted) + len(held) == len(train_rows)


def test_fold_scores_meet_again_through_storage(raw, tmp_path):
    items = cv.plan("imdb", raw[1], {**PARAMS, "cv_folds": 2, "variants": "32-1"}, 42, str(tmp_path))
    for item in items:
        cv.run_fold_to("imdb", raw[0], {**PARAMS, "cv_folds": 2}, item["variant"], 42, item["fold"], item["result_uri"])
    summary = cv.summarize(cv.collect(items))
    assert list(summary) == ["32-1"] and [f["fold"] for f in summary["32-1"]["folds"]] == [0, 1]
    assert summary["32-1"]["mean_accuracy"] == np.mean([f["accuracy"] for f in summary["32-1"]["folds"]])


def test_a_missing_fold_score_names_the_fold(tmp_path):
    items = [{"variant": "final", "fold": 2, "result_uri": str(tmp_path / "nope.json")}]
    with pytest.raises(storage.NotFound, match="no score for final fold 2"):
        cv.collect(items)


def test_comparison_table_is_sorted_best_first():
    score = lambda v, k, a: cv.FoldScore(v, k, a, 0.5, 10, 5, 0.1)  # noqa: E731
    summary = cv.summarize([score("a", 0, 0.6), score("a", 1, 0.8), score("b", 0, 0.9), score("b", 1, 0.9)])
    rows = cv.comparison_markdown(summary).splitlines()
    assert rows[2].startswith("| b | 90.00% (±0.00%)") and rows[3].startswith("| a | 70.00% (±10.00%)")
    assert cv.best_variant(summary) == "b"
