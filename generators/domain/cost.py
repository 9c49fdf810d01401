"""Monthly cost estimates: each service and integration, per environment, from its specs.

A service costs what it requests (CPU and memory, per replica), times its replicas, at
its environment's prices (`environments/<env>.yaml` `cost:`), plus the claims the
platform renders for it, its LoadBalancer Service and its managed typed dependencies
(one instance each, at its class's price). With autoscaling the estimate is
a range, from `scaling.min` to `scaling.max` replicas. Cron jobs and one-off jobs run
now and then: their runs are not estimated (the line says so). An integration instance
costs its plan's monthly price where it is used. `platform cost` prints these lines;
`platform diff` subtracts them between the base and the head.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from generators.model.dependencies import bindings
from generators.model.platform import Platform, Resolved
from generators.model.resources import effective_resources
from generators.spec.cost import PriceTable
from generators.spec.quantity import parse_quantity
from generators.spec.resources import Managed
from generators.spec.service import Scaling

#: Hours in an average month (365 × 24 / 12), as cloud providers bill.
HOURS_PER_MONTH = Decimal(730)
GIB = Decimal(1024**3)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Line:
    """The monthly cost of one service or integration in one environment."""

    environment: str
    kind: str  # "service" | "integration"
    name: str
    team: str
    currency: str
    low: Decimal
    high: Decimal
    #: What makes it up: (part, low, high), e.g. ("compute", 12.3, 24.6).
    parts: tuple[tuple[str, Decimal, Decimal], ...] = ()
    note: str = ""


def estimate(platform: Platform, environments: Iterable[str] | None = None) -> list[Line]:
    """Every deployed service's and used integration's line, by environment and name."""
    chosen = sorted(platform.environments if environments is None else environments)
    out: list[Line] = []
    for env in chosen:
        prices = platform.environments[env][1].spec.cost
        used: dict[str, list[str]] = {}
        for (where, name), resolved in sorted(platform.resolved.items()):
            if where != env or name not in platform.services or not platform.deploys(name, env):
                continue
            out.append(_service(platform, resolved, prices))
            for instance in resolved.workload.integrations:
                used.setdefault(instance, []).append(name)
        out += _integrations(platform, env, prices, used)
    return out


def _service(platform: Platform, resolved: Resolved, prices: PriceTable) -> Line:
    workload = resolved.workload
    env_spec = platform.environments[resolved.environment][1].spec
    team = platform.services[resolved.service][1].metadata.team
    parts: list[tuple[str, Decimal, Decimal]] = []
    note = ""
    metadata = platform.services[resolved.service][1].metadata
    if metadata.lifecycle == "retired":  # in its grace: kept, at zero replicas
        note = f"retired: scaled to zero until {metadata.retireAfter}"
    elif workload.type in ("web", "worker"):
        low, high = replicas(workload.scaling, env_spec.defaults.replicas)
        requests, _ = effective_resources(workload.resources)
        cpu = parse_quantity(requests["cpu"])
        memory = parse_quantity(requests["memory"]) / GIB
        hourly = cpu * _d(prices.cpuHour) + memory * _d(prices.memoryGiBHour)
        monthly = hourly * HOURS_PER_MONTH
        parts.append(("compute", monthly * low, monthly * high))
    else:
        note = f"a {workload.type}: its runs are not estimated"
    storage = sum(
        (parse_quantity(v.claim.size) / GIB for v in workload.volumes if v.claim and v.claim.size),
        Decimal(0),
    )
    if storage:
        monthly = storage * _d(prices.storageGiBMonth)
        parts.append(("storage", monthly, monthly))
    if workload.type == "web" and workload.expose.type == "LoadBalancer":
        monthly = _d(prices.loadBalancerHour) * HOURS_PER_MONTH
        parts.append(("load balancer", monthly, monthly))
    unpriced = []
    for binding in bindings(platform, resolved):
        if isinstance(binding.provider, Managed):  # shared and external: not the consumer's
            dependency = binding.dependency
            price = prices.resources.get(dependency.type, {}).get(dependency.class_)
            what = f"{dependency.type} {dependency.class_}"
            if price is None:
                unpriced.append(what)
            else:
                parts.append((f"{dependency.key} ({what})", _d(price), _d(price)))
    if unpriced:
        missing = f"no price here for managed {', '.join(unpriced)}"
        note = f"{note}; {missing}" if note else missing
    return Line(
        resolved.environment,
        "service",
        resolved.service,
        team,
        prices.currency,
        _cents(sum((p[1] for p in parts), Decimal(0))),
        _cents(sum((p[2] for p in parts), Decimal(0))),
        tuple((name, _cents(lo), _cents(hi)) for name, lo, hi in parts),
        note,
    )


def replicas(scaling: Scaling | None, default: int) -> tuple[int, int]:
    """The fewest and most replicas: autoscaling's range, or the fixed count."""
    if scaling is not None and scaling.min is not None and scaling.max is not None:
        return scaling.min, scaling.max
    if scaling is not None and scaling.replicas is not None:
        return scaling.replicas, scaling.replicas
    return default, default


def plan(platform: Platform, instance: str, environment: str) -> str | None:
    """The plan an integration instance is on in an environment (its block's, else its own)."""
    spec = platform.integrations[instance][1].spec
    block = spec.environments.get(environment)
    return block.plan if block is not None and block.plan is not None else spec.plan


def _integrations(
    platform: Platform, env: str, prices: PriceTable, used: dict[str, list[str]]
) -> Iterator[Line]:
    for instance in sorted(used):
        if instance not in platform.integrations:
            continue
        integration = platform.integrations[instance][1]
        chosen = plan(platform, instance, env)
        catalog = integration.spec.catalog
        price = prices.integrations.get(catalog, {}).get(chosen) if chosen else None
        users = ", ".join(sorted(used[instance]))
        if price is None:
            note = (
                f"no plan: used by {users}"
                if chosen is None
                else f"plan {chosen!r} has no price here: used by {users}"
            )
            amount = Decimal(0)
        else:
            note, amount = f"plan {chosen}: used by {users}", _cents(_d(price))
        yield Line(
            env,
            "integration",
            instance,
            integration.metadata.team,
            prices.currency,
            amount,
            amount,
            (("plan", amount, amount),) if price is not None else (),
            note,
        )


def team_totals(lines: Iterable[Line]) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(team, currency) -> the monthly (low, high) of its lines over every environment."""
    out: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for line in lines:
        low, high = out.get((line.team, line.currency), (Decimal(0), Decimal(0)))
        out[(line.team, line.currency)] = (low + line.low, high + line.high)
    return out


def _d(value: float) -> Decimal:
    return Decimal(str(value))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)
