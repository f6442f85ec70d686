"""Shared fixtures: generated samples (session-wide) and the real datasets, when present."""

import os
from pathlib import Path

import pytest

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def datasets() -> Path:
    if not DATASETS.is_dir():
        pytest.skip(f"real datasets not found at {DATASETS} (they live in ../shared/datasets)")
    return DATASETS


@pytest.fixture(scope="session")
def imdb_sample(tmp_path_factory) -> str:
    """A small synthetic aclImdb_v1.tar.gz with a planted signal."""
    from components.studies.imdb.sample import write_sample

    return write_sample(str(tmp_path_factory.mktemp("imdb-sample")), per_class=300, seed=7)


@pytest.fixture(autouse=True)
def _quiet_tensorflow(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
