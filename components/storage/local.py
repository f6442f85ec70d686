"""Local files (plain paths and file:// URIs).

Atomicity: every write goes to a temporary file beside the target, is
fsynced, then renamed into place (``os.replace``). Create-only writes publish
the temporary file with ``os.link``, which fails if the target exists.
Compare-and-swap holds an exclusive ``flock`` on the target's folder (the
lock file) while it checks the content hash and renames.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from components.files import is_temp_name, walk_files, write_temp_beside

from .base import Backend, Conflict, Location, Opened
from .errors import StorageError


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parent(path: str) -> str:
    parent = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(parent, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise StorageError(f"{path}: a parent of this path is not a folder", uri=path) from exc
    return parent


def _write_temp(path: str, fill: Callable[[BinaryIO], object]) -> str:
    """A fsynced temp file beside ``path``, written by ``fill``; a parent that is a file is a StorageError."""
    _parent(path)
    return write_temp_beside(path, fill)


def _publish(temp: str, path: str, *, if_absent: bool) -> None:
    try:
        if not if_absent:
            os.replace(temp, path)
            return
        try:
            os.link(temp, path)  # atomic, fails with FileExistsError if path exists
        except FileExistsError as exc:
            raise Conflict(f"{path} already exists") from exc
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
                raise
            # File systems without hard links: exclusive create, then copy.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError as exc2:
                raise Conflict(f"{path} already exists") from exc2
            with os.fdopen(fd, "wb") as out, open(temp, "rb") as src:
                shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


@contextlib.contextmanager
def _folder_lock(folder: str) -> Iterator[None]:
    import fcntl  # POSIX only; imported where needed

    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class LocalBackend(Backend):
    name = "local"

    def kind(self, exc: BaseException) -> str | None:
        if isinstance(exc, FileNotFoundError):
            return "not_found"
        if isinstance(exc, FileExistsError):
            return "conflict"
        return None

    def open_stream(self, loc: Location, offset: int, pin: Any) -> Opened:
        f = open(loc.key, "rb")  # noqa: SIM115 - returned to the caller
        try:
            size = os.fstat(f.fileno()).st_size
            f.seek(offset)
        except BaseException:
            f.close()
            raise
        return Opened(stream=f, pin=None, size=size)

    def exists(self, loc: Location) -> bool:
        return os.path.isfile(loc.key)

    def list(self, loc: Location) -> list[str]:
        root = loc.key
        if not os.path.isdir(root):
            return []
        return [rel for path, rel in walk_files(root) if not is_temp_name(os.path.basename(path))]

    def write(self, loc: Location, data: bytes, if_absent: bool) -> Any:
        temp = _write_temp(loc.key, lambda out: out.write(data))
        _publish(temp, loc.key, if_absent=if_absent)
        return _digest(data)

    def upload_file(self, path: str, loc: Location) -> None:
        if os.path.exists(loc.key) and os.path.samefile(path, loc.key):
            return

        def fill(out):
            with open(path, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)

        _publish(_write_temp(loc.key, fill), loc.key, if_absent=False)

    def read_versioned(self, loc: Location) -> tuple[bytes | None, Any]:
        try:
            with open(loc.key, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return None, None
        return data, _digest(data)

    def write_if_match(self, loc: Location, data: bytes, token: Any) -> Any:
        with _folder_lock(_parent(loc.key)):
            _, current = self.read_versioned(loc)
            if current != token:
                raise Conflict(f"{loc.uri} changed (expected {token!r}, found {current!r})")
            temp = _write_temp(loc.key, lambda out: out.write(data))
            _publish(temp, loc.key, if_absent=token is None)
        return _digest(data)
