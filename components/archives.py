"""Reading the files of a source, from a tar or zip archive or a folder, the same way for every study.

A study says which names it wants and parses their content; streaming the
archive, refusing unsafe members and turning a broken or truncated archive
into one clear error happen here, once, so every reader refuses the same
things:

- a member that would escape its folder (absolute path, ``..``) or is a
  link: readers never extract to disk, but such an archive is malformed or
  hostile, and saying so beats silently skipping it;
- a member that appears twice (which copy is the data?);
- a member larger than the reader's ``max_bytes`` (checked from the header
  before reading, and again while reading, since headers can lie), and a
  compressed archive that expands like a bomb (see ``components.compression``);
- a tar that is cut or corrupt anywhere: every header must be valid up to the
  end-of-archive marker, and only zero padding may follow it, so a damaged
  archive is an error, never a shorter dataset;
- zip members that are encrypted or use a compression other than stored or
  deflate.

Entries that are not data are skipped the same way everywhere: any path with
a component starting with ``.`` (macOS ``._*`` AppleDouble files,
``.DS_Store``, ``.git/``) or named ``__MACOSX``.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO, NamedTuple, Self, cast

from components.compression import TRUNCATION_ERRORS, open_stream
from components.errors import DataError, reason
from components.files import walk_files

# What a truncated or corrupt compressed stream raises while it is read.
READ_ERRORS = TRUNCATION_ERRORS
# More members than any study's source has (aclImdb_v1 has about 100,000), so that
# an archive of millions of empty members cannot keep a reader busy or fill memory.
MAX_MEMBERS = 1_000_000
ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, struct.error, ValueError, OverflowError)


def is_zip(path: str) -> bool:
    """Whether the file at ``path`` starts like a zip archive (or an npz, which is one)."""
    with open(path, "rb") as f:
        return f.read(2) == b"PK"


def is_hidden(name: str) -> bool:
    """Whether a member or file is not data: a dot file or folder, or macOS' ``__MACOSX``."""
    return any(part.startswith(".") and part not in (".", "..") or part == "__MACOSX" for part in name.split("/"))


def check_member_name(path: str, name: str) -> None:
    """Refuse a member name that is absolute or climbs out of the archive with ``..``."""
    normal = posixpath.normpath(name.replace("\\", "/"))
    drive = len(name) > 1 and name[1] == ":"
    if name.startswith(("/", "\\")) or drive or normal == ".." or normal.startswith("../"):
        raise DataError(f"{path}:{name}", "archive member escapes its folder (absolute path or '..')")


def safe_tar_members(archive: tarfile.TarFile, path: str) -> Iterator[tarfile.TarInfo]:
    """Every member of a streamed tar, checked; members are not kept, so memory stays flat."""
    seen: set[str] = set()
    count = 0
    while (member := archive.next()) is not None:
        count += 1
        if count > MAX_MEMBERS:
            raise DataError(path, f"more than {MAX_MEMBERS} archive members; no study's source has that many")
        archive.members.clear()  # type: ignore[attr-defined]  # tarfile keeps every header otherwise: millions for a hostile archive
        name = member.name
        check_member_name(path, name)
        if member.issym() or member.islnk():
            raise DataError(f"{path}:{name}", f"archive member is a link to {member.linkname!r}; links are refused")
        if member.issparse() or not (member.isfile() or member.isdir()):
            raise DataError(f"{path}:{name}", "archive member is not a regular file or folder")
        if member.isfile() and not is_hidden(name):  # a folder listed twice is harmless
            _check_new(path, name, seen)
        yield member


def _check_new(path: str, name: str, seen: set[str]) -> None:
    """Refuse a second file of the same name: which copy would be the data?"""
    key = posixpath.normpath(name)
    if key in seen:
        raise DataError(f"{path}:{name}", "archive member appears twice; expected each file once")
    seen.add(key)


class _StrictTarInfo(tarfile.TarInfo):
    """Tar headers that may not be broken: ``tarfile`` ends the archive quietly at a bad
    header after the first, which would make a damaged archive a shorter dataset."""

    @classmethod
    def fromtarfile(cls, tarfile_: tarfile.TarFile) -> Self:
        try:
            return super().fromtarfile(tarfile_)
        except tarfile.EOFHeaderError:  # type: ignore[attr-defined]  # not in typeshed
            raise  # a zero block: the end-of-archive marker, checked by _check_end
        except tarfile.EmptyHeaderError:  # type: ignore[attr-defined]
            raise tarfile.ReadError(
                f"cut at byte {tarfile_.offset}: the archive ends without an end-of-archive marker"
            ) from None
        except tarfile.HeaderError as exc:
            raise tarfile.ReadError(f"broken member header at byte {tarfile_.offset} ({exc})") from None


def _check_end(archive: tarfile.TarFile) -> None:
    """After the end-of-archive marker only zero padding may follow: a zeroed header in the
    middle of an archive would otherwise hide every member after it."""
    stream = cast(BinaryIO, archive.fileobj)
    offset = archive.offset
    while chunk := stream.read(1 << 20):
        if chunk.strip(b"\0"):
            raise tarfile.ReadError(
                f"data after the end-of-archive marker at byte {offset}: a member header there is zeroed or the "
                "archive is damaged"
            )


class ArchiveFile(NamedTuple):
    """One file of a source: where to point errors, its name inside the source, and its content."""

    where: str
    name: str
    data: bytes


class ArchiveMember(NamedTuple):
    """One file of a tar archive being streamed; ``stream`` is readable until the next member,
    and holds ``size`` bytes (from its header)."""

    where: str
    name: str
    stream: BinaryIO
    size: int


def read_bounded(stream: BinaryIO, where: str, max_bytes: int, declared: int) -> bytes:
    """All of ``stream``, refused past ``max_bytes``. ``declared`` (the size its header or the
    file system gives) sizes the first read, since a ``max_bytes`` buffer for every small file
    costs more than the file; a stream longer than declared is still read, up to the limit."""
    data = stream.read(min(max_bytes, declared) + 1)
    if len(data) > declared and len(data) <= max_bytes:
        data += stream.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:
        raise DataError(where, f"larger than {max_bytes} bytes; no file of this source is that large")
    return data


def _check_size(where: str, size: int, max_bytes: int | None) -> None:
    if max_bytes is not None and size > max_bytes:
        raise DataError(where, f"{size} bytes, larger than {max_bytes}; no file of this source is that large")


@contextlib.contextmanager
def tar_members(
    path: str,
    accept: Callable[[str], bool],
    *,
    expected: str = "",
    corrupt: str = "",
    max_bytes: int | None = None,
) -> Iterator[Iterator[ArchiveMember]]:
    """The regular files of a (compressed) tar archive whose names ``accept`` takes, streamed in order.

    Every error of the archive or its compression inside the ``with`` block,
    including one met while the caller reads a member, becomes one
    ``DataError`` naming the archive: "not a readable tar archive (...)",
    followed by "; expected <expected>" when given; or, with ``corrupt``, that
    text for a truncated or corrupt compressed stream. On a clean exit the
    rest of the archive is read and checked, so that a truncated or damaged
    archive is an error, not a shorter dataset. Members larger than
    ``max_bytes`` (by their header) are refused before they are read.
    """
    try:
        with (
            open_stream(path) as stream,
            tarfile.open(fileobj=stream, mode="r|", tarinfo=_StrictTarInfo) as archive,
        ):
            yield _accepted(archive, path, accept, max_bytes)
            _check_end(archive)
    except tarfile.TarError as exc:
        raise DataError(path, _unreadable(exc, expected)) from None
    except READ_ERRORS as exc:
        raise DataError(path, f"{corrupt} ({reason(exc)})" if corrupt else _unreadable(exc, expected)) from None


def _accepted(
    archive: tarfile.TarFile, path: str, accept: Callable[[str], bool], max_bytes: int | None
) -> Iterator[ArchiveMember]:
    for member in safe_tar_members(archive, path):
        if member.isfile() and not is_hidden(member.name) and accept(member.name):
            where = f"{path}:{member.name}"
            _check_size(where, member.size, max_bytes)
            stream = cast(BinaryIO, archive.extractfile(member))  # not None for a regular file
            yield ArchiveMember(where, member.name, stream, member.size)


def _unreadable(exc: BaseException, expected: str) -> str:
    return f"not a readable tar archive ({reason(exc)})" + (f"; expected {expected}" if expected else "")


def iter_tar_files(
    path: str, accept: Callable[[str], bool], *, max_bytes: int, expected: str = ""
) -> Iterator[ArchiveFile]:
    """The whole content of every accepted file of a tar archive; errors as in :func:`tar_members`."""
    with tar_members(path, accept, expected=expected, max_bytes=max_bytes) as members:
        for member in members:
            data = read_bounded(member.stream, member.where, max_bytes, member.size)
            yield ArchiveFile(member.where, member.name, data)


def iter_folder_files(root: str, accept: Callable[[str], bool], *, max_bytes: int) -> Iterator[ArchiveFile]:
    """The folder counterpart of :func:`iter_tar_files`: files by their ``/``-separated path below
    ``root``, in sorted order, so that an extracted archive reads like the archive."""
    for path, relative in walk_files(root):
        if not is_hidden(relative) and accept(relative):
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                yield ArchiveFile(path, relative, read_bounded(cast(BinaryIO, f), path, max_bytes, size))


@contextlib.contextmanager
def open_zip(path: str, what: str = "zip archive") -> Iterator[zipfile.ZipFile]:
    """A zip archive whose every format error, met while opening or reading it, is a DataError
    "not a readable <what> (...)" naming ``path``."""
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except DataError:
        raise
    except _ZIP_ERRORS as exc:
        raise DataError(path, f"not a readable {what} ({reason(exc)})") from None


def zip_members(archive: zipfile.ZipFile, path: str) -> list[zipfile.ZipInfo]:
    """The data files of a zip: names checked like tar names, hidden entries skipped,
    duplicates, encrypted members and unsupported compression refused."""
    seen: set[str] = set()
    members = []
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise DataError(path, f"more than {MAX_MEMBERS} archive members; no study's source has that many")
    for info in infos:
        check_member_name(path, info.filename)
        if info.is_dir() or is_hidden(info.filename):
            continue
        _check_new(path, info.filename, seen)
        where = f"{path}:{info.filename}"
        if info.flag_bits & 0x1:
            raise DataError(where, "the member is encrypted; expected an unencrypted archive")
        if info.compress_type not in ZIP_METHODS:
            raise DataError(
                where,
                f"compression method {info.compress_type} is not supported; expected "
                f"{' or '.join(ZIP_METHODS.values())}",
            )
        members.append(info)
    return members


def read_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, max_bytes: int) -> bytes:
    """A member's bytes, its declared size checked before reading and its real size while reading."""
    where = f"{path}:{info.filename}"
    _check_size(where, info.file_size, max_bytes)
    try:
        with archive.open(info) as member:
            return read_bounded(cast(BinaryIO, member), where, max_bytes, info.file_size)
    except _ZIP_ERRORS as exc:
        raise DataError(where, f"unreadable member ({reason(exc)})") from None
