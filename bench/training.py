"""Child measurements: one training run on our path or on the seed's.

Both sides load the same preprocessed training table and train the same
network (``recipe.build_model``) with the same batch size, callbacks and
class weights for the same epochs, timed by the same ``EpochTimer``. Ours
is the project's ``fit_model`` (its ``tf.data`` input, float32, device
strategy); the seed's is ``model.fit`` on what ``seed_baselines`` builds.
Neither validates during the fit, so an epoch is training only.
"""

from __future__ import annotations

import gc
import os

from bench import seed_baselines
from bench.prepare import SEED, outputs


def _load(study: str, folder: str, epochs: int, whole: bool):
    """The recipe, params, state and training table; the table as the train step opens it
    (a sharded one left on disk), or ``whole`` in memory, as the seed held its data."""
    from components import tables
    from components.artifacts import load_state
    from components.studies import get_study

    spec = get_study(study)
    files = outputs(folder)
    return (
        spec.recipe(),
        spec.params.from_mapping({"epochs": epochs}),
        load_state(files.state),
        tables.load(files.train) if whole else tables.open_table(files.train),
    )


def _rate(epoch_seconds: list, samples: int, model) -> dict:
    """Samples per second over every epoch but the first (warm-up)."""
    timed = epoch_seconds[1:]
    return {
        "samples_per_epoch": samples,
        "epoch_seconds": epoch_seconds,
        "samples_per_second": samples * len(timed) / sum(timed),
        "parameters": model.count_params(),
        "training_flops_per_sample": _training_flops(model),
    }


def _training_flops(model) -> float:
    from bench.flops import training_flops_per_sample

    return training_flops_per_sample(model)


def _samples_per_epoch(batches) -> int:
    """Rows one epoch of ``batches`` yields (augmentation may add rows), counted by running it."""
    import tensorflow as tf

    return int(batches.reduce(tf.constant(0, tf.int64), lambda n, batch: n + tf.shape(batch[1], out_type=tf.int64)[0]))


def ours(study: str, folder: str, epochs: int, variant: str) -> dict:
    from components import devices
    from components.training import fit_model

    recipe, p, state, train = _load(study, folder, epochs, whole=False)
    devices.limit_op_threads(recipe.OP_THREADS)  # before counting starts TensorFlow's runtime, as in a train step
    samples = _samples_per_epoch(recipe.dataset(train, state, p.batch_size, shuffle=True, seed=SEED))
    gc.collect()  # the counting dataset's tensors must not add to the fit's peak RSS
    model, curves = fit_model(recipe, p, variant, state, train, None, SEED)
    return _rate(curves["epoch_seconds"], samples, model)


def seed(study: str, folder: str, epochs: int, variant: str) -> dict:
    import keras

    from components.training import EpochTimer

    recipe, p, state, train = _load(study, folder, epochs, whole=True)
    keras.utils.set_random_seed(SEED)
    feed = seed_baselines.FEEDS[study](train, state, p.batch_size)
    model = recipe.build_model(state, p, variant)
    extras = recipe.training_extras(train, p)
    history = model.fit(
        feed.x,
        feed.y,
        batch_size=feed.batch_size,
        epochs=p.epochs,
        verbose=2,
        callbacks=[*extras.get("callbacks", []), EpochTimer()],
        class_weight=extras.get("class_weight"),
    )
    return _rate(history.history["epoch_seconds"], feed.samples, model)


def runtime() -> dict:
    """Nothing but TensorFlow and Keras imported and a tiny model trained for a
    step: the floor under every training process's peak RSS."""
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((8, 4), np.float32), np.zeros(8, np.float32), verbose=0)
    return {}


def matmul(size: int, repeats: int = 5) -> dict:
    """The machine's float32 matmul rate (GFLOP/s), best of ``repeats``, with numpy and with TensorFlow."""
    import time

    import numpy as np
    import tensorflow as tf

    a, b = (np.random.default_rng(i).standard_normal((size, size)).astype(np.float32) for i in range(2))
    ta, tb = tf.constant(a), tf.constant(b)
    flops = 2.0 * size**3

    def best(run) -> float:
        run()  # warm-up
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            seconds.append(time.perf_counter() - start)
        return flops / min(seconds) / 1e9

    return {
        "size": size,
        "numpy_gflops": best(lambda: a @ b),
        "tensorflow_gflops": best(lambda: tf.linalg.matmul(ta, tb).numpy()),
        "threads": os.cpu_count(),
    }
