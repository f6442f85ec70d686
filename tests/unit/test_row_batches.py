import numpy as np

from components.row_batches import batch_keys, row_batches


def _batches(dataset):
    return [batch.tolist() for batch in dataset.as_numpy_iterator()]


def test_in_order_without_shuffle_with_a_short_last_batch():
    assert _batches(row_batches(7, 3, shuffle=False, seed=0)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert _batches(row_batches(6, 3, shuffle=False, seed=0)) == [[0, 1, 2], [3, 4, 5]]
    assert _batches(row_batches(2, 8, shuffle=False, seed=0)) == [[0, 1]]


def test_the_length_is_declared_so_keras_counts_one_step_per_batch():
    import tensorflow as tf

    for rows, size, epochs in [(7, 3, range(1)), (6, 3, range(2, 5)), (40, 16, range(3))]:
        dataset = row_batches(rows, size, shuffle=True, seed=1, epochs=epochs)
        assert int(dataset.cardinality()) == len(epochs) * -(-rows // size) == len(_batches(dataset))
        assert int(dataset.cardinality()) != tf.data.UNKNOWN_CARDINALITY


def test_each_epoch_is_shuffled_by_seed_and_epoch_so_a_resume_continues_the_order():
    first, second = np.split(np.array(_batches(row_batches(40, 20, shuffle=True, seed=5, epochs=range(2)))), 2)
    assert sorted(first.ravel()) == sorted(second.ravel()) == list(range(40))
    assert first.tolist() != second.tolist()
    resumed = _batches(row_batches(40, 20, shuffle=True, seed=5, epochs=range(1, 2)))
    assert resumed == second.tolist()
    assert _batches(row_batches(40, 20, shuffle=True, seed=6, epochs=range(1))) != first.tolist()


def test_batch_keys_number_batches_from_epoch_zero():
    keys = [k.tolist() for k in batch_keys(9, rows=7, batch_size=3, epochs=range(1, 3)).as_numpy_iterator()]
    assert keys == [[9, 3], [9, 4], [9, 5], [9, 6], [9, 7], [9, 8]]
