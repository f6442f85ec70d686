"""Ingest and register over object storage that fails some requests (issue #7).

The storage calls themselves are covered in test_storage_faults.py; here the
two steps that use storage run whole through the fault-injecting proxy in
front of fake-gcs-server and moto: they succeed through retries, and once
retries are exhausted they fail with a clear error and leave nothing behind.
"""

from __future__ import annotations

import os
import re

import pytest

from components import storage
from components.files import file_sha256
from components.registry import Registry
from components.steps.ingest import run_ingest
from components.studies.amazon.sample import write_sample
from pipelines.cli import main

# A request line that writes an object: GCS uploads name it in the body, not the URL.
WRITE = {"gcs": "POST /upload/", "s3": "PUT /"}


@pytest.fixture
def remote_source(faulty, tmp_path) -> tuple[str, str]:
    """An amazon source uploaded to the faulty store: (its URI, its local copy)."""
    local = write_sample(str(tmp_path / "sample"), per_class=50, seed=1, pair=False)
    with open(local, "rb") as f:
        faulty.store.raw_put("sources/train.ft.txt", f.read())
    return faulty.store.uri("sources", "train.ft.txt"), local


@pytest.mark.parametrize("mode", ["503", "drop"])
def test_ingest_reads_its_source_through_faults(faulty, remote_source, tmp_path, mode):
    uri, local = remote_source
    faulty.proxy.fail_next(3, mode)
    summary = run_ingest("amazon", uri, str(tmp_path / "out" / "raw.npz"))
    assert faulty.proxy.faults == 3
    assert summary.records == 100 and summary.label_counts == {"0": 50, "1": 50}
    assert summary.source_sha256 == file_sha256(local)[0]


def test_ingest_gives_a_clear_error_once_retries_are_exhausted(faulty, remote_source, tmp_path, capsys):
    uri, _ = remote_source
    faulty.proxy.fail_always("503")
    out = tmp_path / "out"
    status = main(["ingest", "amazon", "--source", uri, "--output", str(out)])
    stderr = capsys.readouterr().err
    assert status == 2
    assert re.fullmatch(
        rf"kfp-studies ingest: error: read {re.escape(uri)} failed after 5 attempts "
        r"\(transient faults\); last error: .*\n",
        stderr,
    ), stderr
    assert "Traceback" not in stderr
    assert not out.exists()


@pytest.mark.parametrize("mode", ["503", "drop"])
def test_register_succeeds_through_faults(faulty, model_dir, mode):
    proxy = faulty.proxy
    proxy.fail_next(2, mode)  # the first request: is the version free?
    proxy.fail_next(2, mode, when=WRITE[faulty.store.name])  # the first write: the claim
    proxy.fail_next(2, mode, when="champion.json")  # the champion's compare-and-swap
    registry = Registry(faulty.store.root)
    version = registry.register("imdb", model_dir, {"metrics": {"accuracy": 0.9}}, promote=True)
    assert proxy.faults == 6
    proxy.clear()
    assert registry.versions("imdb") == [version]
    assert registry.champion("imdb")["version"] == version


def test_register_gives_a_clear_error_and_registers_nothing_once_retries_are_exhausted(faulty, model_dir):
    proxy = faulty.proxy
    proxy.fail_next(1, "pass", when=WRITE[faulty.store.name])  # the claim
    proxy.fail_next(5, "503", when=WRITE[faulty.store.name])  # every attempt of the first file's upload
    registry = Registry(faulty.store.root)
    with pytest.raises(
        storage.StorageError, match=r"upload \S+/imdb/v[0-9a-f-]+/model.keras failed after 5 attempts"
    ) as error:
        registry.register("imdb", model_dir, {"metrics": {"accuracy": 0.9}}, promote=True)
    assert error.value.uri.startswith(faulty.store.root) and error.value.attempts == 5
    proxy.clear()
    assert registry.versions("imdb") == []
    assert registry.champion("imdb") is None
    assert not any(os.path.basename(uri) == "champion.json" for uri in storage.list_prefix(faulty.store.root))
