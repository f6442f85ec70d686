"""Run an iterator a few items ahead in a background thread.

Reading a large source is two kinds of work, decompressing and parsing.
Decompression releases the GIL (zlib, bz2, lzma), and so does pandas' C
tokenizer for mirai's CSV, so overlapping them on two cores brings ingest
close to the speed of ``gzip -dc`` or ``bzip2 -dc`` alone. The queue is
bounded, so at most ``depth`` items wait in memory.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()
_POLL_SECONDS = 0.1


@contextlib.contextmanager
def prefetched(items: Iterator[T], depth: int = 2) -> Iterator[Iterator[T]]:
    """Yield an iterator over ``items`` produced in a thread; the producer's
    exceptions are re-raised in the consumer, and leaving the block early
    stops the producer."""
    pending: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                pending.put(entry, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put((_END, exc))

    def consume() -> Iterator[T]:
        while True:
            item, error = pending.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item

    thread = threading.Thread(target=produce, name="prefetch", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join()
