"""The work of each pipeline step, as plain functions over paths and values.

They know nothing of KFP: the adapters in ``components.adapters`` turn KFP
artifacts into these calls, and unit tests call them directly. A step module
imports shared modules (``components.artifacts``, ``components.training``...),
never another step module.
"""

import logging
import os
import re
import sys
import tempfile

# TensorFlow's C++ INFO and WARNING lines; set before any step module imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# What TensorFlow 2.21 writes while it loads, through absl before absl's logging is set up, so
# TF_CPP_MIN_LOG_LEVEL does not reach it: in every step that trains, and nothing to act on.
_START_UP_NOISE = re.compile(r"before absl::InitializeLog|\] oneDNN custom operations are on|cpu_feature_guard\.cc")


def configure_task_logging(tensorflow: bool = False) -> None:
    """Log INFO lines to stdout, where KFP and ``kfp.local`` show a task's output; with
    ``tensorflow``, load it now without its start-up lines (call before importing the step)."""
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(name)s: %(message)s", force=True)
    if tensorflow:
        _import_tensorflow_quietly()


def _import_tensorflow_quietly() -> None:
    """Import Keras (and so TensorFlow) with file descriptor 2 caught, then pass on every
    caught line but the start-up noise: a real problem (a missing CUDA library) still shows."""
    with tempfile.TemporaryFile() as caught:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(caught.fileno(), 2)
        try:
            import keras  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        caught.seek(0)
        for line in caught.read().decode(errors="replace").splitlines():
            if not _START_UP_NOISE.search(line):
                print(line, file=sys.stderr)
