"""Checks of cost: teams within their budgets; every integration plan and managed class priced."""

from __future__ import annotations

from collections.abc import Iterator

from generators.checks.base import at
from generators.diagnostics import Diagnostic, codes
from generators.domain.cost import estimate, plan, team_totals
from generators.model.dependencies import bindings
from generators.model.platform import Platform
from generators.spec.resources import Managed


def check_budgets(platform: Platform) -> Iterator[Diagnostic]:
    """A team's estimate, at its services' most replicas, stays within its budget."""
    budgeted = {
        name: (doc, team.spec.budget)
        for name, (doc, team) in platform.teams.items()
        if team.spec.budget is not None
    }
    if not budgeted:
        return
    lines = estimate(platform)
    totals = team_totals(lines)
    for name, (doc, budget) in sorted(budgeted.items()):
        assert budget is not None
        _, high = totals.get((name, budget.currency), (0, 0))
        if high <= budget.monthly:
            continue
        mine = sorted(
            (line for line in lines if line.team == name and line.currency == budget.currency),
            key=lambda line: (-line.high, line.environment, line.name),
        )
        top = ", ".join(f"{line.name} in {line.environment} {line.high:,.2f}" for line in mine[:3])
        yield at(
            doc,
            ("spec", "budget", "monthly"),
            codes.OVER_BUDGET,
            f"team {name!r} may cost up to {high:,.2f} {budget.currency} a month, over its "
            f"budget of {budget.monthly:,.2f}",
            f"the most: {top} (`platform cost --by service`): lower their requests, "
            "scaling.max or plan, or raise the budget",
        )


def check_plan_prices(platform: Platform) -> Iterator[Diagnostic]:
    """An integration on a plan has that plan's price in each environment it is used in."""
    used: dict[str, set[str]] = {}
    for (env, name), resolved in platform.resolved.items():
        if name in platform.services and platform.deploys(name, env):
            for instance in resolved.workload.integrations:
                used.setdefault(instance, set()).add(env)
    for instance, environments in sorted(used.items()):
        if instance not in platform.integrations:
            continue
        doc, integration = platform.integrations[instance]
        catalog = integration.spec.catalog
        for env in sorted(environments):
            chosen = plan(platform, instance, env)
            prices = platform.environments[env][1].spec.cost.integrations.get(catalog, {})
            if chosen is None or chosen in prices:
                continue
            block = integration.spec.environments.get(env)
            path = (
                ("spec", "environments", env, "plan")
                if block is not None and block.plan is not None
                else ("spec", "plan")
            )
            known = ", ".join(sorted(prices)) or "none"
            yield at(
                doc,
                path,
                codes.UNPRICED_PLAN,
                f"plan {chosen!r} of {catalog!r} has no price in environment {env!r}",
                f"add `cost.integrations.{catalog}.{chosen}: <monthly price>` to "
                f"environments/{env}.yaml (priced plans there: {known})",
            ).with_environments(env, within=tuple(sorted(environments)))


def check_resource_prices(platform: Platform) -> Iterator[Diagnostic]:
    """A managed class in use has its monthly price where it is offered."""
    used: dict[tuple[str, str, str], list[str]] = {}
    for (env, name), resolved in sorted(platform.resolved.items()):
        if name in platform.services and platform.deploys(name, env):
            for binding in bindings(platform, resolved):
                if isinstance(binding.provider, Managed):
                    dependency = binding.dependency
                    used.setdefault((env, dependency.type, dependency.class_), []).append(name)
    for (env, kind, name), users in sorted(used.items()):
        doc, environment = platform.environments[env]
        prices = environment.spec.cost.resources
        if name in prices.get(kind, {}):
            continue
        yield at(
            doc,
            ("spec", "resources", kind, name),
            codes.UNPRICED_PLAN,
            f"managed {kind} {name!r} has no price here (used by {', '.join(users)})",
            f"add `cost.resources.{kind}.{name}: <monthly price of one instance>` to "
            f"environments/{env}.yaml",
            key=True,
        )
