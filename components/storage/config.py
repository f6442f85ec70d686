"""Explicit storage configuration.

``STORAGE`` is a plain mutable object. Nothing here reads the environment at
import time; the S3 backend falls back to the standard endpoint variables
(``AWS_ENDPOINT_URL_S3``, then ``AWS_ENDPOINT_URL``) only when a call is made.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator


@dataclasses.dataclass
class StorageConfig:
    # S3 (AWS, MinIO, SeaweedFS). None: use the env vars at call time, then AWS.
    s3_endpoint_url: str | None = None
    # Endpoint for ``minio://`` URIs. None: fall back to the S3 endpoint.
    minio_endpoint_url: str | None = None
    # Region used to sign S3 requests. None: boto3's own lookup, else us-east-1.
    s3_region: str | None = None
    # "path" or "virtual". None: "path" when a custom endpoint is used.
    s3_addressing_style: str | None = None
    # GCS project. None: the client's default (or "emulator" with an emulator).
    gcs_project: str | None = None
    # Retry policy for transient faults (HTTP 5xx/429, dropped connections).
    retry_attempts: int = 5
    retry_initial_delay: float = 0.5
    retry_max_delay: float = 8.0
    # Network timeout of one request, in seconds.
    timeout: float = 60.0
    # Bytes fetched per ranged read when streaming; bounds memory use.
    chunk_size: int = 8 * 1024 * 1024

    def backoff(self, failed_attempt: int) -> float:
        """Delay before the attempt after ``failed_attempt`` (1-based), exponential, capped."""
        return min(self.retry_max_delay, self.retry_initial_delay * (2 ** (failed_attempt - 1)))


STORAGE = StorageConfig()


def configure(**changes) -> None:
    """Set fields of ``STORAGE``; unknown names raise ``TypeError``."""
    for name, value in changes.items():
        if not hasattr(STORAGE, name) or name.startswith("_"):
            raise TypeError(f"unknown storage setting: {name}")
        setattr(STORAGE, name, value)


@contextlib.contextmanager
def configured(**changes) -> Iterator[StorageConfig]:
    """Temporarily change ``STORAGE`` (tests, one-off scripts)."""
    saved = dataclasses.asdict(STORAGE)
    configure(**changes)
    try:
        yield STORAGE
    finally:
        configure(**saved)
