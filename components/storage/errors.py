"""Errors raised by the storage layer.

Every message names the URI and says what went wrong, so that a failed
pipeline step can be understood from its log line alone.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class: an operation on a storage URI failed."""

    def __init__(self, message: str, *, uri: str | None = None, attempts: int | None = None):
        super().__init__(message)
        self.uri = uri
        self.attempts = attempts


class NotFound(StorageError):
    """The object (or bucket) does not exist."""


class AlreadyExists(StorageError):
    """A create-only write (``if_absent=True``) found an existing object."""


class PreconditionFailed(StorageError):
    """A compare-and-swap write lost a race: the object changed since it was read."""
