"""Keep the memory a streaming step frees, for its next block, instead of handing it back.

A streaming reader allocates and frees a block of a few MiB many times a
second (a decompressed chunk, its text, its parsed rows). By default glibc
serves such blocks with a fresh ``mmap`` and unmaps them when freed, or
trims the top of its heap as soon as a few MiB there are free, so the next
block is new memory again: page faults, and the kernel zeroing every page.
On this project's 2-core VM, zeroing runs at a few hundred MB/s, and mirai's
ingest spent 4 s of its 13 s reading in the kernel that way.

:func:`reuse_freed_blocks` raises the thresholds for the calling process:
blocks under ``MMAP_BYTES`` come from the heap, and the heap keeps up to
``TRIM_BYTES`` free at its top. The price is up to that much more resident
memory, which is why only ingest, the step that reads a whole source through
such blocks, calls it. Other C libraries (musl, macOS) have no ``mallopt``
and keep their own behaviour.
"""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)

MMAP_BYTES = 64 << 20
TRIM_BYTES = 256 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def reuse_freed_blocks() -> bool:
    """Set the thresholds for this process; False where the C library has no ``mallopt``."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    ok = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES))
    if not ok:
        log.debug("mallopt refused the thresholds; the allocator keeps its defaults")
    return ok
