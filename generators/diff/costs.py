"""The cost delta of a diff: each service's and integration's monthly estimate, base to head.

Both sides are estimated from their own specs (generators/domain/cost.py), so the delta
is in money, at each side's prices; a price change in an environment's `cost:` block
shows as a delta too. A team whose estimate goes over its budget with this change is
called out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generators.domain.cost import Line, team_totals

Key = tuple[str, str, str]  # (environment, kind, name)


@dataclass(frozen=True)
class Delta:
    """One service or integration whose estimate changes."""

    environment: str
    kind: str
    name: str
    team: str
    currency: str
    before: tuple[Decimal, Decimal]
    after: tuple[Decimal, Decimal]

    @property
    def change(self) -> tuple[Decimal, Decimal]:
        """The monthly delta of the low and the high end."""
        return self.after[0] - self.before[0], self.after[1] - self.before[1]


@dataclass(frozen=True)
class Crossing:
    """A team that this change takes over its monthly budget."""

    team: str
    budget: Decimal
    currency: str
    before: Decimal
    after: Decimal


@dataclass(frozen=True)
class CostDiff:
    """Every changed estimate, the totals per currency, and the budgets crossed."""

    deltas: tuple[Delta, ...] = ()
    #: Currency -> the monthly delta (low, high) of everything shown.
    totals: Mapping[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    crossings: tuple[Crossing, ...] = ()


def compare(
    before: Iterable[Line],
    after: Iterable[Line],
    environments: Sequence[str],
    budgets: Mapping[str, tuple[Decimal, str]],
    base_budgets: Mapping[str, tuple[Decimal, str]] | None = None,
) -> CostDiff:
    """The delta of the lines of ``environments``.

    ``budgets`` are the head's, by team: a team over its budget at the head that was
    within its own (the base's) budget, or had none, is a crossing.
    """
    before, after = list(before), list(after)
    wanted = set(environments)
    was = {_key(line): line for line in before if line.environment in wanted}
    now = {_key(line): line for line in after if line.environment in wanted}
    deltas = []
    for key in sorted(was.keys() | now.keys()):
        old, new = was.get(key), now.get(key)
        shown = new or old
        assert shown is not None
        zero = (Decimal(0), Decimal(0))
        delta = Delta(
            *key,
            team=shown.team,
            currency=shown.currency,
            before=(old.low, old.high) if old else zero,
            after=(new.low, new.high) if new else zero,
        )
        if any(delta.change):
            deltas.append(delta)
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for delta in deltas:
        low, high = totals.get(delta.currency, (Decimal(0), Decimal(0)))
        totals[delta.currency] = (low + delta.change[0], high + delta.change[1])
    # Budgets are over every environment, whichever were asked for.
    old_teams, new_teams = team_totals(before), team_totals(after)
    crossings = []
    for team, (budget, currency) in sorted(budgets.items()):
        new_high = new_teams.get((team, currency), (Decimal(0), Decimal(0)))[1]
        if new_high <= budget:
            continue
        old_budget = (base_budgets or {}).get(team)
        if old_budget is not None:
            old_high = old_teams.get((team, old_budget[1]), (Decimal(0), Decimal(0)))[1]
            if old_high > old_budget[0]:
                continue  # over already: not this change's doing
        old_high = old_teams.get((team, currency), (Decimal(0), Decimal(0)))[1]
        crossings.append(Crossing(team, budget, currency, old_high, new_high))
    return CostDiff(tuple(deltas), totals, tuple(crossings))


def _key(line: Line) -> Key:
    return (line.environment, line.kind, line.name)


def money(low: Decimal, high: Decimal, currency: str) -> str:
    """An estimate: ``12.30 USD``, or the range ``12.30 to 36.90 USD`` (a month's)."""
    return f"{low:,.2f} {currency}" if low == high else f"{low:,.2f} to {high:,.2f} {currency}"


def change(low: Decimal, high: Decimal, currency: str) -> str:
    """A delta: ``+12.30 USD``; where the ends move apart, each end's."""
    if low == high:
        return f"{low:+,.2f} {currency}"
    return f"{low:+,.2f} {currency} at the fewest replicas, {high:+,.2f} at the most"


def lines(cost: CostDiff, bullet: str, label: Callable[[str], str], *, bold: bool) -> list[str]:
    """The delta as report lines: the total per currency, budgets crossed, each item."""
    if not cost.deltas:
        return []
    strong = "**" if bold else ""
    out = [
        f"{bullet}{strong}Monthly estimate {change(*total, currency)}{strong}"
        for currency, total in sorted(cost.totals.items())
    ]
    out += [
        f"{bullet}{strong}Over budget{strong}: team {c.team} goes from "
        f"{c.before:,.2f} to {c.after:,.2f} {c.currency} a month, over its {c.budget:,.2f}"
        for c in cost.crossings
    ]
    for d in sorted(cost.deltas, key=lambda d: (-abs(d.change[1]), d.environment, d.name)):
        was, now = money(*d.before, d.currency), money(*d.after, d.currency)
        out.append(
            f"{bullet}{label(d.environment)} / {d.name}: {change(*d.change, d.currency)} "
            f"({was} → {now})"
        )
    return out


def as_json(cost: CostDiff, label: Callable[[str], str]) -> dict[str, Any]:
    """The delta as data (amounts as strings: exact decimals)."""
    return {
        "totals": {c: [str(lo), str(hi)] for c, (lo, hi) in cost.totals.items()},
        "changes": [
            {
                "environment": label(d.environment),
                "kind": d.kind,
                "name": d.name,
                "team": d.team,
                "currency": d.currency,
                "before": [str(v) for v in d.before],
                "after": [str(v) for v in d.after],
            }
            for d in cost.deltas
        ],
        "overBudget": [
            {
                "team": c.team,
                "budget": str(c.budget),
                "before": str(c.before),
                "after": str(c.after),
            }
            for c in cost.crossings
        ],
    }
