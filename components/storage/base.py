"""The small interface every backend implements, and URI parsing.

A backend works on a parsed ``Location`` and raises its client library's own
exceptions; ``kind()`` tells the common layer what such an exception means
("not_found", "conflict", "transient" or None). Retries, error messages and
streaming resumption live in ``retry.py``, once for all backends.
"""

from __future__ import annotations

import dataclasses
import http.client
import mimetypes
import os
import urllib.parse
from typing import Any, BinaryIO

from .errors import StorageError

OBJECT_SCHEMES = ("gs", "s3", "minio")


class Conflict(Exception):
    """Raised by a backend when a write precondition does not hold."""


class Missing(Exception):
    """Raised by a backend when an object does not exist."""


class TransientFault(Exception):
    """A transient condition a backend detects itself (truncated stream, object replaced mid-read)."""


@dataclasses.dataclass(frozen=True)
class Location:
    uri: str  # as the caller wrote it, for messages
    scheme: str  # "file", "http", "https", "gs", "s3" or "minio"
    bucket: str = ""  # gs/s3/minio only
    key: str = ""  # object key, local path, or the full http(s) URL

    @property
    def dir_prefix(self) -> str:
        """The key as a folder prefix ("a/b/"), "" for a whole bucket."""
        key = self.key.strip("/")
        return key + "/" if key else ""


@dataclasses.dataclass
class Opened:
    stream: BinaryIO | Any  # has read(n) -> bytes
    pin: Any = None  # identifies the object version, so a resumed read stays on it
    size: int | None = None  # total size of the object, when known


def parse(uri: str | os.PathLike) -> Location:
    text = os.fspath(uri)
    if not isinstance(text, str) or not text:
        raise StorageError(f"not a storage URI: {uri!r}", uri=str(uri))
    if "://" not in text:
        return Location(uri=text, scheme="file", key=text)
    scheme, rest = text.split("://", 1)
    scheme = scheme.lower()
    if scheme == "file":
        parts = urllib.parse.urlsplit(text)
        if parts.netloc not in ("", "localhost"):
            raise StorageError(f"{text}: file:// URIs must name a local path", uri=text)
        return Location(uri=text, scheme="file", key=urllib.parse.unquote(parts.path))
    if scheme in ("http", "https"):
        return Location(uri=text, scheme=scheme, key=text)
    if scheme in OBJECT_SCHEMES:
        bucket, _, key = rest.partition("/")
        if not bucket:
            raise StorageError(f"{text}: no bucket in URI", uri=text)
        return Location(uri=text, scheme=scheme, bucket=bucket, key=key)
    raise StorageError(
        f"{text}: unsupported scheme {scheme!r} (use a local path, file://, http(s)://, gs://, s3:// or minio://)",
        uri=text,
    )


def join(uri: str | os.PathLike, *parts: str) -> str:
    """Join path segments onto a URI or local path ("/" for URIs, os.path for paths)."""
    text = os.fspath(uri)
    clean = [p.strip("/") for p in parts if p and p.strip("/")]
    if "://" not in text:
        return os.path.join(text, *clean)
    return "/".join([text.rstrip("/"), *clean]) if clean else text


def content_type(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def generic_kind(exc: BaseException) -> str | None:
    """What an exception means when the backend has no opinion."""
    if isinstance(exc, Missing):
        return "not_found"
    if isinstance(exc, Conflict):
        return "conflict"
    if isinstance(exc, (TransientFault, ConnectionError, TimeoutError, http.client.HTTPException)):
        return "transient"
    try:  # both cloud SDKs sit on urllib3, whose dropped connections they let through
        import urllib3
    except ImportError:
        return None
    return "transient" if isinstance(exc, urllib3.exceptions.ProtocolError) else None


class Backend:
    """One object store. Methods take a parsed Location; see module docstring."""

    name = "?"
    read_only = False

    def kind(self, exc: BaseException) -> str | None:
        return None

    def open_stream(self, loc: Location, offset: int, pin: Any) -> Opened:
        raise NotImplementedError

    def exists(self, loc: Location) -> bool:
        raise NotImplementedError

    def list(self, loc: Location) -> list[str]:
        """Keys under ``loc`` taken as a folder, relative to it ("a/b.txt")."""
        raise NotImplementedError

    def write(self, loc: Location, data: bytes, if_absent: bool) -> Any:
        raise NotImplementedError

    def upload_file(self, path: str, loc: Location) -> None:
        raise NotImplementedError

    def read_versioned(self, loc: Location) -> tuple[bytes | None, Any]:
        """(bytes, token), or (None, None) when absent."""
        raise NotImplementedError

    def write_if_match(self, loc: Location, data: bytes, token: Any) -> Any:
        """Write only if the object is still at ``token`` (None: still absent); raise Conflict otherwise."""
        raise NotImplementedError
