"""Probe: the current content version of a study's source, read on every run.

With caching on, KFP reuses a task's outputs when its inputs are the same. A
source URI stays the same when the data behind it changes, so ingest is also
given this version: unchanged data keeps the whole run cached (only this probe
runs), changed data makes ingest, and everything after it, run again.
"""

from __future__ import annotations

import os

from components import storage
from components.files import path_sha256, stream_sha256


def source_version(source: str) -> str:
    """``sha256:<hex>:<bytes>`` of the source's content (a folder: of its files, as ingest records it)."""
    location = storage.parse(source)
    if location.scheme == "file":
        path = location.key
        if not os.path.exists(path):
            raise FileNotFoundError(f"source not found: {source}")
        digest, size = path_sha256(path)
    else:
        with storage.open_read(source) as stream:
            digest, size = stream_sha256(stream)
    return f"sha256:{digest}:{size}"
