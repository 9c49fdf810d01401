"""Small parsers the checks rely on: quantities, cron schedules, references, names."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generators.cron import schedule_error
from generators.interpolation import references
from generators.quantity import parse_quantity
from generators.suggest import closest, did_you_mean


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("250m", "0.25"),
        ("1", "1"),
        ("0.5", "0.5"),
        ("512Mi", str(512 * 2**20)),
        ("1G", "1000000000"),
        ("1e3", "1000"),
        (2, "2"),
        (".5", "0.5"),
    ],
)
def test_quantities(text: str | int, value: str) -> None:
    assert parse_quantity(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "1.5.2", "12Qi", "-1", "1 Gi", "m", "1mi"])
def test_bad_quantities(text: str) -> None:
    with pytest.raises(ValueError, match="not a Kubernetes quantity"):
        parse_quantity(text)


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


def test_references() -> None:
    found = references("a ${services.api.url} b $${literal} ${environment.domain} ${nope")
    assert [(r.text, r.error) for r in found] == [
        ("${services.api.url}", ""),
        ("${environment.domain}", ""),
        ("${", "unclosed `${`"),
    ]
    assert found[0].service == "api"
    (bad,) = references("${services.api.uri}")
    assert "no attribute 'uri'" in bad.error


def test_suggestions() -> None:
    assert closest("prod", ["dev", "production"]) == "production"
    assert closest("Payments", ["payments"]) == "payments"
    assert closest("zzz", ["dev"]) is None
    assert did_you_mean("zzz", ["b", "a"], what="teams") == "known teams: 'a', 'b'"
