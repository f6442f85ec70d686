import numpy as np

from components import splits


def test_folds_are_stratified_and_cover_every_row_once():
    labels = np.array([0] * 60 + [1] * 30)
    rows = np.arange(90)
    held = np.concatenate([b for _, b in splits.folds(rows, labels, 3, seed=1)])
    assert sorted(held) == list(range(90))
    for fit, out in splits.folds(rows, labels, 3, seed=1):
        assert np.isclose(labels[out].mean(), 1 / 3, atol=0.05)
        assert not set(fit) & set(out)


def test_grouped_folds_never_share_a_group():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(12), 10)
    labels = rng.integers(0, 3, size=120)
    for fit, out in splits.folds(np.arange(120), labels, 3, seed=2, groups=groups):
        assert not set(groups[fit]) & set(groups[out])


def test_carve_holds_out_exactly_and_reproducibly():
    labels = np.array([0, 1] * 50)
    kept, carved = splits.carve(np.arange(100), labels, 20, seed=3)
    assert len(carved) == 20 and len(kept) == 80 and labels[carved].mean() == 0.5
    assert np.array_equal(carved, splits.carve(np.arange(100), labels, 20, seed=3)[1])


def test_carve_with_groups_holds_out_whole_groups_near_the_asked_size():
    labels = np.array([0, 1] * 150)
    groups = np.repeat(np.arange(30), 10)  # 30 writers, 10 rows each
    kept, carved = splits.carve(np.arange(300), labels, 60, seed=5, groups=groups)
    assert not set(groups[kept]) & set(groups[carved]), "no writer on both sides"
    assert len(kept) + len(carved) == 300 and 40 <= len(carved) <= 80
    assert np.array_equal(carved, splits.carve(np.arange(300), labels, 60, seed=5, groups=groups)[1])
