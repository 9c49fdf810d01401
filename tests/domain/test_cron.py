"""Cron schedules as Kubernetes CronJobs accept them: good ones, and why bad ones fail."""

from __future__ import annotations

import pytest

from generators.domain.cron import schedule_error


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
