"""The work of each pipeline step, as plain functions over paths and values.

They know nothing of KFP: the adapters in ``components.adapters`` turn KFP
artifacts into these calls, and unit tests call them directly. A step module
imports shared modules (``components.artifacts``, ``components.training``...),
never another step module.
"""

import logging
import os
import sys

# TensorFlow's C++ start-up lines (oneDNN, CPU features) are INFO and WARNING
# messages every step would print; set before any step module imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def configure_task_logging() -> None:
    """Log INFO lines to stdout, where KFP and ``kfp.local`` show a task's output."""
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(name)s: %(message)s", force=True)
