"""Choose how to train on what the machine has, and apply the choice to one fit only.

- Replicas: ``MirroredStrategy`` over every GPU when there are several (one
  replica per GPU), else the default strategy on the one GPU or the CPU.
- Precision: mixed float16 when every GPU has compute capability 7.0+ (one GPU
  or several: the same rule), the model keeping a float32 output layer (every
  builder names ``dtype="float32"`` on its last layer); float32 otherwise.
- GPU memory grows as needed instead of being taken whole at start-up, so a
  training task does not monopolise a GPU node it shares.
- On the CPU, a study whose network is made of small ops has each op run on
  fewer threads (the recipe's ``OP_THREADS``, :func:`limit_op_threads`).

Keras' precision policy is process-global; :func:`precision_policy` sets it
for the build and fit of one model and puts the previous one back, so a model
built later in the same process (cifar10's learning-rate range test, the next
fold) is not float16 by accident.

Two environment variables force a choice, for the CPU stand-ins of the GPU
paths (docs/gpus.md) and for a node whose GPUs misbehave:
``TRAINING_PRECISION`` (``float32`` or ``mixed_float16``) and
``TRAINING_DEVICES=cpus`` (mirror over every logical CPU device, as the tests
do after splitting the CPU with ``tf.config.set_logical_device_configuration``).
The choice is logged, since a silently wrong device is a costly surprise.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
PRECISIONS = ("float32", "mixed_float16")
MIXED_PRECISION_CAPABILITY = (7, 0)


@dataclass(frozen=True)
class TrainingDevices:
    """A distribution strategy and the precision policy name to build the model under."""

    strategy: Any
    precision: str

    @property
    def replicas(self) -> int:
        return int(self.strategy.num_replicas_in_sync)


def _grow_gpu_memory(gpus: list) -> None:
    """Memory growth must be set before a GPU is initialised; once it is, TensorFlow
    refuses (RuntimeError) and the setting it started with stays, which is then logged."""
    import tensorflow as tf

    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError as e:
            log.info("GPU memory growth not changed for %s: %s", gpu.name, e)


def limit_op_threads(threads: int | None) -> None:
    """Each TensorFlow op splits its work over at most ``threads`` threads, when training on the
    CPU and the task does not set ``TF_NUM_INTRAOP_THREADS`` itself (the user's count wins). Like
    memory growth, this must be set before TensorFlow's runtime starts in the process (a step's
    own process, or one forked by the warm-steps server, has not started it); once it has,
    TensorFlow refuses (RuntimeError) and the pool it started with stays, which is logged."""
    import tensorflow as tf

    if threads is None or tf.config.list_physical_devices("GPU"):
        return
    if os.environ.get("TF_NUM_INTRAOP_THREADS"):
        log.info("threads per op left to TF_NUM_INTRAOP_THREADS=%s", os.environ["TF_NUM_INTRAOP_THREADS"])
        return
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    except RuntimeError as e:
        log.info("threads per op not changed to %d: %s", threads, e)


@functools.cache
def _mirrored(devices: tuple[str, ...] | None) -> Any:
    """One MirroredStrategy per device set for the whole process: each new one
    numbers its collective operations from the same start, and the runtime,
    which keys them by that number, then mixes up a later fit's all-reduce with
    an earlier fit's ("Shape mismatch in the collective instance")."""
    import tensorflow as tf

    return tf.distribute.MirroredStrategy(list(devices) if devices else None)


def _forced_precision() -> str | None:
    value = os.environ.get("TRAINING_PRECISION", "")
    if value and value not in PRECISIONS:
        raise ValueError(f"TRAINING_PRECISION={value!r}: expected one of {', '.join(PRECISIONS)} or unset")
    return value or None


def training_devices() -> TrainingDevices:
    """The strategy and precision for this machine (see the module docstring)."""
    import tensorflow as tf

    forced = _forced_precision()
    gpus = tf.config.list_physical_devices("GPU")
    _grow_gpu_memory(gpus)
    capable = bool(gpus) and all(
        tuple(tf.config.experimental.get_device_details(gpu).get("compute_capability", (0, 0)))
        >= MIXED_PRECISION_CAPABILITY
        for gpu in gpus
    )
    precision = forced or ("mixed_float16" if capable else "float32")
    devices_env = os.environ.get("TRAINING_DEVICES", "")
    if devices_env not in ("", "cpus"):
        raise ValueError(f"TRAINING_DEVICES={devices_env!r}: expected 'cpus' or unset")
    if devices_env == "cpus":
        cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
        log.info("training on %d logical CPU devices with MirroredStrategy in %s", len(cpus), precision)
        return TrainingDevices(_mirrored(tuple(cpus)), precision)
    if len(gpus) > 1:
        log.info("training on %d GPUs with MirroredStrategy in %s", len(gpus), precision)
        return TrainingDevices(_mirrored(None), precision)
    if gpus:
        log.info("training on 1 GPU in %s", precision)
    else:
        log.info("no GPU found: training on the CPU in %s", precision)
    return TrainingDevices(tf.distribute.get_strategy(), precision)


@contextlib.contextmanager
def precision_policy(name: str) -> Iterator[None]:
    """Keras' global precision policy set to ``name`` inside the block, and the
    previous one restored on the way out (also on an exception)."""
    import keras

    if name not in PRECISIONS:
        raise ValueError(f"precision {name!r}: expected one of {', '.join(PRECISIONS)}")
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(name)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)
