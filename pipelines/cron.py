"""One cron form for schedules: the standard five fields, ``MIN HOUR DOM MON DOW``.

Vertex AI schedules take that form as it is (a time zone goes in front as
``TZ=Zone``). Kubeflow Pipelines' scheduler parses crons with robfig/cron's
``cron.Parse``, whose first field is *seconds*; it also accepts five fields,
read as ``SEC MIN HOUR DOM MON`` — a standard cron given as is would fire at
the wrong times without any error. :func:`to_kfp` therefore prepends a zero
seconds field, and a six-field cron given by mistake is refused with an
explanation of the difference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NoReturn

MONTHS = {
    name: i
    for i, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1
    )
}
DAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
# name, lowest, highest, names
FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 6, DAYS),
)
FORM = "'MIN HOUR DOM MON DOW' (e.g. '30 2 * * 1-5': 02:30 on weekdays)"
_ITEM = re.compile(r"^(?P<range>\*|[A-Za-z0-9]+(-[A-Za-z0-9]+)?)(/(?P<step>\d+))?$")


class CronError(ValueError):
    """A cron expression kfp-studies does not take; the message says why and what to write instead."""


def parse(expression: str) -> tuple[str, ...]:
    """The five fields of a standard cron expression, validated."""
    text = " ".join(expression.split())
    if not text:
        raise CronError(f"empty cron expression; give the standard 5-field form {FORM}")
    if text.startswith("@"):
        raise CronError(
            f"{expression!r}: descriptors like @daily are not taken; write the 5-field form {FORM} "
            "(e.g. '0 0 * * *' for @daily)"
        )
    if text.upper().startswith(("TZ=", "CRON_TZ=")):
        raise CronError(f"{expression!r}: give the time zone with --timezone, not inside the cron")
    fields = text.split(" ")
    if len(fields) == 6:
        hint = f" Did you mean '{' '.join(fields[1:])}'?" if fields[0] == "0" else ""
        raise CronError(
            f"{expression!r} has 6 fields. kfp-studies takes the standard 5-field cron {FORM}. The 6-field form "
            "with seconds first ('SEC MIN HOUR DOM MON DOW') is what Kubeflow Pipelines' scheduler "
            "(robfig/cron) reads; kfp-studies writes it for you by putting a 0 seconds field in front, and Vertex "
            f"AI takes the 5-field form as it is.{hint}"
        )
    if len(fields) != 5:
        raise CronError(f"{expression!r} has {len(fields)} field(s); give the standard 5-field form {FORM}")
    for value, spec in zip(fields, FIELDS, strict=False):
        _check_field(expression, value, *spec)
    return tuple(fields)


def to_kfp(expression: str) -> str:
    """The 6-field robfig/cron form (seconds first) for KFP recurring runs."""
    return " ".join(("0", *parse(expression)))


def to_vertex(expression: str, timezone: str | None = None) -> str:
    """The 5-field form for Vertex AI schedules, with ``TZ=`` in front when a time zone is given."""
    cron = " ".join(parse(expression))
    return f"TZ={timezone} {cron}" if timezone else cron


def _check_field(expression: str, value: str, name: str, low: int, high: int, names: dict) -> None:
    def fail(message: str) -> NoReturn:
        raise CronError(f"{expression!r}: {name} field {value!r}: {message}")

    for item in value.split(","):
        if "?" in item or any(c in item.upper() for c in "LW#") and not _is_name(item, names):
            fail("'?', 'L', 'W' and '#' are not standard cron; use '*', lists, ranges and steps")
        match = _ITEM.match(item)
        if not match:
            fail(f"not a value, range, list or step; allowed: *, {low}-{high}, a-b, */n, a-b/n, a,b")
        if match["step"] is not None and int(match["step"]) < 1:
            fail("a step must be 1 or more")
        if match["range"] == "*":
            continue
        bounds = [_number(part, names, fail) for part in match["range"].split("-")]
        if match["step"] is not None and len(bounds) == 1:
            fail(
                f"a step needs a range or '*' before it (e.g. '*/{match['step']}' or '{bounds[0]}-{high}/"
                f"{match['step']}')"
            )
        for number in bounds:
            if name == "day of week" and number == 7:
                fail("7 is not taken for Sunday (Kubeflow Pipelines' scheduler reads 0-6 only); use 0")
            if not low <= number <= high:
                fail(f"{number} is outside {low}-{high}")
        if len(bounds) == 2 and bounds[0] > bounds[1]:
            fail(f"the range {bounds[0]}-{bounds[1]} runs backwards")


def _number(part: str, names: dict, fail: Callable[[str], NoReturn]) -> int:
    if part.isdigit():
        return int(part)
    if part.upper() in names:
        return names[part.upper()]
    fail(f"{part!r} is not a number" + (f" or one of {', '.join(names)}" if names else ""))


def _is_name(item: str, names: dict) -> bool:
    return all(part.upper() in names for part in re.split(r"[-/]", item) if not part.isdigit())
