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

    def _progress(self) -> dict | None:
        try:
            return json.loads(storage.read_bytes(storage.join(self.uri, PROGRESS)))
        except storage.NotFound:
            return None

    def precision(self) -> str | None:
        """The precision policy the checkpointed fit ran under (``None``: no
        checkpoint, or one written before it was recorded). A resume builds
        under it, so a float16 model gets its loss-scaling optimizer back
        rather than float16 layers with a plain one."""
        progress = self._progress()
        return progress.get("precision") if progress else None

    def restore(self):
        """``(model, completed_epochs, history)`` from the last checkpoint, or
        ``(None, 0, {})``. Load it under :meth:`precision`'s policy."""
        progress = self._progress()
        if progress is None:
            return None, 0, {}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, progress["model"])
            storage.download(storage.join(self.uri, progress["model"]), path)
            model = keras.models.load_model(path)
        log.info("resuming from %s after epoch %d", self.uri, progress["epoch"])
        return model, int(progress["epoch"]), progress["history"]

    def callback(self, history: dict, precision: str) -> keras.callbacks.Callback:
        """Saves after every epoch; ``history`` holds the epochs done before a
        resume, ``precision`` the policy the model is trained under."""
        return _SaveEachEpoch(self.uri, {k: list(v) for k, v in history.items()}, precision)


class _SaveEachEpoch(keras.callbacks.Callback):
    def __init__(self, uri: str, history: dict, precision: str):
        super().__init__()
        self._uri = uri
        self._history = history
        self._precision = precision

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self._history.setdefault(key, []).append(float(value))
        slot = f"slot-{epoch % 2}.keras"
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, slot)
            self.model.save(path)
            storage.upload_file(path, storage.join(self._uri, slot))
        progress = {"epoch": epoch + 1, "model": slot, "history": self._history, "precision": self._precision}
        storage.write_bytes(storage.join(self._uri, PROGRESS), json.dumps(progress).encode())
