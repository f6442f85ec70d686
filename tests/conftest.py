"""Shared fixtures: generated samples (session-wide) and the real datasets, when present."""

import logging
import os
from pathlib import Path

import pytest

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Each test leaves the root logger's handlers and level as it found them.

    Tests that run kfp.local directly (tests/container) meet its race: each task's
    ``local_logger_context`` (kfp/local/logging_utils.py) installs a handler on
    ``sys.stdout`` and on leaving restores the handlers it found on entry, so two
    ParallelFor tasks that overlap can leave the second one's handler, bound to
    that test's ``capsys`` stream, on the root logger for good. Every later test
    that logs then got '--- Logging error ---' on its stderr (106 failures in one
    CI run). Component tests calling an adapter in-process configure logging as a
    task process does. ``pipelines.local`` guards the product's own runs."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


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
