"""Ingest: fetch a study's source, validate it, write it as a raw table."""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import asdict, dataclass

from components import storage, tables
from components.files import file_sha256, tree_sha256
from components.studies import get_study

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestSummary:
    source: str
    source_sha256: str
    source_bytes: int
    records: int
    dataset_sha256: str
    label_counts: dict

    def as_metadata(self) -> dict:
        return asdict(self)


def local_source(source: str, workdir: str) -> str:
    """A local path for ``source``: itself when local, else a download into ``workdir``."""
    location = storage.parse(source)
    if location.scheme == "file":
        path = location.key
        if not os.path.exists(path):
            raise FileNotFoundError(f"source not found: {source}")
        return path
    name = os.path.basename(source.rstrip("/").split("?")[0]) or "source"
    path = os.path.join(workdir, name)
    log.info("downloading %s", source)
    storage.download(source, path)
    return path


def run_ingest(study: str, source: str, out_path: str) -> IngestSummary:
    """Read ``source`` with the study's reader and write the validated raw table to ``out_path``."""
    recipe = get_study(study).recipe()
    with tempfile.TemporaryDirectory() as workdir:
        path = local_source(source, workdir)
        source_sha256, source_bytes = (tree_sha256 if os.path.isdir(path) else file_sha256)(path)
        log.info("reading %s (%d bytes, sha256 %s)", source, source_bytes, source_sha256)
        table = recipe.read(path)
    tables.save(out_path, table)
    summary = IngestSummary(
        source=source,
        source_sha256=source_sha256,
        source_bytes=source_bytes,
        records=tables.num_rows(table),
        dataset_sha256=file_sha256(out_path)[0],
        label_counts=tables.value_counts(tables.array(table, "label")),
    )
    log.info("ingested %d records: labels %s", summary.records, summary.label_counts)
    return summary
