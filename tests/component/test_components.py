"""The six KFP components called through ``python_func`` on artifacts in a temporary folder."""

import json
import os
from pathlib import Path

import pytest
from kfp import dsl

import components

FAST = {"epochs": 4, "batch_size": 32, "validation_rows": 100, "fit_on_validation": False, "cv_folds": 2}


def _artifact(cls, folder, name):
    a = cls(name=name, uri=os.path.join(folder, name), metadata={})
    return a


@pytest.fixture(scope="module")
def chain(tmp_path_factory, imdb_sample):
    """ingest -> preprocess -> cross_validate -> train -> evaluate, as a pipeline would call them."""
    d = str(tmp_path_factory.mktemp("artifacts"))
    a = {n: _artifact(dsl.Dataset, d, n) for n in ("dataset", "train", "validation", "test")}
    a.update(
        transform=_artifact(dsl.Artifact, d, "transform"),
        model=_artifact(dsl.Model, d, "model"),
        history=_artifact(dsl.Artifact, d, "history"),
        tensorboard=_artifact(dsl.Artifact, d, "tensorboard"),
        cv_metrics=_artifact(dsl.Metrics, d, "cv_metrics"),
        comparison=_artifact(dsl.Markdown, d, "comparison"),
        metrics=_artifact(dsl.Metrics, d, "metrics"),
        cm=_artifact(dsl.ClassificationMetrics, d, "cm"),
        report=_artifact(dsl.HTML, d, "report"),
        evaluation=_artifact(dsl.Artifact, d, "evaluation"),
        statistics=_artifact(dsl.Artifact, d, "statistics"),
        data_checks=_artifact(dsl.Artifact, d, "data_checks"),
        data_summary=_artifact(dsl.Markdown, d, "data_summary"),
    )
    prep = {k: FAST[k] for k in ("validation_rows",)}
    train = {k: FAST[k] for k in ("epochs", "batch_size", "fit_on_validation")}
    registry = os.path.join(d, "registry")
    components.ingest.python_func(study="imdb", source=imdb_sample, dataset=a["dataset"], statistics=a["statistics"])
    components.preprocess.python_func(
        study="imdb",
        dataset=a["dataset"],
        statistics=a["statistics"],
        params=prep,
        seed=1,
        registry_uri=registry,
        on_anomaly="stop",
        on_drift="warn",
        drift_threshold=0.1,
        label_drift_threshold=0.1,
        data_checks=a["data_checks"],
        data_summary=a["data_summary"],
        train=a["train"],
        validation=a["validation"],
        test=a["test"],
        transform=a["transform"],
    )
    cv_params = {**prep, **train, "cv_folds": 2, "variants": "final,32-1"}
    folds = components.plan_folds.python_func(
        study="imdb", dataset=a["dataset"], params=cv_params, seed=1, work_uri=os.path.join(d, "work")
    )
    for item in folds:
        components.cross_validate.python_func(study="imdb", dataset=a["dataset"], params=cv_params, seed=1, **item)
    best = components.compare_variants.python_func(
        study="imdb", params=cv_params, folds=folds, metrics=a["cv_metrics"], comparison=a["comparison"]
    )
    components.train.python_func(
        study="imdb",
        variant=best,
        train=a["train"],
        validation=a["validation"],
        transform=a["transform"],
        params=train,
        seed=1,
        work_uri=os.path.join(d, "work"),
        model=a["model"],
        history=a["history"],
        tensorboard=a["tensorboard"],
    )
    blessing = components.evaluate.python_func(
        study="imdb",
        variant=best,
        model=a["model"],
        train=a["train"],
        test=a["test"],
        transform=a["transform"],
        history=a["history"],
        data_checks=a["data_checks"],
        params=train,
        registry_uri=registry,
        threshold=0.6,
        min_improvement=0.0,
        force_register=False,
        dataset=a["dataset"],
        comparison=a["comparison"],
        seed=1,
        image="img:1",
        run_id="run-1",
        metrics=a["metrics"],
        classification_metrics=a["cm"],
        report=a["report"],
        evaluation=a["evaluation"],
    )
    return a, best, blessing, registry


def test_ingest_records_provenance(chain, imdb_sample):
    meta = chain[0]["dataset"].metadata
    assert meta["records"] == 1200 and meta["source"] == imdb_sample
    assert len(meta["source_sha256"]) == 64 and meta["label_counts"] == {"0": 600, "1": 600}
    assert meta["statistics"]["records"] == 1200 and set(meta["statistics"]["numeric"]) == {"bytes", "words"}
    stats = json.loads(Path(chain[0]["statistics"].path).read_text())
    assert stats["numeric"]["words"]["count"] == 1200 and sum(stats["numeric"]["words"]["histogram"]["counts"]) == 1200


def test_preprocess_splits_and_fits_on_train(chain):
    a = chain[0]
    assert (a["train"].metadata["rows"], a["validation"].metadata["rows"], a["test"].metadata["rows"]) == (
        500,
        100,
        600,
    )
    vocabulary = json.loads(Path(a["transform"].path).read_text())["vocabulary"]
    assert "great" in vocabulary and len(vocabulary) <= 10000
    # The data check of a first run: nothing to compare with, this run's schema holds its vocabulary.
    assert "first run" in Path(a["data_summary"].path).read_text()
    assert a["data_checks"].metadata["verdict"].startswith("first run")
    schema = json.loads(Path(a["data_checks"].path, "schema.json").read_text())
    assert schema["labels"] == ["0", "1"] and schema["vocabulary"] == vocabulary


def test_cross_validation_compares_variants_and_picks_the_best(chain):
    a, best = chain[0], chain[1]
    assert best in ("final", "32-1")
    m = a["cv_metrics"].metadata
    assert m[f"{best}.mean_accuracy"] == max(m["final.mean_accuracy"], m["32-1.mean_accuracy"])
    table = Path(a["comparison"].path).read_text()
    assert "| model | CV mean (± std)" in table and "32-1" in table


def test_cv_folds_zero_plans_nothing_and_passes_the_single_variant_through(chain, tmp_path):
    a = chain[0]
    # the sample's hold-out, as in the chain: imdb's default of 10,000 rows is refused against this data
    params = {"cv_folds": 0, "variants": "32-1", "validation_rows": FAST["validation_rows"]}
    folds = components.plan_folds.python_func(
        study="imdb", dataset=a["dataset"], params=params, seed=1, work_uri=str(tmp_path / "work")
    )
    assert folds == []
    comparison = _artifact(dsl.Markdown, str(tmp_path), "comparison")
    metrics = _artifact(dsl.Metrics, str(tmp_path), "metrics")
    assert (
        components.compare_variants.python_func(
            study="imdb", params=params, folds=folds, metrics=metrics, comparison=comparison
        )
        == "32-1"
    )
    assert "skipped (cv_folds=0)" in Path(comparison.path).read_text() and metrics.metadata == {}


def test_train_saves_keras_model_savedmodel_and_curves(chain):
    a = chain[0]
    assert os.path.isfile(os.path.join(a["model"].path, "model.keras"))
    assert os.path.isfile(os.path.join(a["model"].path, "saved_model", "saved_model.pb"))
    history = json.loads(Path(a["history"].path).read_text())
    assert len(history["loss"]) == 4 and "val_accuracy" in history and len(history["epoch_seconds"]) == 4


def test_evaluate_logs_metrics_confusion_matrix_report_and_blessing(chain):
    a, blessing = chain[0], chain[2]
    m = a["metrics"].metadata
    assert m["accuracy"] > 0.75, "the planted signal is learned"
    assert {"loss", "roc_auc", "negative.precision", "positive.f1", "macro_f1"} <= set(m)
    cm = a["cm"].metadata["confusionMatrix"]
    assert [c["displayName"] for c in cm["annotationSpecs"]] == ["negative", "positive"]
    assert sum(sum(row["row"]) for row in cm["rows"]) == 600
    report = Path(a["report"].path).read_text()
    assert report.count("data:image/png;base64,") >= 5 and "<h2>Per class</h2>" in report
    assert Path(a["report"].metadata["html_path"]).read_text() == report
    # The data summary, the CV table and the run's facts reached the report from the other steps.
    assert a["dataset"].metadata["source_sha256"] in report and "(trained)</td>" in report and "img:1" in report
    assert "misclassified test rows" in report and "The end." in report, "review texts of misclassified rows"
    assert "<h2>Data check</h2>" in report and "first run" in report
    assert blessing is True and "no champion" in a["evaluation"].metadata["reason"]


def test_register_writes_an_immutable_version_with_its_card(chain):
    from components.registry import Registry

    a, registry = chain[0], chain[3]
    version = components.register.python_func(
        study="imdb",
        model=a["model"],
        report=a["report"],
        evaluation=a["evaluation"],
        dataset=a["dataset"],
        data_checks=a["data_checks"],
        params={"epochs": "4.0", "seed": "1"},
        registry_uri=registry,
        image="img:1",
        run_id="run-1",
        vertex_model_registry={},
    )
    card = Registry(registry).champion("imdb")
    assert card["version"] == version and card["study"] == "imdb"
    assert card["params"]["epochs"] == 4 and card["params"]["seed"] == 1 and card["params"]["num_words"] == 10000
    assert card["dataset"]["source_sha256"] == a["dataset"].metadata["source_sha256"]
    assert card["blessing"]["blessed"] and card["run_id"] == "run-1" and card["image"] == "img:1"
    assert os.path.isfile(os.path.join(registry, "imdb", version, "model.keras"))
    assert os.path.isfile(os.path.join(registry, "imdb", version, "report.html"))
    # What the next run's data check compares with, and what this run's check said.
    for name in ("statistics.json", "schema.json"):
        assert os.path.isfile(os.path.join(registry, "imdb", version, "data", name))
    assert card["data_checks"]["champion"] is None and card["data_checks"]["policy"]["on_anomaly"] == "stop"
