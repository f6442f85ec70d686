from components.blessing import bless

CHAMPION = {"version": "v1", "metrics": {"accuracy": 0.80}}


def test_first_model_has_no_champion_and_says_so():
    b = bless("accuracy", 0.85, 0.5, None, 0.01)
    assert b.blessed and b.register and "no champion" in b.reason


def test_below_threshold_is_not_blessed():
    b = bless("accuracy", 0.45, 0.5, None, 0.0)
    assert not b.blessed and "below the threshold" in b.reason


def test_better_than_champion_is_blessed_worse_is_not():
    assert bless("accuracy", 0.82, 0.5, CHAMPION, 0.01).blessed
    worse = bless("accuracy", 0.79, 0.5, CHAMPION, 0.01)
    assert not worse.blessed and "does not beat the champion v1" in worse.reason


def test_tie_within_minimum_improvement_is_not_blessed():
    assert not bless("accuracy", 0.805, 0.5, CHAMPION, 0.01).blessed
    assert not bless("accuracy", 0.80, 0.5, CHAMPION, 0.0).blessed, "an equal model never replaces the champion"


def test_forced_registers_and_is_recorded():
    b = bless("accuracy", 0.70, 0.5, CHAMPION, 0.01, force=True)
    assert not b.blessed and b.forced and b.register and b.reason.startswith("registration forced")
