"""Validation of the cron schedules Kubernetes CronJobs accept (robfig/cron standard form)."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import cache

MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# (field name, lowest, highest, names standing for numbers starting at `lowest`)
_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 6, _DAYS),
)


def schedule_error(schedule: str) -> str | None:
    """Why ``schedule`` is not a valid cron schedule, or ``None`` when it is."""
    text = schedule.strip()
    if text.startswith("@"):
        return None if text in MACROS else f"unknown macro {text!r} (use {', '.join(MACROS)})"
    fields = text.split()
    if len(fields) != len(_FIELDS):
        return (
            f"expected 5 fields (minute hour day-of-month month day-of-week), found {len(fields)}"
        )
    for value, (name, low, high, names) in zip(fields, _FIELDS, strict=True):
        for item in value.split(","):
            problem = _item_error(item, low, high, names, allow_any=name.startswith("day"))
            if problem:
                return f"{name} {problem}"
    return None


def _item_error(item: str, low: int, high: int, names: tuple[str, ...], *, allow_any: bool) -> str:
    body, _, step = item.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        return f"step {step!r} must be a positive number"
    if body == "*" or (allow_any and body == "?"):
        return ""
    bounds = body.split("-")
    if len(bounds) > 2 or not all(bounds):
        return f"{item!r} is not a number, range or '*'"
    numbers = []
    for bound in bounds:
        if bound.upper() in names:
            numbers.append(names.index(bound.upper()) + low)
        elif bound.isdigit():
            numbers.append(int(bound))
        else:
            return f"{bound!r} is not a number"
    if any(n < low or n > high for n in numbers):
        return f"{item} is outside {low}-{high}"
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        return f"range {item!r} runs backwards"
    return ""


_MACRO_FORMS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


@cache
def interval_seconds(schedule: str) -> int:
    """The longest gap between two runs of a valid schedule, over a year of runs.

    A missed-run alert waits this long (plus a grace) after the last success. Cron
    semantics: when both day fields are restricted, a day matches either of them.
    Worked out from the days that match and the times of day, not run by run: the
    longest gap is either between two runs of one day or from the last run of a
    matching day to the first of the next (a schedule every minute has half a million
    runs a year; services share few schedules, so each is worked out once).

    Raises:
        ValueError: when the schedule is not valid (see :func:`schedule_error`).
    """
    text = _MACRO_FORMS.get(schedule.strip(), schedule.strip())
    minute, hour, dom, month, dow = (
        _expand(value, low, high, names)
        for value, (_, low, high, names) in zip(text.split(), _FIELDS, strict=True)
    )
    dom_any, dow_any = text.split()[2] in ("*", "?"), text.split()[4] in ("*", "?")
    start = dt.date(2025, 1, 1)
    days = []
    for offset in range(366 + 31):  # a year, and a month more to close the last gap
        day = start + dt.timedelta(days=offset)
        by_dom, by_dow = day.day in dom, (day.isoweekday() % 7) in dow
        matches = by_dom and by_dow if dom_any or dow_any else by_dom or by_dow
        if day.month in month and matches:
            days.append(offset)
    times = sorted(h * 60 + m for h in hour for m in minute)  # minutes after midnight
    if not days or not times:
        return 366 * 86400
    gaps = [b - a for a, b in itertools.pairwise(times)]
    gaps += [(b - a) * _DAY + times[0] - times[-1] for a, b in itertools.pairwise(days)]
    return max(gaps) * 60 if gaps else 366 * 86400


_DAY = 24 * 60  # minutes


def _expand(value: str, low: int, high: int, names: tuple[str, ...]) -> set[int]:
    out: set[int] = set()
    for item in value.split(","):
        body, _, step = item.partition("/")
        if body in ("*", "?"):
            first, last = low, high
        else:
            bounds = [
                names.index(b.upper()) + low if b.upper() in names else int(b)
                for b in body.split("-")
            ]
            first, last = bounds[0], bounds[-1] if len(bounds) > 1 or step else bounds[0]
            if step and len(bounds) == 1:
                last = high
        out.update(range(first, last + 1, int(step) if step else 1))
    return out
