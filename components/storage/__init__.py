"""One storage API over local paths, file://, http(s):// (read-only), gs://, s3:// and minio://.

    from components import storage
    storage.write_bytes("gs://bucket/a.json", b"{}", if_absent=True)
    with storage.open_read("s3://bucket/data.npz") as f: ...

Each scheme has one backend module (local, http, gcs, s3) behind the small
interface in ``base.py``; this module parses the URI, picks the backend and
runs the call under the common retry policy (``retry.py``). Only the stdlib
is imported here: google-cloud-storage and boto3 are imported by their
backend on first use. See docs/storage.md.
"""

from __future__ import annotations

import io
import os
import shutil
from typing import Any, BinaryIO

from components.files import atomic_write, walk_files

from . import retry as _retry
from .base import Backend, Location, join, parse
from .config import STORAGE, StorageConfig, configure, configured
from .errors import AlreadyExists, NotFound, PreconditionFailed, StorageError

__all__ = [
    "STORAGE",
    "AlreadyExists",
    "Location",
    "NotFound",
    "PreconditionFailed",
    "StorageConfig",
    "StorageError",
    "configure",
    "configured",
    "download",
    "exists",
    "join",
    "list_prefix",
    "open_read",
    "parse",
    "read_bytes",
    "read_versioned",
    "upload_file",
    "upload_tree",
    "write_bytes",
    "write_if_match",
]

_backends: dict[str, Backend] = {}


def _backend(loc: Location) -> Backend:
    name = {"file": "local", "http": "http", "https": "http", "gs": "gcs", "s3": "s3", "minio": "s3"}[loc.scheme]
    backend = _backends.get(name)
    if backend is None:
        cls: type[Backend]
        if name == "local":
            from .local import LocalBackend as cls
        elif name == "http":
            from .http import HttpBackend as cls
        elif name == "gcs":
            from .gcs import GcsBackend as cls
        else:
            from .s3 import S3Backend as cls
        backend = _backends.setdefault(name, cls())
    return backend


def _object(uri, *, needs_write: str = "") -> tuple[Location, Backend]:
    loc = parse(uri)
    backend = _backend(loc)
    if loc.scheme in ("gs", "s3", "minio") and not loc.key.strip("/"):
        raise StorageError(f"{loc.uri}: names a bucket, not an object", uri=loc.uri)
    if needs_write:
        _read_only_guard(loc, backend, needs_write)
    return loc, backend


def _read_only_guard(loc: Location, backend: Backend, what: str) -> None:
    if backend.read_only:
        raise StorageError(
            f"{what} {loc.uri}: not supported, {loc.scheme}:// is read-only (open_read, read_bytes, download, exists)",
            uri=loc.uri,
        )


# ---- reads -----------------------------------------------------------------


def open_read(uri: str | os.PathLike) -> BinaryIO:
    """A buffered binary stream over the object; resumes after transient faults.

    Memory use is bounded by ``STORAGE.chunk_size``. Raises ``NotFound``.
    """
    loc, backend = _object(uri)
    raw = _retry.ResumableReader(loc, backend)
    return io.BufferedReader(raw, buffer_size=max(64 * 1024, int(STORAGE.chunk_size)))


def read_bytes(uri: str | os.PathLike) -> bytes:
    with open_read(uri) as f:
        return f.read()


def download(uri: str | os.PathLike, dest_path: str | os.PathLike) -> str:
    """Copy the object to ``dest_path`` atomically (temp file beside it, then rename)."""
    dest = os.fspath(dest_path)
    with open_read(uri) as src:
        atomic_write(dest, lambda out: shutil.copyfileobj(src, out, max(64 * 1024, int(STORAGE.chunk_size))))
    return dest


def exists(uri: str | os.PathLike) -> bool:
    """True if an object (for local paths: a file) exists at exactly this URI."""
    loc, backend = _object(uri)
    return _retry.run("exists", loc, backend, lambda: bool(backend.exists(loc)))


def list_prefix(uri: str | os.PathLike) -> list[str]:
    """URIs of all objects under ``uri`` taken as a folder (recursive, sorted)."""
    loc = parse(uri)
    backend = _backend(loc)
    _read_only_guard(loc, backend, "list")
    keys = _retry.run("list", loc, backend, lambda: backend.list(loc))
    return [join(loc.uri, key) for key in sorted(keys)]


# ---- writes ----------------------------------------------------------------


def write_bytes(uri: str | os.PathLike, data: bytes, *, if_absent: bool = False) -> None:
    """Write an object whole. With ``if_absent``, raise ``AlreadyExists`` if it exists (atomic)."""
    loc, backend = _object(uri, needs_write="write")
    data = bytes(data)

    def already(exc: BaseException) -> StorageError:
        return AlreadyExists(f"write {loc.uri}: already exists", uri=loc.uri)

    def ours():  # after a lost answer: did our create-only write land?
        current, token = backend.read_versioned(loc)
        return True if current == data else None

    _retry.run(
        "write",
        loc,
        backend,
        lambda: backend.write(loc, data, if_absent),
        on_conflict=already if if_absent else None,
        verify=ours if if_absent else None,
    )


def upload_file(path: str | os.PathLike, uri: str | os.PathLike) -> None:
    """Upload a local file to ``uri`` (overwrites)."""
    local = os.fspath(path)
    if not os.path.isfile(local):
        raise NotFound(f"upload {local} -> {os.fspath(uri)}: no such local file", uri=local)
    loc, backend = _object(uri, needs_write="upload")
    _retry.run("upload", loc, backend, lambda: backend.upload_file(local, loc))


def upload_tree(local_dir: str | os.PathLike, uri_prefix: str | os.PathLike) -> list[str]:
    """Upload every file under ``local_dir`` to ``uri_prefix/<relative path>``; return the URIs."""
    root = os.fspath(local_dir)
    if not os.path.isdir(root):
        raise NotFound(f"upload {root}: no such local folder", uri=root)
    uploaded = []
    for path, rel in walk_files(root):
        target = join(uri_prefix, rel)
        upload_file(path, target)
        uploaded.append(target)
    return uploaded


# ---- compare-and-swap -------------------------------------------------------


def read_versioned(uri: str | os.PathLike) -> tuple[bytes | None, Any]:
    """(content, token) of a small object, or (None, None) if absent. Pass the token to write_if_match."""
    loc, backend = _object(uri, needs_write="read_versioned")
    return _retry.run("read", loc, backend, lambda: backend.read_versioned(loc))


def write_if_match(uri: str | os.PathLike, data: bytes, token: Any) -> Any:
    """Replace the object only if it is unchanged since ``read_versioned`` gave ``token``.

    ``token=None`` means "only if still absent". Returns the new token; raises
    ``PreconditionFailed`` when another writer got there first.
    """
    loc, backend = _object(uri, needs_write="write_if_match")
    data = bytes(data)

    def lost(exc: BaseException) -> StorageError:
        return PreconditionFailed(
            f"write_if_match {loc.uri}: the object changed since it was read (lost a race)", uri=loc.uri
        )

    def ours():
        current, new_token = backend.read_versioned(loc)
        return new_token if current == data and new_token is not None else None

    return _retry.run(
        "write_if_match", loc, backend, lambda: backend.write_if_match(loc, data, token), on_conflict=lost, verify=ours
    )
