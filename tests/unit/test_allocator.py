import subprocess
import sys

import pytest

from components import allocator


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_freed_blocks_are_reused_rather_than_mapped_again():
    """In a fresh process, a freed 4 MiB block comes back at the same address once the
    thresholds are raised: the heap kept it. By default such a block is a new mapping each
    time until glibc adapts, so the first reuse below would fail without the call."""
    script = """
import ctypes, sys
from components import allocator
assert allocator.reuse_freed_blocks()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
first = libc.malloc(4 << 20); libc.free(first)
second = libc.malloc(4 << 20); libc.free(second)
print(first == second)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
    assert allocator.reuse_freed_blocks() is True
