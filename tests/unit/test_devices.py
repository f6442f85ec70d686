"""The training strategy on this (GPU-less) machine: the CPU path, chosen and logged."""

import logging

from components import devices


def test_without_a_gpu_training_uses_the_default_strategy_in_float32(caplog):
    import keras
    import tensorflow as tf

    with caplog.at_level(logging.INFO, logger="components.devices"):
        strategy = devices.training_strategy()
    assert not tf.config.list_physical_devices("GPU")
    assert strategy.num_replicas_in_sync == 1
    assert keras.mixed_precision.global_policy().name == "float32"
    assert "no GPU found: training on the CPU in float32" in caplog.text
