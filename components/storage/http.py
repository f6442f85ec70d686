"""Read-only http(s):// sources (urllib, stdlib only).

Resumed reads use a Range request; a server that ignores Range gets its
first bytes skipped. A changed ETag between two requests of one read is
reported as the object changing under the reader.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

from . import config
from .base import Backend, Conflict, Location, Opened

_CONTENT_RANGE = re.compile(r"bytes\s+\d+-\d+/(\d+)")


class _Empty:
    def read(self, n: int = -1) -> bytes:
        return b""

    def close(self) -> None:
        pass


class HttpBackend(Backend):
    name = "http"
    read_only = True

    def kind(self, exc: BaseException) -> str | None:
        if isinstance(exc, urllib.error.HTTPError):
            if exc.code in (404, 410):
                return "not_found"
            if exc.code == 412:
                return "conflict"
            if exc.code in (408, 425, 429) or exc.code >= 500:
                return "transient"
            return None
        if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, (ConnectionError, TimeoutError)):
            return "transient"
        return None

    def _open(self, url: str, method: str = "GET", headers: dict | None = None):
        request = urllib.request.Request(url, method=method, headers=headers or {})
        return urllib.request.urlopen(request, timeout=config.STORAGE.timeout)  # noqa: S310 - http(s) only

    def open_stream(self, loc: Location, offset: int, pin: Any) -> Opened:
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            response = self._open(loc.key, headers=headers)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and offset:
                return Opened(stream=_Empty(), pin=pin, size=offset)
            raise
        try:
            etag = response.headers.get("ETag")
            if pin and etag and etag != pin:
                raise Conflict(f"{loc.uri}: ETag changed from {pin} to {etag}")
            length = response.headers.get("Content-Length")
            if response.status == 206:
                match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
                size = int(match.group(1)) if match else (offset + int(length) if length else None)
            else:
                size = int(length) if length else None
                skip = offset
                while skip > 0:  # the server ignored Range: drop what we already have
                    chunk = response.read(min(skip, 1024 * 1024))
                    if not chunk:
                        break
                    skip -= len(chunk)
        except BaseException:
            response.close()
            raise
        return Opened(stream=response, pin=etag, size=size)

    def exists(self, loc: Location) -> bool:
        for method in ("HEAD", "GET"):
            try:
                with self._open(loc.key, method=method):
                    return True
            except urllib.error.HTTPError as exc:
                if exc.code in (404, 410):
                    return False
                if method == "HEAD" and exc.code in (405, 501):
                    continue  # HEAD not allowed: ask with GET
                raise
        return False
