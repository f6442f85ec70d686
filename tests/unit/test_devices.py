"""The training strategy on this (GPU-less) machine: the CPU path, chosen and logged,
a precision policy that holds only inside its block, and threads per op set while
TensorFlow's runtime has not started."""

import logging
import subprocess
import sys

import pytest

from components import devices


def test_without_a_gpu_training_uses_the_default_strategy_in_float32(caplog, monkeypatch):
    import keras
    import tensorflow as tf

    monkeypatch.delenv("TRAINING_PRECISION", raising=False)
    monkeypatch.delenv("TRAINING_DEVICES", raising=False)
    with caplog.at_level(logging.INFO, logger="components.devices"):
        chosen = devices.training_devices()
    assert not tf.config.list_physical_devices("GPU")
    assert chosen.replicas == 1 and chosen.precision == "float32"
    assert keras.mixed_precision.global_policy().name == "float32"
    assert "no GPU found: training on the CPU in float32" in caplog.text


def test_the_precision_can_be_forced_and_a_wrong_value_is_named(monkeypatch):
    monkeypatch.setenv("TRAINING_PRECISION", "mixed_float16")
    assert devices.training_devices().precision == "mixed_float16"
    monkeypatch.setenv("TRAINING_PRECISION", "float16")
    with pytest.raises(ValueError, match="TRAINING_PRECISION='float16': expected one of float32, mixed_float16"):
        devices.training_devices()
    monkeypatch.delenv("TRAINING_PRECISION")
    monkeypatch.setenv("TRAINING_DEVICES", "gpus")
    with pytest.raises(ValueError, match="TRAINING_DEVICES='gpus'"):
        devices.training_devices()


def test_threads_per_op_are_set_before_the_runtime_starts_and_kept_after():
    """In a fresh process (as a step's): a task's own ``TF_NUM_INTRAOP_THREADS`` is left alone;
    otherwise the limit holds for the ops that run, and once the runtime has started, a second
    limit is refused by TensorFlow, logged, and the first one stays."""
    script = (
        "import logging, os, sys\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(message)s')\n"
        "import tensorflow as tf\n"
        "from components import devices\n"
        "os.environ['TF_NUM_INTRAOP_THREADS'] = '2'\n"
        "devices.limit_op_threads(1)\n"
        "print('unset', tf.config.threading.get_intra_op_parallelism_threads())\n"
        "del os.environ['TF_NUM_INTRAOP_THREADS']\n"
        "devices.limit_op_threads(1)\n"
        "print('sum', int(tf.reduce_sum(tf.ones([1000, 1000]))))\n"
        "devices.limit_op_threads(2)\n"
        "print('threads', tf.config.threading.get_intra_op_parallelism_threads())\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "threads per op left to TF_NUM_INTRAOP_THREADS=2" in run.stdout and "unset 0" in run.stdout
    assert "sum 1000000" in run.stdout and "threads 1" in run.stdout
    assert "threads per op not changed to 2: Intra op parallelism cannot be modified" in run.stdout


def test_the_precision_policy_is_restored_after_its_block_even_on_an_error():
    import keras

    assert keras.mixed_precision.global_policy().name == "float32"
    with devices.precision_policy("mixed_float16"):
        assert keras.layers.Dense(1).compute_dtype == "float16"
    assert keras.layers.Dense(1).compute_dtype == "float32"
    with pytest.raises(RuntimeError), devices.precision_policy("mixed_float16"):
        raise RuntimeError("fit failed")
    assert keras.mixed_precision.global_policy().name == "float32"
