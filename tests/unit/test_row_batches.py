import numpy as np

from components.row_batches import row_batches


def _epochs(dataset, n):
    return [[batch.tolist() for batch in dataset.as_numpy_iterator()] for _ in range(n)]


def test_in_order_without_shuffle_with_a_short_last_batch():
    assert _epochs(row_batches(7, 3, shuffle=False, seed=0), 1) == [[[0, 1, 2], [3, 4, 5], [6]]]
    assert _epochs(row_batches(6, 3, shuffle=False, seed=0), 1) == [[[0, 1, 2], [3, 4, 5]]]
    assert _epochs(row_batches(2, 8, shuffle=False, seed=0), 1) == [[[0, 1]]]


def test_shuffled_every_epoch_and_reproducible_by_seed():
    first, second = _epochs(row_batches(40, 16, shuffle=True, seed=5), 2)
    assert [len(b) for b in first] == [16, 16, 8]
    assert sorted(np.concatenate(first)) == sorted(np.concatenate(second)) == list(range(40))
    assert first != second
    assert _epochs(row_batches(40, 16, shuffle=True, seed=5), 2) == [first, second]
    assert _epochs(row_batches(40, 16, shuffle=True, seed=6), 1)[0] != first
