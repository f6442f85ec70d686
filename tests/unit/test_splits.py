import numpy as np
import pytest

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


def test_hold_out_takes_a_row_count_exactly_and_reproducibly():
    labels = np.array([0, 1] * 50)
    kept, held = splits.hold_out(np.arange(100), labels, seed=3, count=20)
    assert len(held) == 20 and len(kept) == 80 and labels[held].mean() == 0.5
    assert np.array_equal(held, splits.hold_out(np.arange(100), labels, seed=3, count=20)[1])


def test_hold_out_takes_a_fraction_of_the_rows():
    labels = np.array([0, 1] * 50)
    kept, held = splits.hold_out(np.arange(100), labels, seed=3, fraction=0.3)
    assert len(held) == 30 and len(kept) == 70 and labels[held].mean() == 0.5


def test_hold_out_of_nothing_keeps_every_row():
    kept, held = splits.hold_out(np.arange(10), np.zeros(10, int), seed=3)
    assert list(kept) == list(range(10)) and len(held) == 0


@pytest.mark.parametrize(
    "size, message",
    [
        ({"count": 10, "fraction": 0.1}, "either 10 rows or a fraction 0.1 of them, not both"),
        ({"count": 100}, "cannot hold out 100 of 100 training rows"),
    ],
)
def test_hold_out_refuses_an_impossible_size(size, message):
    with pytest.raises(ValueError, match=message):
        splits.hold_out(np.arange(100), np.array([0, 1] * 50), seed=3, **size)


def test_hold_out_with_groups_holds_out_whole_groups_near_the_asked_size():
    labels = np.array([0, 1] * 150)
    groups = np.repeat(np.arange(30), 10)  # 30 writers, 10 rows each
    for size in ({"count": 60}, {"fraction": 0.2}):
        kept, held = splits.hold_out(np.arange(300), labels, seed=5, groups=groups, **size)
        assert not set(groups[kept]) & set(groups[held]), "no writer on both sides"
        assert len(kept) + len(held) == 300 and 40 <= len(held) <= 80
        assert np.array_equal(held, splits.hold_out(np.arange(300), labels, seed=5, groups=groups, **size)[1])


def test_a_source_without_a_split_needs_a_test_fraction():
    labels = np.array([0, 1] * 10)
    train, test = splits.train_test_rows(None, labels, 0.25, seed=1)
    assert len(test) == 5 and len(train) == 15
    with pytest.raises(ValueError, match="no train/test split of its own and test_fraction is 0"):
        splits.train_test_rows(None, labels, 0.0, seed=1)


def test_the_sources_own_split_wins_and_an_unused_test_fraction_is_said(caplog):
    labels = np.array([0, 1] * 5)
    split = np.array([splits.TRAIN] * 6 + [splits.TEST] * 4)
    with caplog.at_level("INFO", logger="components.splits"):
        train, test = splits.train_test_rows(split, labels, 0.2, seed=0)
    assert list(train) == list(range(6)) and list(test) == list(range(6, 10))
    assert "test_fraction=0.2 is not used" in caplog.text


def test_the_step_that_compares_fold_scores_loads_neither_scikit_learn_nor_tensorflow():
    """compare_variants imports components.steps.cross_validate (and so this module) only to summarise scores."""
    import subprocess
    import sys

    code = (
        "import sys; from components.steps.cross_validate import best_variant, collect, summarize; "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'tensorflow', 'keras')); "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
