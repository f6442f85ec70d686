"""Archive members that are safe to read: no path escape, no links or devices.

Readers never extract archives to disk, but a member that would escape its
folder or is a link is still refused: such an archive is malformed or hostile,
and saying so beats silently skipping it.
"""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Iterator

from components.errors import DataError


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
