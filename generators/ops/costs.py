"""`platform cost`: the monthly estimate of a validated platform, grouped and formatted."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from generators.diagnostics.suggest import did_you_mean
from generators.domain.cost import Line, estimate
from generators.errors import UsageError
from generators.ops.secret_reports import valid

GROUPINGS = ("service", "team", "environment")


@dataclass(frozen=True)
class Row:
    """One row of the report: a group's monthly range, in one currency."""

    key: tuple[str, ...]
    currency: str
    low: Decimal
    high: Decimal
    note: str = ""


@dataclass(frozen=True)
class Report:
    """The rows, their total per currency, and what the estimate leaves out."""

    by: str
    rows: tuple[Row, ...]
    totals: dict[str, tuple[Decimal, Decimal]]

    @property
    def headings(self) -> tuple[str, ...]:
        """The key columns, then the range."""
        keys = {
            "service": ("environment", "kind", "name", "team"),
            "team": ("team",),
            "environment": ("environment",),
        }[self.by]
        return (*keys, "low /month", "high /month", "note")

    def table(self) -> list[list[str]]:
        """Rows as text, with a total line per currency."""
        out = [list(self.headings)]
        out += [
            [*row.key, _money(row.low, row.currency), _money(row.high, row.currency), row.note]
            for row in self.rows
        ]
        blank = [""] * (len(self.headings) - 4)
        for currency, (low, high) in sorted(self.totals.items()):
            out.append(["total", *blank, _money(low, currency), _money(high, currency), ""])
        return out

    def json(self) -> str:
        """The rows and totals as JSON (amounts as strings: exact decimals)."""
        keys = self.headings[:-3]
        data = {
            "by": self.by,
            "rows": [
                {
                    **dict(zip(keys, row.key, strict=True)),
                    "currency": row.currency,
                    "low": str(row.low),
                    "high": str(row.high),
                    "note": row.note,
                }
                for row in self.rows
            ],
            "totals": {c: {"low": str(lo), "high": str(hi)} for c, (lo, hi) in self.totals.items()},
        }
        return json.dumps(data, indent=2) + "\n"

    def csv(self) -> str:
        """The rows as CSV, a currency column added."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*self.headings[:-3], "currency", "low", "high", "note"])
        for row in self.rows:
            writer.writerow([*row.key, row.currency, row.low, row.high, row.note])
        return out.getvalue()


def report(root: Path, environments: Sequence[str] = (), by: str = "service") -> Report:
    """The estimate of the platform at ``root`` (or of the environments named), grouped.

    Raises:
        SpecErrors: when the specs have errors.
        UsageError: for an environment that does not exist.
    """
    platform = valid(root).platform
    known = sorted(platform.environments)
    for env in environments:
        if env not in known:
            raise UsageError(
                message=f"unknown environment {env!r}",
                hint=did_you_mean(env, known, what="environments"),
            )
    lines = estimate(platform, sorted(set(environments)) if environments else None)
    return group(lines, by)


def group(lines: Sequence[Line], by: str) -> Report:
    """Lines summed per ``by`` (service: each line as it is), in a stable order."""
    sums: dict[tuple[tuple[str, ...], str], list[Decimal]] = {}
    notes: dict[tuple[tuple[str, ...], str], str] = {}
    for line in lines:
        key = {
            "service": (line.environment, line.kind, line.name, line.team),
            "team": (line.team,),
            "environment": (line.environment,),
        }[by]
        low, high = sums.setdefault((key, line.currency), [Decimal(0), Decimal(0)])
        sums[(key, line.currency)] = [low + line.low, high + line.high]
        if by == "service":
            notes[(key, line.currency)] = line.note
    rows = tuple(
        Row(key, currency, low, high, notes.get((key, currency), ""))
        for (key, currency), (low, high) in sorted(sums.items())
    )
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for row in rows:
        low, high = totals.get(row.currency, (Decimal(0), Decimal(0)))
        totals[row.currency] = (low + row.low, high + row.high)
    return Report(by, rows, totals)


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"
