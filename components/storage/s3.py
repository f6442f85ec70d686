"""s3:// and minio:// through boto3 (imported lazily).

Endpoint: ``STORAGE.s3_endpoint_url``, else (read at call time)
``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL``, else AWS. ``minio://`` uses
``STORAGE.minio_endpoint_url``, else the same S3 endpoint, and must have one.
With a custom endpoint, path-style addressing is used (MinIO, SeaweedFS).
Credentials come from boto3's usual chain. botocore's own retries are off
so that the common retry policy is the only one.

Atomicity: create-only writes use ``IfNoneMatch='*'``, compare-and-swap uses
the ETag with ``IfMatch`` (``IfNoneMatch='*'`` while absent).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from . import config
from .base import Backend, Conflict, Location, Opened, content_type
from .errors import StorageError

_clients: dict[tuple, Any] = {}
_clients_lock = threading.Lock()

_TRANSIENT_CODES = {
    "InternalError",
    "ServiceUnavailable",
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "ConditionalRequestConflict",  # a concurrent conditional write is in flight
}
_NOT_FOUND_CODES = {"NoSuchKey", "NoSuchBucket", "NotFound", "404"}


def endpoint_for(loc: Location) -> str | None:
    s3 = (
        config.STORAGE.s3_endpoint_url
        or os.environ.get("AWS_ENDPOINT_URL_S3")
        or os.environ.get("AWS_ENDPOINT_URL")
        or None
    )
    if loc.scheme != "minio":
        return s3
    endpoint = config.STORAGE.minio_endpoint_url or s3
    if not endpoint:
        raise StorageError(
            f"{loc.uri}: minio:// needs an endpoint: set STORAGE.minio_endpoint_url "
            "(or STORAGE.s3_endpoint_url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)",
            uri=loc.uri,
        )
    return endpoint


def _client(loc: Location):
    import boto3
    from botocore.config import Config

    endpoint = endpoint_for(loc)
    cfg = config.STORAGE
    style = cfg.s3_addressing_style or ("path" if endpoint else None)
    env = os.environ
    key = (endpoint, cfg.s3_region, style, cfg.timeout, env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_PROFILE"))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            session = boto3.session.Session()
            client = session.client(
                "s3",
                endpoint_url=endpoint,
                region_name=cfg.s3_region or session.region_name or "us-east-1",
                config=Config(
                    retries={"total_max_attempts": 1, "mode": "standard"},
                    connect_timeout=cfg.timeout,
                    read_timeout=cfg.timeout,
                    max_pool_connections=32,
                    s3={"addressing_style": style} if style else {},
                ),
            )
            _clients[key] = client
        return client


def _status(exc) -> tuple[str, int]:
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return code, status


class S3Backend(Backend):
    name = "s3"

    def kind(self, exc: BaseException) -> str | None:
        from botocore import exceptions as bce

        if isinstance(exc, bce.ClientError):
            code, status = _status(exc)
            if code in _NOT_FOUND_CODES or status == 404:
                return "not_found"
            if code == "PreconditionFailed" or status == 412:
                return "conflict"
            if code in _TRANSIENT_CODES or status in (408, 429) or status >= 500:
                return "transient"
            return None
        if isinstance(exc, bce.SSLError):
            return None
        if isinstance(exc, (bce.HTTPClientError, bce.ConnectionError, bce.IncompleteReadError)):
            return "transient"
        return None

    def open_stream(self, loc: Location, offset: int, pin: Any) -> Opened:
        extra = {}
        if offset:
            extra["Range"] = f"bytes={offset}-"
        if pin:
            extra["IfMatch"] = pin
        response = _client(loc).get_object(Bucket=loc.bucket, Key=loc.key, **extra)
        size = offset + int(response.get("ContentLength", 0))
        content_range = response.get("ContentRange") or ""
        if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
            size = int(content_range.rsplit("/", 1)[1])
        return Opened(stream=response["Body"], pin=response.get("ETag"), size=size)

    def exists(self, loc: Location) -> bool:
        from botocore.exceptions import ClientError

        try:
            _client(loc).head_object(Bucket=loc.bucket, Key=loc.key)
        except ClientError as exc:
            code, status = _status(exc)
            if status == 404 and code != "NoSuchBucket":
                return False
            raise
        return True

    def list(self, loc: Location) -> list[str]:
        prefix = loc.dir_prefix
        pages = _client(loc).get_paginator("list_objects_v2").paginate(Bucket=loc.bucket, Prefix=prefix)
        names = (item["Key"][len(prefix) :] for page in pages for item in page.get("Contents", []))
        return [name for name in names if name and not name.endswith("/")]

    def _put(self, loc: Location, data: bytes, **conditions) -> Any:
        response = _client(loc).put_object(
            Bucket=loc.bucket, Key=loc.key, Body=data, ContentType=content_type(loc.key), **conditions
        )
        return response.get("ETag")

    def write(self, loc: Location, data: bytes, if_absent: bool) -> Any:
        return self._put(loc, data, **({"IfNoneMatch": "*"} if if_absent else {}))

    def upload_file(self, path: str, loc: Location) -> None:
        from boto3.s3.transfer import TransferConfig

        _client(loc).upload_file(
            path,
            loc.bucket,
            loc.key,
            ExtraArgs={"ContentType": content_type(loc.key)},
            Config=TransferConfig(multipart_threshold=64 * 1024 * 1024, max_concurrency=4),
        )

    def read_versioned(self, loc: Location) -> tuple[bytes | None, Any]:
        from botocore.exceptions import ClientError

        try:
            response = _client(loc).get_object(Bucket=loc.bucket, Key=loc.key)
        except ClientError as exc:
            code, status = _status(exc)
            if status == 404 and code != "NoSuchBucket":
                return None, None
            raise
        with response["Body"] as body:
            return body.read(), response.get("ETag")

    def write_if_match(self, loc: Location, data: bytes, token: Any) -> Any:
        from botocore.exceptions import ClientError

        condition = {"IfNoneMatch": "*"} if token is None else {"IfMatch": token}
        try:
            return self._put(loc, data, **condition)
        except ClientError as exc:
            code, status = _status(exc)
            if token is not None and status == 404 and code != "NoSuchBucket":
                raise Conflict(f"{loc.uri} was deleted since it was read") from exc
            raise
