"""One cron form in, the right form out: robfig's 6 fields for KFP, the standard 5 for Vertex."""

import pytest

from pipelines.cron import CronError, parse, to_kfp, to_vertex


@pytest.mark.parametrize(
    "standard, kfp",
    [
        ("30 2 * * 1-5", "0 30 2 * * 1-5"),
        ("0 0 * * *", "0 0 0 * * *"),
        ("*/15 * * * *", "0 */15 * * * *"),
        ("0 3 1,15 * *", "0 0 3 1,15 * *"),
        ("5 4 * jan-mar SUN", "0 5 4 * jan-mar SUN"),
        ("0 9-17/2 * * MON-FRI", "0 0 9-17/2 * * MON-FRI"),
        ("  0   6  *  * 0 ", "0 0 6 * * 0"),
    ],
)
def test_standard_crons_become_robfig_with_seconds_first(standard, kfp):
    assert to_kfp(standard) == kfp
    assert to_vertex(standard) == " ".join(standard.split())


def test_vertex_gets_the_time_zone_in_front():
    assert to_vertex("30 2 * * 1-5", "Europe/Paris") == "TZ=Europe/Paris 30 2 * * 1-5"


def test_a_six_field_cron_is_refused_and_the_difference_explained():
    with pytest.raises(CronError) as error:
        parse("0 30 2 * * 1-5")
    message = str(error.value)
    assert "6 fields" in message and "seconds first" in message and "robfig" in message
    assert "Did you mean '30 2 * * 1-5'?" in message
    with pytest.raises(CronError, match="6 fields") as error:
        parse("15 30 2 * * *")
    assert "Did you mean" not in str(error.value), "no guess when the seconds are not 0"


@pytest.mark.parametrize(
    "cron, words",
    [
        ("", "empty"),
        ("* * * *", "4 field"),
        ("0 0 0 * * * 2030", "7 field"),
        ("@daily", "0 0 * * *"),
        ("TZ=UTC 0 0 * * *", "--timezone"),
        ("60 * * * *", "minute field '60': 60 is outside 0-59"),
        ("0 24 * * *", "hour"),
        ("0 0 0 * *", "day of month field '0'"),
        ("0 0 * 13 *", "month"),
        ("0 0 * * 7", "use 0"),
        ("0 0 ? * MON", "not standard"),
        ("0 0 L * *", "not standard"),
        ("0 0 * * 1#2", "not standard"),
        ("0 0 * * MON-FRIDAY", "not a number"),
        ("5/10 * * * *", "a step needs a range"),
        ("*/0 * * * *", "step must be 1"),
        ("0 0 * * 5-1", "backwards"),
        ("0 0 * * mon/", "not a value"),
    ],
)
def test_what_is_not_a_standard_cron_is_refused_with_the_reason(cron, words):
    with pytest.raises(CronError, match=None) as error:
        parse(cron)
    assert words in str(error.value), str(error.value)
