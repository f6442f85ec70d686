from components.blessing import ChampionScore, bless

SHA = "ab" * 32
CHAMPION = ChampionScore("v1", 0.80, SHA)


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
    assert "0.7900" in worse.reason and "0.8000" in worse.reason and SHA in worse.reason, "both scores, the data"


def test_tie_within_minimum_improvement_is_not_blessed():
    assert not bless("accuracy", 0.805, 0.5, CHAMPION, 0.01).blessed
    assert not bless("accuracy", 0.80, 0.5, CHAMPION, 0.0).blessed, "an equal model never replaces the champion"


def test_forced_registers_and_is_recorded():
    b = bless("accuracy", 0.70, 0.5, CHAMPION, 0.01, force=True)
    assert not b.blessed and b.forced and b.register and b.reason.startswith("registration forced")


def test_a_champion_that_could_not_be_scored_leaves_the_threshold_alone_to_decide():
    unscored = ChampionScore("v1", None, SHA, "its saved_model/saved_model.pb does not match its card")
    b = bless("accuracy", 0.60, 0.5, unscored, 0.01)
    assert b.blessed and "could not be scored" in b.reason and "saved_model.pb" in b.reason
    assert "threshold alone decides" in b.reason and b.as_dict()["champion"]["version"] == "v1"
    assert not bless("accuracy", 0.40, 0.5, unscored, 0.01).blessed
