"""Validation of the cron schedules Kubernetes CronJobs accept (robfig/cron standard form)."""

from __future__ import annotations

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
