"""Retries with bounded exponential backoff, error translation, resumable reads.

This is the only place that decides what to do with a backend's exception:
``NotFound`` / precondition errors are raised at once, transient faults are
retried ``STORAGE.retry_attempts`` times in all, anything else becomes a
``StorageError`` naming the URI.
"""

from __future__ import annotations

import io
import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from . import config
from .base import Backend, Location, TransientFault, generic_kind
from .errors import NotFound, PreconditionFailed, StorageError

log = logging.getLogger(__name__)
T = TypeVar("T")


def classify(backend: Backend, exc: BaseException) -> str | None:
    """Kind of ``exc``, looking through its chain of causes (wrapped client errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = backend.kind(current) or generic_kind(current)
        if kind:
            return kind
        current = current.__cause__ or current.__context__
    return None


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(text) > 300:
        text = text[:300] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _sleep(failed_attempt: int) -> None:
    delay = config.STORAGE.backoff(failed_attempt)
    time.sleep(delay * random.uniform(0.5, 1.0))


def _attempts() -> int:
    return max(1, int(config.STORAGE.retry_attempts))


def gave_up(op: str, loc: Location, attempts: int, last: BaseException) -> StorageError:
    return StorageError(
        f"{op} {loc.uri} failed after {attempts} attempts (transient faults); last error: {describe(last)}",
        uri=loc.uri,
        attempts=attempts,
    )


def run(
    op: str,
    loc: Location,
    backend: Backend,
    fn: Callable[[], T],
    *,
    on_conflict: Callable[[BaseException], StorageError] | None = None,
    verify: Callable[[], Any] | None = None,
) -> T:
    """Call ``fn`` with retries on transient faults.

    ``verify`` serves conditional writes: when a write may have been applied
    although its answer was lost (a transient fault), a later attempt fails its
    precondition against our own write. ``verify()`` then checks whether the
    stored object is ours and returns a non-None result if so.
    """
    attempts = _attempts()
    ambiguous = False
    last: BaseException | None = None
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except StorageError:
            raise
        except Exception as exc:  # noqa: BLE001 - translated below
            kind = classify(backend, exc)
            if kind == "not_found":
                raise NotFound(f"{op} {loc.uri}: not found ({describe(exc)})", uri=loc.uri) from exc
            if kind == "conflict":
                if ambiguous and verify is not None:
                    result = _verify_quietly(verify)
                    if result is not None:
                        return result
                if on_conflict is not None:
                    raise on_conflict(exc) from exc
                raise PreconditionFailed(f"{op} {loc.uri}: precondition failed ({describe(exc)})", uri=loc.uri) from exc
            if kind != "transient":
                raise StorageError(f"{op} {loc.uri} failed: {describe(exc)}", uri=loc.uri) from exc
            last = exc
            ambiguous = True
            log.info("%s %s: attempt %d/%d failed: %s", op, loc.uri, attempt, attempts, describe(exc))
            if attempt < attempts:
                _sleep(attempt)
    assert last is not None
    raise gave_up(op, loc, attempts, last) from last


def _verify_quietly(verify: Callable[[], Any]) -> Any:
    try:
        return verify()
    except Exception:  # noqa: BLE001 - a failed check means "not ours"
        return None


class ResumableReader(io.RawIOBase):
    """A read stream that reopens at the current offset after a transient fault.

    It stays on the object version it first opened (generation / ETag), and
    a stream that ends before the object's size counts as a transient fault.
    Each read gets the full retry budget.
    """

    def __init__(self, loc: Location, backend: Backend):
        super().__init__()
        self._loc = loc
        self._backend = backend
        self._pos = 0
        self._pin: Any = None
        self._size: int | None = None
        self._stream: Any = None
        self._opened_once = False
        self._with_retries("open", lambda: None)

    def readable(self) -> bool:
        return True

    @property
    def size(self) -> int | None:
        return self._size

    def readinto(self, buf) -> int:
        if self._size is not None and self._pos >= self._size:
            return 0
        if len(buf) == 0:
            return 0

        def once() -> int:
            data = self._stream.read(len(buf))
            if not data:
                if self._size is not None and self._pos < self._size:
                    raise TransientFault(f"stream ended at byte {self._pos} of {self._size}")
                return 0
            n = len(data)
            buf[:n] = data
            self._pos += n
            return n

        return self._with_retries("read", once)

    def readall(self) -> bytes:
        parts: list[bytes] = []
        block = bytearray(max(64 * 1024, int(config.STORAGE.chunk_size)))
        while True:
            n = self.readinto(block)
            if not n:
                return b"".join(parts)
            parts.append(bytes(block[:n]))

    def _open(self) -> None:
        opened = self._backend.open_stream(self._loc, self._pos, self._pin)
        if not self._opened_once:
            self._pin, self._size = opened.pin, opened.size
            self._opened_once = True
        self._stream = opened.stream

    def _drop_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close()
            except Exception:  # noqa: BLE001 - already failing
                pass

    def _with_retries(self, op: str, fn: Callable[[], T]) -> T:
        attempts = _attempts()
        failures = 0
        while True:
            try:
                if self._stream is None:
                    self._open()
                return fn()
            except StorageError:
                self._drop_stream()
                raise
            except Exception as exc:  # noqa: BLE001 - translated below
                self._drop_stream()
                kind = classify(self._backend, exc)
                if kind == "not_found" and not self._opened_once:
                    raise NotFound(f"read {self._loc.uri}: not found ({describe(exc)})", uri=self._loc.uri) from exc
                if kind in ("not_found", "conflict"):
                    raise StorageError(
                        f"read {self._loc.uri}: the object changed while being read (at byte {self._pos})",
                        uri=self._loc.uri,
                    ) from exc
                if kind != "transient":
                    raise StorageError(f"{op} {self._loc.uri} failed: {describe(exc)}", uri=self._loc.uri) from exc
                failures += 1
                log.info(
                    "read %s: attempt %d/%d failed at byte %d: %s",
                    self._loc.uri,
                    failures,
                    attempts,
                    self._pos,
                    describe(exc),
                )
                if failures >= attempts:
                    raise gave_up("read", self._loc, attempts, exc) from exc
                _sleep(failures)

    def close(self) -> None:
        self._drop_stream()
        super().close()
