"""The model registry on each backend, including concurrent registrations."""

from __future__ import annotations

import json
import random
import re
import threading
import time

import pytest

from components import storage
from components.registry import Registry, RegistryError, new_version


def by_accuracy(accuracy: float):
    def compare(champion: dict | None) -> tuple[bool, str]:
        time.sleep(random.uniform(0, 0.01))  # widen the race window
        if champion is None:
            return True, "first model"
        best = champion["metrics"]["accuracy"]
        return accuracy > best, f"accuracy {accuracy:.3f} vs champion {best:.3f}"

    return compare


def test_version_ids_sort_and_differ():
    ids = {new_version() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"v\d{14}-[0-9a-f]{8}", v) for v in ids)


def test_register_and_read_back(store, model_dir):
    reg = Registry(store.root)
    assert reg.versions("imdb") == [] and reg.champion("imdb") is None
    v1 = reg.register("imdb", model_dir, {"metrics": {"accuracy": 0.8}})
    assert reg.versions("imdb") == [v1]
    assert reg.champion("imdb") is None  # not promoted
    card = reg.card("imdb", v1)
    assert card["version"] == v1 and card["study"] == "imdb" and card["metrics"] == {"accuracy": 0.8}
    assert sorted(f["path"] for f in card["files"]) == [
        "model.keras",
        "report.html",
        "saved_model/saved_model.pb",
        "saved_model/variables/variables.data-00000-of-00001",
    ]
    stored = storage.list_prefix(storage.join(store.root, "imdb", v1))
    assert len(stored) == 5  # four files and the card
    assert storage.read_bytes(storage.join(store.root, "imdb", v1, "model.keras")) == b"keras bytes"


def test_promote_rollback(store, model_dir):
    reg = Registry(store.root)
    v1 = reg.register("s", model_dir, {"metrics": {"accuracy": 0.7}}, promote=True)
    assert reg.champion("s")["version"] == v1
    v2 = reg.register("s", model_dir, {"metrics": {"accuracy": 0.6}}, promote=by_accuracy(0.6))
    assert reg.champion("s")["version"] == v1  # worse: not promoted
    v3 = reg.register("s", model_dir, {"metrics": {"accuracy": 0.9}}, promote=by_accuracy(0.9))
    pointer = reg.champion_pointer("s")
    assert pointer["version"] == v3 and pointer["previous"] == v1
    assert pointer["reason"] == "accuracy 0.900 vs champion 0.700"
    assert pointer["updated_at"]

    reg.promote("s", v2, "manual pick")
    assert reg.champion_pointer("s")["history"] == [v3, v1]
    back = reg.rollback("s", "v2 misbehaves")
    assert back["version"] == v3 and back["previous"] == v1 and "v2 misbehaves" in back["reason"]
    back = reg.rollback("s", "again")
    assert back["version"] == v1 and back["previous"] is None
    with pytest.raises(RegistryError, match="no previous champion"):
        reg.rollback("s", "nothing left")
    assert reg.champion("s")["version"] == v1
    with pytest.raises(storage.NotFound):
        reg.promote("s", "v20000101000000-deadbeef", "unknown")
    with pytest.raises(RegistryError):
        reg.rollback("never-registered", "x")


def test_versions_are_immutable(store, model_dir):
    reg = Registry(store.root)
    version = reg.register("s", model_dir, {"metrics": {"accuracy": 0.5}}, version="v1")
    assert version == "v1"
    (model_dir / "model.keras").write_bytes(b"changed")
    with pytest.raises(storage.AlreadyExists, match="already exists"):
        reg.register("s", model_dir, {"metrics": {"accuracy": 0.9}}, version="v1")
    assert reg.card("s", "v1")["metrics"]["accuracy"] == 0.5
    assert storage.read_bytes(storage.join(store.root, "s", "v1", "model.keras")) == b"keras bytes"


def test_incomplete_version_is_invisible(store, model_dir):
    """Files without a card (a crashed registration) are not a version."""
    reg = Registry(store.root)
    storage.upload_tree(model_dir, storage.join(store.root, "s", "v20000101000000-00000000"))
    done = reg.register("s", model_dir, {})
    assert reg.versions("s") == [done]
    with pytest.raises(storage.NotFound):
        reg.card("s", "v20000101000000-00000000")


def test_bad_input(store, model_dir, tmp_path):
    reg = Registry(store.root)
    with pytest.raises(ValueError, match="reserved"):
        reg.register("s", model_dir, {"version": "x"})
    with pytest.raises(ValueError, match="invalid study"):
        reg.register("../up", model_dir, {})
    with pytest.raises(storage.NotFound):
        reg.register("s", tmp_path / "missing", {})
    (model_dir / "model.json").write_text("{}")
    with pytest.raises(ValueError, match="reserved"):
        reg.register("s", model_dir, {})
    with pytest.raises(TypeError):
        reg.register("s", tmp_path, {"x": object()})
    assert reg.versions("s") == []


def test_concurrent_registrations_leave_one_champion(store, model_dir, monkeypatch):
    """8 registrations at once: 8 intact versions and the best one as champion.

    Every registration first decides against the same (empty) champion, so
    7 of them must lose the compare-and-swap and decide again.
    """
    reg = Registry(store.root)
    accuracies = [0.61, 0.93, 0.72, 0.55, 0.88, 0.97, 0.64, 0.80]
    random.shuffle(accuracies)
    start = threading.Barrier(len(accuracies))
    first_decisions = threading.Barrier(len(accuracies))
    results: dict[float, str] = {}
    errors: list[BaseException] = []
    lost: list[str] = []

    real_write_if_match = storage.write_if_match

    def counting_write_if_match(*args, **kwargs):
        try:
            return real_write_if_match(*args, **kwargs)
        except storage.PreconditionFailed:
            lost.append(args[0])
            raise

    monkeypatch.setattr(storage, "write_if_match", counting_write_if_match)

    def register(accuracy: float) -> None:
        compare = by_accuracy(accuracy)
        calls = []

        def synced(champion):
            if not calls:
                first_decisions.wait(30)  # all decide at once, against the same champion
            calls.append(champion)
            return compare(champion)

        try:
            start.wait(30)
            results[accuracy] = reg.register("race", model_dir, {"metrics": {"accuracy": accuracy}}, promote=synced)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(a,)) for a in accuracies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(lost) >= len(accuracies) - 1  # the races did happen
    versions = reg.versions("race")
    assert sorted(versions) == sorted(results.values()) and len(set(versions)) == 8
    for accuracy, version in results.items():
        card = reg.card("race", version)
        assert card["metrics"]["accuracy"] == accuracy and len(card["files"]) == 4
    pointer = json.loads(storage.read_bytes(storage.join(store.root, "race", "champion.json")))
    assert pointer["version"] == results[max(accuracies)]
    assert reg.champion("race")["metrics"]["accuracy"] == max(accuracies)
    chain = [reg.card("race", v)["metrics"]["accuracy"] for v in [pointer["version"], *pointer["history"]]]
    assert chain == sorted(chain, reverse=True) and len(set(chain)) == len(chain)
