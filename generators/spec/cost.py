"""Prices and budgets: an environment's price table, and a team's monthly budget."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from generators.spec.base import StrictModel

Price = Annotated[float, Field(ge=0)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. `USD`.")]


#: Managed PostgreSQL at Amazon RDS's on-demand prices in us-east-1, 730 hours a month
#: (docs/cost.md): `small` a db.t4g.small (0.032/hour), `ha` a Multi-AZ db.t4g.medium
#: (0.130/hour); storage is not included.
MANAGED_DEFAULTS: dict[str, dict[str, float]] = {"postgres": {"small": 23.36, "ha": 94.9}}


class PriceTable(StrictModel):
    """What running here costs, for estimates.

    The defaults are AWS's on-demand list prices in us-east-1 (Fargate Linux/x86 for
    compute, EBS gp3, Network Load Balancer hours, RDS for PostgreSQL), cited in
    docs/cost.md; write your own provider's or your negotiated rates instead.
    """

    currency: Currency = Field(default="USD", description="Currency of every price here.")
    cpuHour: Price = Field(default=0.04048, description="Per vCPU requested, per hour.")
    memoryGiBHour: Price = Field(default=0.004445, description="Per GiB requested, per hour.")
    storageGiBMonth: Price = Field(
        default=0.08, description="Per GiB of a claim the platform renders, per month."
    )
    loadBalancerHour: Price = Field(
        default=0.0225, description="Per LoadBalancer Service, per hour (traffic not included)."
    )
    resources: dict[str, dict[str, Price]] = Field(
        default_factory=lambda: dict(MANAGED_DEFAULTS),
        description="Monthly price of one managed instance (a typed dependency's claim): "
        "type -> class -> price (e.g. `postgres: {small: 23.36, ha: 94.9}`). Shared and "
        "external instances are not charged to their consumers. Replaces the defaults.",
    )
    integrations: dict[str, dict[str, Price]] = Field(
        default_factory=dict,
        description="Monthly price of an integration's plan: catalog entry -> plan -> price "
        "(e.g. `openai: {tier-1: 100}`). An instance names its plan in `spec.plan`.",
    )


class Budget(StrictModel):
    """What a team means to spend each month, over every environment."""

    monthly: Price = Field(description="The most the team's services and integrations may cost.")
    currency: Currency = Field(default="USD", description="Currency of `monthly`.")
