"""Cron schedules as CronJobs accept them: validity, and the longest gap between runs."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.domain import cron
from generators.domain.cron import interval_seconds, schedule_error


@pytest.mark.parametrize(
    "schedule", ["0 3 * * *", "*/15 * * * *", "0 9-17 * * MON-FRI", "0 0 1 JAN,JUL ?", "@daily"]
)
def test_good_schedules(schedule: str) -> None:
    assert schedule_error(schedule) is None


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("0 3 * *", "expected 5 fields"),
        ("60 * * * *", "outside 0-59"),
        ("* * * * * *", "found 6"),
        ("*/0 * * * *", "step '0'"),
        ("0 17-9 * * *", "runs backwards"),
        ("@sometimes", "unknown macro"),
        ("0 0 * FOO *", "'FOO' is not a number"),
    ],
)
def test_bad_schedules(schedule: str, problem: str) -> None:
    assert problem in (schedule_error(schedule) or "")


def brute_force_interval(schedule: str) -> int:
    """Every run of a year listed one by one, and the longest gap between two of them."""
    text = cron._MACRO_FORMS.get(schedule.strip(), schedule.strip())
    minute, hour, dom, month, dow = (
        cron._expand(value, low, high, names)
        for value, (_, low, high, names) in zip(text.split(), cron._FIELDS, strict=True)
    )
    dom_any, dow_any = text.split()[2] in ("*", "?"), text.split()[4] in ("*", "?")
    start = dt.datetime(2025, 1, 1)
    runs = []
    for offset in range(366 + 31):
        day = start + dt.timedelta(days=offset)
        by_dom, by_dow = day.day in dom, (day.isoweekday() % 7) in dow
        matches = by_dom and by_dow if dom_any or dow_any else by_dom or by_dow
        if day.month in month and matches:
            runs += [day.replace(hour=h, minute=m) for h in sorted(hour) for m in sorted(minute)]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(runs)]
    return int(max(gaps)) if gaps else 366 * 86400


@pytest.mark.parametrize(
    ("schedule", "seconds"),
    [
        ("30 2 * * *", 86400),
        ("*/15 * * * *", 900),
        ("0 9-17 * * MON-FRI", (24 - 17 + 9) * 3600 + 2 * 86400),  # Friday 17:00 to Monday 9:00
        ("0 0 1 * *", 31 * 86400),
        ("0 0 29 2 *", 366 * 86400),  # no 29 February in the year looked at: never
        ("@hourly", 3600),
    ],
)
def test_the_longest_gap_between_runs(schedule: str, seconds: int) -> None:
    assert interval_seconds(schedule) == seconds


def _field(low: int, high: int) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    item = st.one_of(
        st.just("*"),
        number.map(str),
        st.tuples(number, number).map(lambda b: f"{min(b)}-{max(b)}"),
        st.tuples(st.sampled_from(["*", str(low)]), st.integers(1, high - low + 1)).map(
            lambda s: f"{s[0]}/{s[1]}"
        ),
    )
    return st.lists(item, min_size=1, max_size=3).map(",".join)


@settings(max_examples=60, deadline=None)
@given(
    st.tuples(_field(0, 59), _field(0, 23), _field(1, 31), _field(1, 12), _field(0, 6)).map(
        " ".join
    )
)
def test_the_closed_form_agrees_with_listing_every_run(schedule: str) -> None:
    assert schedule_error(schedule) is None
    assert interval_seconds(schedule) == brute_force_interval(schedule)
