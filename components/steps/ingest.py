"""Ingest: fetch a study's source, validate it, write it as a raw table.

A streaming study's source is read and written shard by shard (a folder of
shards, published only once every shard is written), so its size is not
bounded by memory; any other study's is one table file, as before."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from components import allocator, progress, statistics, storage, tables
from components.errors import DataError
from components.files import CHUNK, path_sha256, walk_files
from components.shard_writer import ShardWriter
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
    statistics: dict = field(default_factory=dict)

    def as_metadata(self) -> dict:
        return asdict(self)


def local_source(source: str, workdir: str) -> str:
    """A local path for ``source``: itself when local, else a download into ``workdir``.

    A pipe or other non-seekable local source (``--source <(zcat ...)``, a
    FIFO) can be read only once, and readers look at a file's first bytes
    before parsing it: it is copied into ``workdir`` in one pass, so that it
    is hashed and parsed from the same bytes."""
    location = storage.parse(source)
    if location.scheme == "file":
        path = location.key
        if not os.path.exists(path):
            raise FileNotFoundError(f"source not found: {source}")
        if os.path.isdir(path) or stat.S_ISREG(os.stat(path).st_mode):
            return path
        copy = os.path.join(workdir, "source")
        with open(path, "rb") as stream, open(copy, "wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        return copy
    name = os.path.basename(source.rstrip("/").split("?")[0]) or "source"
    path = os.path.join(workdir, name)
    log.info("downloading %s", source)
    storage.download(source, path)
    return path


@contextlib.contextmanager
def _errors_naming(source: str, path: str) -> Iterator[None]:
    """Data errors naming ``source`` (a URL, a pipe) rather than ``path``, the local copy of it."""
    try:
        yield
    except DataError as exc:
        if path == source or not exc.where.startswith(path):
            raise
        raise DataError(source + exc.where[len(path) :], exc.problem) from None


def _size_on_disk(path: str) -> int:
    return sum(os.path.getsize(p) for p, _ in walk_files(path)) if os.path.isdir(path) else os.path.getsize(path)


def run_ingest(study: str, source: str, out_path: str, statistics_path: str | None = None) -> IngestSummary:
    """Read ``source`` with the study's reader and write the validated raw table to ``out_path``;
    with ``statistics_path``, also the data's statistics (``components.statistics``) as JSON,
    a summary of them going into the returned metadata."""
    recipe = get_study(study).recipe()
    allocator.reuse_freed_blocks()  # the readers free a block of MiBs per step: keep it for the next
    with tempfile.TemporaryDirectory() as workdir:
        path = local_source(source, workdir)
        log.info("reading %s", source)
        start = time.monotonic()
        # The source's digest is one more pass over its bytes; hashing (which releases the GIL) runs
        # beside the reader, which leaves a core part idle while it waits on decompression. The
        # progress shown counts both passes.
        with (
            ThreadPoolExecutor(1) as pool,
            _errors_naming(source, path),
            progress.ByteProgress("read and hashed", 2 * _size_on_disk(path)),
        ):
            digest = pool.submit(path_sha256, path)
            if recipe.streams:
                with ShardWriter(out_path) as writer:
                    for shard in recipe.read_shards(path):
                        writer.add(shard)
            else:
                tables.save(out_path, recipe.read(path))
            source_sha256, source_bytes = digest.result()
        seconds = time.monotonic() - start
        log.info("read %s (%d bytes, sha256 %s)", source, source_bytes, source_sha256)
    summary_stats = {}
    if statistics_path:
        start = time.perf_counter()
        stats = statistics.compute_stored(tables.open_table(out_path), recipe.profile)
        statistics.save(statistics_path, stats)
        summary_stats = statistics.summary(stats)
        log.info("statistics of %d numeric features in %.2f s", len(stats["numeric"]), time.perf_counter() - start)
    label_column = tables.load_columns(out_path, ["label"])["label"]
    summary = IngestSummary(
        source=source,
        source_sha256=source_sha256,
        source_bytes=source_bytes,
        records=len(label_column),
        dataset_sha256=path_sha256(out_path)[0],
        label_counts=tables.value_counts(label_column),
        statistics=summary_stats,
    )
    log.info("ingested %s: labels %s", progress.rate(summary.records, seconds, "records"), summary.label_counts)
    progress.result(f"{summary.records:,} records", records=summary.records, seconds=round(seconds, 2))
    return summary
