"""Local-file helpers every step and the storage layer share: digests, a stable walk, atomic writes.

They live once so that two places that must agree do agree: ingest and the
source probe give a folder the same digest, the registry lists a model folder
in the order it uploads it, and the storage layer's listing recognises the
temporary files that writes leave beside their target while they run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

CHUNK = 1 << 20
# ``.<target name>.<random>.tmp-<hex>``: hidden, and named after the file it will become.
_TEMP_NAME = re.compile(r"^\..+\.tmp-[0-9a-f]+$")


def stream_sha256(stream: BinaryIO) -> tuple[str, int]:
    """(sha256 hex, bytes read) of the rest of ``stream``, read in bounded chunks."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def file_sha256(path: str) -> tuple[str, int]:
    """(sha256 hex, size in bytes) of a file."""
    with open(path, "rb") as f:
        return stream_sha256(f)


def walk_files(root: str) -> Iterator[tuple[str, str]]:
    """``(path, relative)`` of every file under ``root``, folders and names in sorted order.

    ``relative`` uses ``/`` whatever the OS, as object keys and digests need a
    spelling that does not depend on where they were made.
    """
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            yield path, os.path.relpath(path, root).replace(os.sep, "/")


def tree_sha256(root: str) -> tuple[str, int]:
    """A folder's digest and total size: every file's relative path and content, in sorted order."""
    digest, size = hashlib.sha256(), 0
    for path, relative in walk_files(root):
        file_digest, file_size = file_sha256(path)
        digest.update(f"{relative}\0{file_digest}\n".encode())
        size += file_size
    return digest.hexdigest(), size


def path_sha256(path: str) -> tuple[str, int]:
    """:func:`tree_sha256` of a folder, :func:`file_sha256` of a file: the digest of an artifact either way."""
    return (tree_sha256 if os.path.isdir(path) else file_sha256)(path)


def is_temp_name(name: str) -> bool:
    """Whether a file name is one of :func:`write_temp_beside`'s, i.e. a write still in progress."""
    return bool(_TEMP_NAME.match(name))


def umask() -> int:
    """The process's umask, read without changing it where Linux allows (``os.umask`` can only
    read it by setting it, which another thread could observe)."""
    with contextlib.suppress(OSError):
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_temp_beside(path: str, fill: Callable[[BinaryIO], object]) -> str:
    """A temporary file in ``path``'s folder, written by ``fill`` and fsynced; returns its name.

    The caller publishes it (rename, or link for create-only writes). Being in
    the same folder makes the rename atomic; on any failure nothing is left.
    The file gets the mode any new file would (0666 less the umask), not
    ``mkstemp``'s private 0600, since it becomes an ordinary output.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    suffix = ".tmp-" + os.urandom(4).hex()
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=suffix)
    try:
        os.fchmod(fd, 0o666 & ~umask())
        with os.fdopen(fd, "wb") as out:
            fill(out)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def atomic_write(path: str, fill: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` through ``fill`` so that a reader sees the old file or the whole new one.

    A failed write (a full disk, an error in ``fill``) leaves neither a partial
    file nor a temporary one behind.
    """
    temp = write_temp_beside(path, fill)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
