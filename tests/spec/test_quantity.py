"""Kubernetes quantities: what parses, to which number, and what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generators.spec.quantity import parse_quantity


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
