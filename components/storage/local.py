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
import re
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

from .base import Backend, Conflict, Location, Opened
from .errors import StorageError

_TEMP = re.compile(r"^\..+\.tmp-[A-Za-z0-9_]+$")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parent(path: str) -> str:
    parent = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(parent, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise StorageError(f"{path}: a parent of this path is not a folder", uri=path) from exc
    return parent


def _temp_beside(path: str) -> tuple[int, str]:
    name = os.path.basename(path)
    return tempfile.mkstemp(dir=_parent(path), prefix=f".{name}.", suffix=".tmp-" + os.urandom(4).hex())


def _write_temp(path: str, fill) -> str:
    """Create a temp file beside ``path``, let ``fill(fileobj)`` write it, fsync; return its name."""
    fd, temp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as out:
            fill(out)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


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
        keys = []
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in files:
                if _TEMP.match(name):
                    continue
                rel = os.path.relpath(os.path.join(folder, name), root)
                keys.append(rel.replace(os.sep, "/"))
        return keys

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
