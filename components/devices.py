"""Choose how to train on what the machine has: several GPUs, one GPU, or the CPU.

- several GPUs: ``MirroredStrategy`` (one replica per GPU);
- one GPU: mixed float16 where its compute capability supports it (7.0+), the
  model keeping a float32 output layer (every builder names ``dtype="float32"``
  on its last layer);
- no GPU: the default strategy on the CPU.
The choice is logged, since a silently wrong device is a costly surprise.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def training_strategy():
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if len(gpus) > 1:
        log.info("training on %d GPUs with MirroredStrategy", len(gpus))
        return tf.distribute.MirroredStrategy()
    if gpus:
        capability = tf.config.experimental.get_device_details(gpus[0]).get("compute_capability", (0, 0))
        if capability >= (7, 0):
            tf.keras.mixed_precision.set_global_policy("mixed_float16")
            log.info("training on 1 GPU (compute capability %s) with mixed float16", capability)
        else:
            log.info("training on 1 GPU (compute capability %s) in float32", capability)
        return tf.distribute.get_strategy()
    log.info("no GPU found: training on the CPU in float32")
    return tf.distribute.get_strategy()
