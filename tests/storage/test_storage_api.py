"""Every storage API function on each backend (local, fake-gcs-server, moto S3) and http reads."""

from __future__ import annotations

import ast
import json
import os
import sys
import threading
from pathlib import Path

import pytest

from components import storage
from components.storage import base

PAYLOAD = bytes(range(256)) * 800  # 200 KiB, not text


def test_write_read_exists_list(store):
    uri = store.uri("a", "b.bin")
    assert not storage.exists(uri)
    storage.write_bytes(uri, PAYLOAD)
    assert storage.exists(uri)
    assert storage.read_bytes(uri) == PAYLOAD
    storage.write_bytes(uri, b"second")  # plain writes overwrite
    assert storage.read_bytes(uri) == b"second"
    storage.write_bytes(store.uri("a", "c", "d.txt"), b"d")
    storage.write_bytes(store.uri("top.json"), b"{}")
    assert storage.list_prefix(store.root) == [
        store.uri("a", "b.bin"),
        store.uri("a", "c", "d.txt"),
        store.uri("top.json"),
    ]
    assert storage.list_prefix(store.uri("a")) == [store.uri("a", "b.bin"), store.uri("a", "c", "d.txt")]
    assert storage.list_prefix(store.uri("a") + "/") == [store.uri("a", "b.bin"), store.uri("a", "c", "d.txt")]
    assert storage.list_prefix(store.uri("nothing-here")) == []


def test_write_if_absent(store):
    uri = store.uri("card.json")
    storage.write_bytes(uri, b"first", if_absent=True)
    with pytest.raises(storage.AlreadyExists) as err:
        storage.write_bytes(uri, b"second", if_absent=True)
    assert uri in str(err.value)
    assert storage.read_bytes(uri) == b"first"


def test_if_absent_is_atomic_under_concurrency(store):
    uri = store.uri("once.txt")
    winners, losers = [], []
    barrier = threading.Barrier(8)

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            storage.write_bytes(uri, f"writer {i}".encode(), if_absent=True)
            winners.append(i)
        except storage.AlreadyExists:
            losers.append(i)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1 and len(losers) == 7
    assert storage.read_bytes(uri) == f"writer {winners[0]}".encode()


def test_not_found(store, tmp_path):
    missing = store.uri("missing.bin")
    for call in (storage.read_bytes, storage.open_read, lambda u: storage.download(u, tmp_path / "x")):
        with pytest.raises(storage.NotFound) as err:
            call(missing)
        assert missing in str(err.value)
    assert not (tmp_path / "x").exists()
    assert storage.read_versioned(missing) == (None, None)
    with pytest.raises(storage.NotFound):
        storage.upload_file(tmp_path / "no-such-file", store.uri("x"))


def test_open_read_streams_in_bounded_chunks(store, monkeypatch):
    monkeypatch.setattr(storage.STORAGE, "chunk_size", 16 * 1024)
    uri = store.uri("big.bin")
    storage.write_bytes(uri, PAYLOAD)
    pieces = []
    with storage.open_read(uri) as f:
        while True:
            piece = f.read(10_000)
            if not piece:
                break
            assert len(piece) <= 16 * 1024
            pieces.append(piece)
    assert b"".join(pieces) == PAYLOAD
    with storage.open_read(uri) as f:
        assert f.read(5) == PAYLOAD[:5]
        assert f.read() == PAYLOAD[5:]


def test_read_never_mixes_versions(store, monkeypatch):
    """An object replaced during a streamed read: old bytes only, or a clear error."""
    monkeypatch.setattr(storage.STORAGE, "chunk_size", 16 * 1024)
    uri = store.uri("replaced.bin")
    storage.write_bytes(uri, PAYLOAD)
    with storage.open_read(uri) as f:
        head = f.read(16 * 1024)
        storage.write_bytes(uri, b"new" * 70_000)
        try:
            rest = f.read()
        except storage.StorageError as err:
            assert "changed while being read" in str(err) and uri in str(err)
        else:
            assert head + rest == PAYLOAD


def test_large_file_roundtrip(store, tmp_path):
    """Larger than GCS's single-request upload limit (8 MiB): resumable upload, chunked reads."""
    big = tmp_path / "big.bin"
    block = os.urandom(1024 * 1024)
    big.write_bytes(block * 9 + b"tail")
    uri = store.uri("big", "big.bin")
    storage.upload_file(big, uri)
    back = storage.download(uri, tmp_path / "back.bin")
    assert Path(back).read_bytes() == big.read_bytes()


def test_empty_object(store, tmp_path):
    uri = store.uri("empty")
    storage.write_bytes(uri, b"")
    assert storage.exists(uri)
    assert storage.read_bytes(uri) == b""
    assert Path(storage.download(uri, tmp_path / "e")).read_bytes() == b""


def test_download_is_atomic_and_replaces(store, tmp_path):
    uri = store.uri("m", "model.keras")
    storage.write_bytes(uri, PAYLOAD)
    dest = tmp_path / "out" / "model.keras"
    dest.parent.mkdir()
    dest.write_bytes(b"old")
    assert storage.download(uri, dest) == str(dest)
    assert dest.read_bytes() == PAYLOAD
    assert os.listdir(dest.parent) == ["model.keras"]  # no temp file left
    with pytest.raises(storage.NotFound):
        storage.download(store.uri("m", "nope"), dest)
    assert dest.read_bytes() == PAYLOAD and os.listdir(dest.parent) == ["model.keras"]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _stored_tree(prefix: str) -> dict[str, bytes]:
    """Every object under ``prefix``, read back through the storage layer, by its key below it."""
    return {uri[len(prefix) + 1 :]: storage.read_bytes(uri) for uri in storage.list_prefix(prefix)}


def test_upload_tree_and_read_it_back(store, tmp_path):
    src = tmp_path / "model"
    (src / "saved_model" / "variables").mkdir(parents=True)
    (src / "model.keras").write_bytes(PAYLOAD)
    (src / "saved_model" / "saved_model.pb").write_bytes(b"pb")
    (src / "saved_model" / "variables" / "variables.index").write_bytes(b"idx")
    (src / "report.html").write_text("<html></html>")
    uploaded = storage.upload_tree(src, store.uri("v1"))
    assert sorted(uploaded) == storage.list_prefix(store.uri("v1"))
    assert len(uploaded) == 4
    single = store.uri("single.bin")
    storage.upload_file(src / "model.keras", single)
    assert storage.read_bytes(single) == PAYLOAD

    assert _stored_tree(store.uri("v1")) == _tree(src)


def test_compare_and_swap(store):
    uri = store.uri("champion.json")
    assert storage.read_versioned(uri) == (None, None)
    token = storage.write_if_match(uri, b"one", None)
    assert token is not None
    with pytest.raises(storage.PreconditionFailed) as err:
        storage.write_if_match(uri, b"other", None)  # no longer absent
    assert uri in str(err.value)
    data, token1 = storage.read_versioned(uri)
    assert data == b"one"
    token2 = storage.write_if_match(uri, b"two", token1)
    assert token2 != token1
    with pytest.raises(storage.PreconditionFailed):
        storage.write_if_match(uri, b"stale", token1)
    assert storage.read_versioned(uri) == (b"two", token2)


def test_compare_and_swap_counter_under_concurrency(store):
    uri = store.uri("counter.json")
    barrier = threading.Barrier(8)
    lost = []

    def increment() -> None:
        barrier.wait()
        while True:
            data, token = storage.read_versioned(uri)
            count = json.loads(data)["n"] if data else 0
            try:
                storage.write_if_match(uri, json.dumps({"n": count + 1}).encode(), token)
                return
            except storage.PreconditionFailed:
                lost.append(1)

    threads = [threading.Thread(target=increment) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert json.loads(storage.read_bytes(uri)) == {"n": 8}


def test_errors_are_clear(tmp_path, monkeypatch):
    with pytest.raises(storage.StorageError, match="unsupported scheme 'ftp'"):
        storage.read_bytes("ftp://host/x")
    with pytest.raises(storage.StorageError, match="names a bucket, not an object"):
        storage.read_bytes("gs://bucket")
    with pytest.raises(storage.StorageError, match="no bucket"):
        storage.read_bytes("s3:///key")
    with pytest.raises(storage.StorageError, match="read-only"):
        storage.write_bytes("https://example.invalid/x", b"x")
    with pytest.raises(storage.StorageError, match="read-only"):
        storage.list_prefix("http://example.invalid/x")
    monkeypatch.setattr(storage.STORAGE, "s3_endpoint_url", None)
    monkeypatch.setattr(storage.STORAGE, "minio_endpoint_url", None)
    with pytest.raises(storage.StorageError, match="minio_endpoint_url"):
        storage.read_bytes("minio://mlpipeline/x")
    with pytest.raises(storage.StorageError, match="not a folder"):
        (tmp_path / "file").write_text("x")
        storage.write_bytes(str(tmp_path / "file" / "child"), b"x")


def test_file_uris(tmp_path):
    uri = (tmp_path / "a b" / "c.txt").as_uri()
    storage.write_bytes(uri, b"c")
    assert (tmp_path / "a b" / "c.txt").read_bytes() == b"c"
    assert storage.list_prefix((tmp_path / "a b").as_uri()) == [uri]
    assert storage.exists(uri)
    assert storage.read_bytes(uri) == b"c"


def test_s3_endpoint_from_env_at_call_time(s3_no_endpoint, monkeypatch):
    s3_server = s3_no_endpoint
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.url)
    uri = f"s3://{s3_server.bucket}/env-endpoint/x.txt"
    storage.write_bytes(uri, b"via env")
    assert storage.read_bytes(uri) == b"via env"


def test_minio_scheme_uses_its_endpoint(s3_no_endpoint, monkeypatch):
    s3_server = s3_no_endpoint
    monkeypatch.setattr(storage.STORAGE, "minio_endpoint_url", s3_server.url)
    uri = f"minio://{s3_server.bucket}/minio-scheme/a.txt"
    storage.write_bytes(uri, b"m", if_absent=True)
    assert storage.list_prefix(f"minio://{s3_server.bucket}/minio-scheme") == [uri]
    assert storage.read_bytes(uri) == b"m"
    monkeypatch.setattr(storage.STORAGE, "s3_endpoint_url", s3_server.url)  # same object through s3://
    assert storage.read_bytes(f"s3://{s3_server.bucket}/minio-scheme/a.txt") == b"m"


def test_gcs_missing_bucket_is_not_found(gcs_server, monkeypatch):
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_server.url)
    with pytest.raises(storage.NotFound):
        storage.read_bytes("gs://no-such-bucket/x")


# ---- http(s) -------------------------------------------------------------------------


def test_http_reads(http_site, tmp_path):
    (http_site.root / "data").mkdir(exist_ok=True)
    (http_site.root / "data" / "blob.bin").write_bytes(PAYLOAD)
    uri = f"{http_site.url}/data/blob.bin"
    assert storage.exists(uri)
    assert not storage.exists(f"{http_site.url}/data/missing.bin")
    assert storage.read_bytes(uri) == PAYLOAD
    with storage.open_read(uri) as f:
        assert f.read(3) == PAYLOAD[:3]
    assert Path(storage.download(uri, tmp_path / "blob.bin")).read_bytes() == PAYLOAD
    with pytest.raises(storage.NotFound, match="missing.bin"):
        storage.read_bytes(f"{http_site.url}/data/missing.bin")
    for call in (lambda: storage.upload_file(tmp_path / "blob.bin", uri), lambda: storage.read_versioned(uri)):
        with pytest.raises(storage.StorageError, match="read-only"):
            call()


# ---- module hygiene ------------------------------------------------------------------


def test_storage_modules_import_only_stdlib_at_top_level():
    """components.files, which the storage layer shares with the steps, is held to the same rule."""
    folder = Path(storage.__file__).parent
    shared = folder.parent / "files.py"
    for path in [*sorted(folder.glob("*.py")), shared]:
        tree = ast.parse(path.read_text())
        for node in tree.body:
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                allowed = top in sys.stdlib_module_names or top == "__future__" or name == "components.files"
                assert allowed, f"{path.name} imports {name} at top level"


def test_configuration_is_explicit_and_restorable():
    before = storage.STORAGE.retry_attempts
    with storage.configured(retry_attempts=2, s3_endpoint_url="http://127.0.0.1:1") as cfg:
        assert cfg is storage.STORAGE and cfg.retry_attempts == 2
    assert storage.STORAGE.retry_attempts == before and storage.STORAGE.s3_endpoint_url is None
    with pytest.raises(TypeError, match="unknown storage setting"):
        storage.configure(retries=3)
    assert [storage.STORAGE.backoff(n) for n in (1, 2, 3)] == [0.005, 0.01, 0.02]  # capped by retry_max_delay


def test_join():
    assert base.join("gs://b/p/", "a", "/b/") == "gs://b/p/a/b"
    assert base.join("s3://b", "k") == "s3://b/k"
    assert base.join("/tmp/x", "a/b") == "/tmp/x/a/b"
