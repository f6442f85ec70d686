"""gs:// through google-cloud-storage (imported lazily).

With ``STORAGE_EMULATOR_HOST`` set (fake-gcs-server), google-cloud-storage
sends every request there; we then use anonymous credentials and a project
name. The library's own retries are switched off (``retry=None``) so that the
common retry policy is the only one.

Atomicity: create-only writes use ``if_generation_match=0``, compare-and-swap
uses the object generation as token. Streaming reads are ranged reads of one
pinned generation.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from . import config
from .base import Backend, Location, Missing, Opened, TransientFault, content_type

_clients: dict[tuple, Any] = {}
_clients_lock = threading.Lock()


def _client():
    from google.cloud import storage

    emulator = os.environ.get("STORAGE_EMULATOR_HOST") or None
    project = config.STORAGE.gcs_project
    key = (emulator, project)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            if emulator:
                from google.auth.credentials import AnonymousCredentials

                client = storage.Client(project=project or "emulator", credentials=AnonymousCredentials())
            else:
                client = storage.Client(project=project)
            _clients[key] = client
        return client


def _blob(loc: Location, generation: int | None = None):
    return _client().bucket(loc.bucket).blob(loc.key, generation=generation)


class _RangeReader:
    """Reads one generation of a blob by ranged requests of chunk_size bytes."""

    def __init__(self, blob, offset: int, size: int):
        self._blob, self._pos, self._size = blob, offset, size
        self._buffer = b""

    def read(self, n: int = -1) -> bytes:
        if not self._buffer and self._pos < self._size:
            want = min(self._size - self._pos, max(1, int(config.STORAGE.chunk_size)))
            self._buffer = self._blob.download_as_bytes(
                start=self._pos,
                end=self._pos + want - 1,
                checksum=None,
                retry=None,
                timeout=config.STORAGE.timeout,
            )
            self._pos += len(self._buffer)
        size = len(self._buffer) if n is None or n < 0 else n
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def close(self) -> None:
        self._buffer = b""


class GcsBackend(Backend):
    name = "gcs"

    def kind(self, exc: BaseException) -> str | None:
        from google.api_core import exceptions as api

        if isinstance(exc, api.NotFound):
            return "not_found"
        if isinstance(exc, api.PreconditionFailed):
            return "conflict"
        if isinstance(exc, api.GoogleAPICallError):
            code = exc.code or 0
            return "transient" if code in (408, 429) or code >= 500 else None

        import requests
        from google.auth import exceptions as auth
        from google.cloud.storage import exceptions as gcs

        if isinstance(exc, requests.exceptions.SSLError):
            return None
        if isinstance(
            exc,
            (
                requests.exceptions.ConnectionError,
                requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError,
                auth.TransportError,
                gcs.DataCorruption,
            ),
        ):
            return "transient"
        if isinstance(exc, gcs.InvalidResponse):
            status = getattr(getattr(exc, "response", None), "status_code", 0) or 0
            if status == 404:
                return "not_found"
            if status == 412:
                return "conflict"
            return "transient" if status in (408, 429) or status >= 500 else None
        return None

    def open_stream(self, loc: Location, offset: int, pin: Any) -> Opened:
        if pin is None:
            blob = _client().bucket(loc.bucket).get_blob(loc.key, retry=None, timeout=config.STORAGE.timeout)
            if blob is None:
                raise Missing(f"{loc.uri} does not exist")
            pin = (blob.generation, blob.size or 0)
        generation, size = pin
        return Opened(stream=_RangeReader(_blob(loc, generation), offset, size), pin=pin, size=size)

    def exists(self, loc: Location) -> bool:
        return _blob(loc).exists(retry=None, timeout=config.STORAGE.timeout)

    def list(self, loc: Location) -> list[str]:
        prefix = loc.dir_prefix
        blobs = _client().list_blobs(loc.bucket, prefix=prefix or None, retry=None, timeout=config.STORAGE.timeout)
        names = (blob.name[len(prefix) :] for blob in blobs)
        return [name for name in names if name and not name.endswith("/")]

    def write(self, loc: Location, data: bytes, if_absent: bool) -> Any:
        blob = _blob(loc)
        blob.upload_from_string(
            data,
            content_type=content_type(loc.key),
            if_generation_match=0 if if_absent else None,
            retry=None,
            timeout=config.STORAGE.timeout,
        )
        return blob.generation

    def upload_file(self, path: str, loc: Location) -> None:
        _blob(loc).upload_from_filename(
            path, content_type=content_type(loc.key), retry=None, timeout=config.STORAGE.timeout
        )

    def read_versioned(self, loc: Location) -> tuple[bytes | None, Any]:
        from google.api_core import exceptions as api

        blob = _blob(loc)
        try:
            data = blob.download_as_bytes(retry=None, timeout=config.STORAGE.timeout)
        except api.NotFound:
            return None, None
        if blob.generation is not None:  # from the x-goog-generation response header
            return data, int(blob.generation)
        # Servers without that header: read metadata, then that exact generation.
        meta = _client().bucket(loc.bucket).get_blob(loc.key, retry=None, timeout=config.STORAGE.timeout)
        if meta is None:
            return None, None
        try:
            data = _blob(loc, meta.generation).download_as_bytes(retry=None, timeout=config.STORAGE.timeout)
        except api.NotFound:
            raise TransientFault(f"{loc.uri} was replaced while being read") from None
        return data, int(meta.generation)

    def write_if_match(self, loc: Location, data: bytes, token: Any) -> Any:
        blob = _blob(loc)
        blob.upload_from_string(
            data,
            content_type=content_type(loc.key),
            if_generation_match=0 if token is None else int(token),
            retry=None,
            timeout=config.STORAGE.timeout,
        )
        return blob.generation
