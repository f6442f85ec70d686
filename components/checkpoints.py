"""Per-epoch training checkpoints on any storage URI, for preemptible GPU nodes.

A spot node can vanish mid-fit; its retried task should lose at most the
epoch in progress. After every epoch the whole model (weights *and*
optimizer state, which Keras' BackupAndRestore does not keep) is saved to
``<uri>/slot-N.keras`` and then ``<uri>/progress.json`` is pointed at it.
Two slots alternate, so the file progress names is never the one being
written: a kill at any moment leaves a consistent checkpoint behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile

import keras

from components import storage

log = logging.getLogger(__name__)
PROGRESS = "progress.json"


def checkpoint_uri(work_uri: str, study: str, identity: dict) -> str:
    """Where a training task checkpoints: keyed by what determines its result
    (``identity``: data digests, parameters, variant, seed), not by run id.

    A retried task of the same run finds its checkpoint, and so does a rerun
    on identical inputs (which then has nothing left to train); a run id in
    the task's inputs would also defeat KFP's cache. No ``work_uri``, no
    checkpoints."""
    if not work_uri:
        return ""
    key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    return storage.join(work_uri, "checkpoints", study, key)


class EpochCheckpoint:
    def __init__(self, uri: str):
        self.uri = uri

    def restore(self):
        """``(model, completed_epochs, history)`` from the last checkpoint, or ``(None, 0, {})``."""
        try:
            progress = json.loads(storage.read_bytes(storage.join(self.uri, PROGRESS)))
        except storage.NotFound:
            return None, 0, {}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, progress["model"])
            storage.download(storage.join(self.uri, progress["model"]), path)
            model = keras.models.load_model(path)
        log.info("resuming from %s after epoch %d", self.uri, progress["epoch"])
        return model, int(progress["epoch"]), progress["history"]

    def callback(self, history: dict) -> keras.callbacks.Callback:
        """Saves after every epoch; ``history`` holds the epochs done before a resume."""
        return _SaveEachEpoch(self.uri, {k: list(v) for k, v in history.items()})


class _SaveEachEpoch(keras.callbacks.Callback):
    def __init__(self, uri: str, history: dict):
        super().__init__()
        self._uri = uri
        self._history = history

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self._history.setdefault(key, []).append(float(value))
        slot = f"slot-{epoch % 2}.keras"
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, slot)
            self.model.save(path)
            storage.upload_file(path, storage.join(self._uri, slot))
        progress = {"epoch": epoch + 1, "model": slot, "history": self._history}
        storage.write_bytes(storage.join(self._uri, PROGRESS), json.dumps(progress).encode())
