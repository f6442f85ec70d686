"""Reading the files of a source, from a tar archive or a folder, the same way for every study.

A study says which names it wants and parses their content; streaming the
archive, refusing unsafe members and turning a broken or truncated archive
into one clear error happen here.

Readers never extract archives to disk, but a member that would escape its
folder or is a link is still refused: such an archive is malformed or hostile,
and saying so beats silently skipping it.
"""

from __future__ import annotations

import contextlib
import posixpath
import tarfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO, NamedTuple, cast

from components.compression import TRUNCATION_ERRORS, drain, open_stream
from components.errors import DataError
from components.files import walk_files

# What a truncated or corrupt compressed stream raises while it is read.
READ_ERRORS = (*TRUNCATION_ERRORS, zlib.error)


def safe_tar_members(archive: tarfile.TarFile, path: str) -> Iterator[tarfile.TarInfo]:
    for member in archive:
        name = member.name
        normal = posixpath.normpath(name)
        if name.startswith("/") or normal == ".." or normal.startswith("../"):
            raise DataError(f"{path}:{name}", "archive member escapes its folder (absolute path or '..')")
        if member.issym() or member.islnk():
            raise DataError(f"{path}:{name}", f"archive member is a link to {member.linkname!r}; links are refused")
        if not (member.isfile() or member.isdir()):
            raise DataError(f"{path}:{name}", "archive member is not a regular file or folder")
        yield member


class ArchiveFile(NamedTuple):
    """One file of a source: where to point errors, its name inside the source, and its content."""

    where: str
    name: str
    data: bytes


class ArchiveMember(NamedTuple):
    """One file of a tar archive being streamed; ``stream`` is readable until the next member."""

    where: str
    name: str
    stream: BinaryIO


@contextlib.contextmanager
def tar_members(
    path: str, accept: Callable[[str], bool], *, expected: str = "", corrupt: str = ""
) -> Iterator[Iterator[ArchiveMember]]:
    """The regular files of a (compressed) tar archive whose names ``accept`` takes, streamed in order.

    Every error of the archive or its compression inside the ``with`` block,
    including one met while the caller reads a member, becomes one
    ``DataError`` naming the archive: "not a readable tar archive (...)",
    followed by "; expected <expected>" when given; or, with ``corrupt``, that
    text for a truncated or corrupt compressed stream. On a clean exit the
    rest of the stream is read, so that a truncated archive is an error, not
    a shorter dataset.
    """
    try:
        with open_stream(path) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
            yield _accepted(archive, path, accept)
            drain(stream)
    except tarfile.TarError as exc:
        raise DataError(path, _unreadable(exc, expected)) from None
    except READ_ERRORS as exc:
        raise DataError(path, f"{corrupt} ({exc})" if corrupt else _unreadable(exc, expected)) from None


def _accepted(archive: tarfile.TarFile, path: str, accept: Callable[[str], bool]) -> Iterator[ArchiveMember]:
    for member in safe_tar_members(archive, path):
        if member.isfile() and accept(member.name):
            stream = cast(BinaryIO, archive.extractfile(member))  # not None for a regular file
            yield ArchiveMember(f"{path}:{member.name}", member.name, stream)


def _unreadable(exc: BaseException, expected: str) -> str:
    return f"not a readable tar archive ({exc})" + (f"; expected {expected}" if expected else "")


def iter_tar_files(path: str, accept: Callable[[str], bool], *, expected: str = "") -> Iterator[ArchiveFile]:
    """The whole content of every accepted file of a tar archive; errors as in :func:`tar_members`."""
    with tar_members(path, accept, expected=expected) as members:
        for member in members:
            yield ArchiveFile(member.where, member.name, member.stream.read())


def iter_folder_files(root: str, accept: Callable[[str], bool]) -> Iterator[ArchiveFile]:
    """The folder counterpart of :func:`iter_tar_files`: files by their ``/``-separated path below
    ``root``, in sorted order, so that an extracted archive reads like the archive."""
    for path, relative in walk_files(root):
        if accept(relative):
            with open(path, "rb") as f:
                yield ArchiveFile(path, relative, f.read())
