"""Transient faults injected by a loopback proxy in front of fake-gcs-server, moto and http.server."""

from __future__ import annotations

import pytest

from components import storage

PAYLOAD = bytes(range(251)) * 1200  # ~300 KB


@pytest.mark.parametrize("mode", ["503", "drop"])
def test_calls_succeed_through_retries(faulty, mode):
    store, proxy = faulty.store, faulty.proxy
    uri = store.uri("dir", "obj.bin")

    proxy.fail_next(2, mode)
    storage.write_bytes(uri, PAYLOAD)
    assert proxy.faults == 2

    proxy.fail_next(2, mode)
    assert storage.read_bytes(uri) == PAYLOAD

    proxy.fail_next(2, mode)
    assert storage.exists(uri)

    proxy.fail_next(2, mode)
    assert storage.list_prefix(store.uri("dir")) == [uri]

    proxy.fail_next(2, mode)
    storage.write_bytes(store.uri("card.json"), b"{}", if_absent=True)

    proxy.fail_next(2, mode)
    data, token = storage.read_versioned(uri)
    assert data == PAYLOAD

    proxy.fail_next(2, mode)
    storage.write_if_match(uri, b"next", token)
    assert storage.read_bytes(uri) == b"next"
    assert proxy.faults == 14


def test_upload_tree_and_read_it_back_through_faults(faulty, tmp_path):
    store, proxy = faulty.store, faulty.proxy
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.bin").write_bytes(PAYLOAD)
    (src / "sub" / "b.txt").write_text("b")
    proxy.fail_next(3, "503")
    storage.upload_tree(src, store.uri("tree"))
    proxy.fail_next(3, "drop")
    listed = storage.list_prefix(store.uri("tree"))
    assert listed == [store.uri("tree", "a.bin"), store.uri("tree", "sub", "b.txt")]
    assert storage.read_bytes(listed[0]) == PAYLOAD
    assert storage.read_bytes(listed[1]) == b"b"
    assert proxy.faults == 6


def test_create_only_write_whose_answer_was_lost(faulty):
    """The write landed but its answer was dropped: the retry must not report AlreadyExists."""
    store, proxy = faulty.store, faulty.proxy
    uri = store.uri("model.json")
    proxy.fail_next(1, "drop_after")
    storage.write_bytes(uri, b'{"version": "v1"}', if_absent=True)
    assert proxy.faults == 1
    assert storage.read_bytes(uri) == b'{"version": "v1"}'
    with pytest.raises(storage.AlreadyExists):
        storage.write_bytes(uri, b'{"version": "v2"}', if_absent=True)


def test_compare_and_swap_whose_answer_was_lost(faulty):
    store, proxy = faulty.store, faulty.proxy
    uri = store.uri("champion.json")
    proxy.fail_next(1, "drop_after")
    first = storage.write_if_match(uri, b"one", None)
    data, token = storage.read_versioned(uri)
    assert (data, token) == (b"one", first)
    proxy.fail_next(1, "drop_after")
    second = storage.write_if_match(uri, b"two", token)
    assert storage.read_versioned(uri) == (b"two", second)
    with pytest.raises(storage.PreconditionFailed):
        storage.write_if_match(uri, b"three", token)  # really stale


def test_truncated_stream_resumes_at_offset(faulty, monkeypatch):
    store, proxy = faulty.store, faulty.proxy
    monkeypatch.setattr(storage.STORAGE, "chunk_size", 64 * 1024)
    uri = store.uri("big.bin")
    storage.write_bytes(uri, PAYLOAD)
    proxy.clear()
    if store.name == "gcs":
        # Ranged reads of 64 KiB: the second one is cut, and only it is fetched again.
        with storage.open_read(uri) as f:
            first = f.read(100)
            proxy.fail_next(1, "truncate", when="alt=media")
            rest = f.read()
        ranges = [rng for _, _, rng in proxy.seen if rng]
        assert ranges.count("bytes=0-65535") == 1 and ranges.count("bytes=65536-131071") == 2, ranges
    else:
        # One GET for the whole object, cut half way: the reader resumes with a Range request.
        proxy.fail_next(1, "truncate", when="GET /")
        with storage.open_read(uri) as f:
            first = f.read(100)
            rest = f.read()
        ranges = [rng for _, _, rng in proxy.seen if rng]
        assert ranges == [f"bytes={len(PAYLOAD) // 2}-"], proxy.seen
    assert first + rest == PAYLOAD
    assert proxy.faults == 1


@pytest.mark.parametrize("mode", ["503", "drop"])
def test_persistent_faults_raise_a_clear_error(faulty, monkeypatch, mode):
    store, proxy = faulty.store, faulty.proxy
    monkeypatch.setattr(storage.STORAGE, "retry_attempts", 3)
    uri = store.uri("never.bin")
    proxy.fail_always(mode)
    with pytest.raises(storage.StorageError) as err:
        storage.write_bytes(uri, b"x")
    message = str(err.value)
    assert uri in message and "3 attempts" in message, message
    assert err.value.uri == uri and err.value.attempts == 3
    writes = [method for method, path, _ in proxy.seen if method in ("POST", "PUT")]
    assert len(writes) == 3, proxy.seen  # (gcs may also read bucket metadata once)
    with pytest.raises(storage.StorageError, match="after 3 attempts"):
        storage.read_bytes(uri)
    with pytest.raises(storage.StorageError, match="after 3 attempts"):
        storage.read_versioned(uri)
    assert not isinstance(err.value, (storage.NotFound, storage.PreconditionFailed))


def test_http_source_through_faults(http_site, fault_proxy, monkeypatch, tmp_path):
    monkeypatch.setattr(storage.STORAGE, "retry_attempts", 4)
    (http_site.root / "file.bin").write_bytes(PAYLOAD)
    proxy = fault_proxy(http_site.url)
    uri = f"{proxy.url}/file.bin"
    proxy.fail_next(3, "503")
    assert storage.read_bytes(uri) == PAYLOAD
    proxy.fail_next(2, "drop")
    assert storage.exists(uri)
    proxy.clear()
    proxy.fail_next(1, "truncate")  # the body is cut half way; http.server ignores Range,
    with storage.open_read(uri) as f:  # so the reader skips the bytes it already has
        assert f.read(10) + f.read() == PAYLOAD
    assert proxy.faults == 1 and [m for m, _, _ in proxy.seen] == ["GET", "GET"]
    assert proxy.seen[1][2] == f"bytes={len(PAYLOAD) // 2}-"
    proxy.clear()
    proxy.fail_always("503")
    with pytest.raises(storage.StorageError) as err:
        storage.download(uri, tmp_path / "f.bin")
    assert uri in str(err.value) and "4 attempts" in str(err.value)
    assert proxy.requests == 4
    assert not (tmp_path / "f.bin").exists()
