"""Statistics, schema, drift and the data check before training, on small real tables and a real registry."""

from __future__ import annotations

import json

import numpy as np
import pytest

from components import drift, report_data_checks, schema, statistics
from components.data_validation import (
    STATISTICS,
    VERSION_FOLDER,
    DataCheckFailed,
    DataCheckPolicy,
    add_to_version,
    run_checks,
)
from components.registry import Registry
from components.studies import ParameterError, get_study
from components.tables import Ragged


def mirai_table(rng: np.random.Generator, n: int = 2000, shift: float = 0.0) -> dict:
    features = rng.gamma(2.0, 3.0, size=(n, 4)).astype(np.float32)
    features[:, 2] += shift
    return {"features": features, "label": (rng.random(n) < 0.3).astype(np.uint8)}


def test_moments_and_histograms_match_numpy_whatever_the_batch_size(monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.normal(5, 2, size=(1001, 3))
    x[[3, 500], 1] = np.nan
    table = {"features": x, "label": np.zeros(1001, np.uint8)}
    whole = statistics.compute(table, [statistics.matrix_columns("f", x)])
    monkeypatch.setattr(statistics, "BATCH_VALUES", 7)  # many small batches: Chan's merge must agree
    batched = statistics.compute(table, [statistics.matrix_columns("f", x)])
    for name, column in (("f000", x[:, 0]), ("f001", x[:, 1][~np.isnan(x[:, 1])])):
        for stats in (whole, batched):
            f = stats["numeric"][name]
            assert f["mean"] == pytest.approx(column.mean(), rel=1e-9)
            assert f["std"] == pytest.approx(column.std(), rel=1e-9)
            assert (f["min"], f["max"]) == (column.min(), column.max())
            assert sum(f["histogram"]["counts"]) == len(column) == f["count"]
    assert whole["numeric"]["f001"]["missing"] == 2
    assert all(whole["numeric"][n]["histogram"] == batched["numeric"][n]["histogram"] for n in whole["numeric"])


def test_text_lengths_count_words_across_chunks(monkeypatch):
    texts = ["two words", "", "  leading and trailing  ", "one", "a\tb\nc d"]
    monkeypatch.setattr(statistics, "BATCH_VALUES", 5)
    batches = list(statistics.text_lengths(Ragged.from_strings(texts)).batches())
    counts = np.concatenate(batches)
    assert counts[:, 0].tolist() == [len(t.encode()) for t in texts]
    assert counts[:, 1].tolist() == [len(t.split()) for t in texts]


def test_schema_of_the_same_data_has_no_anomalies_and_finds_what_changed():
    rng = np.random.default_rng(1)
    recipe = get_study("mirai").recipe()
    base = mirai_table(rng)
    stats = statistics.compute(base, recipe.profile(base))
    inferred = schema.infer(stats)
    again = mirai_table(np.random.default_rng(2))
    same = statistics.compute(again, recipe.profile(again), reference=stats)
    assert schema.validate(same, inferred) == []

    moved = mirai_table(np.random.default_rng(2), shift=-100.0)
    moved["label"][:] = 0  # the attack class vanished
    anomalies = schema.validate(statistics.compute(moved, recipe.profile(moved), reference=stats), inferred)
    assert [(a.feature, a.kind) for a in anomalies] == [("label", "label vanished"), ("feature_002", "out of range")]


def test_an_image_of_another_size_is_a_column_anomaly():
    small = {"image": np.zeros((4, 32, 32, 3), np.uint8), "label": np.arange(4, dtype=np.uint8)}
    large = {"image": np.zeros((4, 28, 28, 3), np.uint8), "label": np.arange(4, dtype=np.uint8)}
    recipe = get_study("cifar10").recipe()
    expected = schema.infer(statistics.compute(small, recipe.profile(small)))
    found = schema.validate(statistics.compute(large, recipe.profile(large)), expected)
    assert [(a.feature, a.kind) for a in found] == [("image", "column type")]


def test_drift_measures():
    assert drift.js_distance(np.array([5, 5]), np.array([50, 50])) == pytest.approx(0.0)
    assert drift.js_distance(np.array([1, 0]), np.array([0, 1])) == pytest.approx(1.0)
    assert drift.psi(np.array([50, 50]), np.array([100 / 3, 200 / 3])) == pytest.approx(0.1155, abs=1e-4)


def test_out_of_vocabulary_rate_of_a_text_study():
    recipe = get_study("imdb").recipe()
    table = {"text": Ragged.from_strings(["good film", "bad film here"]), "label": np.array([1, 0], np.uint8)}
    prepared = recipe.prepare(table)
    assert recipe.out_of_vocabulary(prepared, ["film"]) == pytest.approx(3 / 5)
    assert statistics.compute(table, recipe.profile(table))["numeric"]["words"]["max"] == 3


def _check(tmp_path, table, policy, name):
    recipe = get_study("mirai").recipe()
    stats = statistics.compute(table, recipe.profile(table))
    return run_checks("mirai", recipe, table, recipe.prepare(table), {}, stats, policy, str(tmp_path / name))


def _register(tmp_path, registry, checks_dir):
    folder = tmp_path / "version"
    folder.mkdir()
    add_to_version(checks_dir, str(folder))
    return Registry(registry).register("mirai", folder, {"metrics": {"accuracy": 0.9}}, promote=True)


def test_first_run_then_a_shifted_run_warns_or_stops_naming_the_feature(tmp_path):
    registry = str(tmp_path / "registry")
    first = _check(tmp_path, mirai_table(np.random.default_rng(3)), DataCheckPolicy(registry), "first")
    assert first["champion"] is None and first["warnings"] == []
    version = _register(tmp_path, registry, str(tmp_path / "first"))

    shifted = mirai_table(np.random.default_rng(4), shift=50.0)
    warned = _check(tmp_path, shifted, DataCheckPolicy(registry), "warned")
    assert warned["champion"] == version
    assert warned["anomalies"][0]["feature"] == "feature_002"
    assert warned["drift"][0]["feature"] == "feature_002" and warned["drift"][0]["drifted"]
    assert not any(d["drifted"] for d in warned["drift"][1:])
    assert "| feature_002 | out of range |" in (tmp_path / "warned" / "summary.md").read_text()
    html = report_data_checks.data_check_section(warned)
    assert "Drift from the champion" in html and "data:image/png;base64," in html and "feature_002" in html

    with pytest.raises(DataCheckFailed, match="schema anomalies.*feature_002.*on_anomaly=stop"):
        _check(tmp_path, shifted, DataCheckPolicy(registry, on_anomaly="stop"), "stopped")
    with pytest.raises(DataCheckFailed, match="drifted.*feature_002 JS"):
        _check(tmp_path, shifted, DataCheckPolicy(registry, on_drift="stop"), "stopped")


def test_a_malformed_champion_statistics_file_is_a_warning_and_a_first_run(tmp_path):
    registry = str(tmp_path / "registry")
    _check(tmp_path, mirai_table(np.random.default_rng(5)), DataCheckPolicy(registry), "first")
    version = _register(tmp_path, registry, str(tmp_path / "first"))
    path = tmp_path / "registry" / "mirai" / version / VERSION_FOLDER / STATISTICS
    path.write_text("{not json")
    checks = _check(tmp_path, mirai_table(np.random.default_rng(6), shift=50.0), DataCheckPolicy(registry, "stop"), "x")
    assert checks["champion"] is None and checks["anomalies"] == []
    assert "not readable JSON" in checks["warnings"][0] and "first run" in checks["warnings"][0]
    path.unlink()
    checks = _check(tmp_path, mirai_table(np.random.default_rng(6)), DataCheckPolicy(registry), "y")
    assert "registered before data checks" in checks["warnings"][0]
    assert json.loads((tmp_path / "y" / "checks.json").read_text())["champion"] is None


def test_policy_values_are_checked():
    with pytest.raises(ParameterError, match="on_anomaly must be warn or stop"):
        DataCheckPolicy.from_mapping("reg", {"on_anomaly": "ignore"})
    assert DataCheckPolicy.from_mapping("reg", {"drift_threshold": "0.2"}).drift_threshold == 0.2
