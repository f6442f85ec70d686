"""The work of each pipeline step, as plain functions over paths and values.

They know nothing of KFP: the adapters in ``components.adapters`` turn KFP
artifacts into these calls, and unit tests call them directly. A step module
imports shared modules (``components.artifacts``, ``components.training``...),
never another step module.
"""

import logging
import os
import sys

from components.tensorflow_quiet import start_up_noise_filtered

# TensorFlow's C++ INFO and WARNING lines; set before any step module imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def configure_task_logging(tensorflow: bool = False) -> None:
    """Log INFO lines to stdout, where KFP and ``kfp.local`` show a task's output; with
    ``tensorflow``, load it now without its start-up lines (call before importing the step)."""
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(name)s: %(message)s", force=True)
    if tensorflow:
        with start_up_noise_filtered():
            import keras  # noqa: F401
