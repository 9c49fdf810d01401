"""The Integration kind: one configured use of a catalog entry (a Stripe account, an Auth0 tenant).

The catalog entry (`templates/integrations/<catalog>.yaml`) says what the integration
needs; the instance supplies it: settings, and which Secret holds each credential, per
environment, and who may use it. A service lists the instances it uses.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from generators.spec.base import Kind, Ref, SecretRef, StrictModel
from generators.spec.secret import Access

SettingValue = str | int | bool


class IntegrationMetadata(StrictModel):
    """The instance's identity and owner."""

    name: str = Field(
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        max_length=63,
        description="Instance name, used in a service's `integrations`. Equals the file name.",
    )
    team: Ref = Field(description="Owning team.")


class IntegrationValues(StrictModel):
    """Settings and credentials; the top level, or one environment's changes to them."""

    settings: dict[str, SettingValue] = Field(
        default_factory=dict, description="Catalog setting name -> value."
    )
    secrets: dict[str, SecretRef] = Field(
        default_factory=dict, description="Catalog secret key -> the Secret and key holding it."
    )
    plan: str | None = Field(
        default=None,
        min_length=1,
        description="The provider's plan this instance is on (priced per environment under "
        "`cost.integrations.<catalog entry>.<plan>`).",
    )


class IntegrationSpec(IntegrationValues):
    """Which catalog entry, its values, and who may use it."""

    catalog: Ref = Field(description="Catalog entry: a file name under templates/integrations/.")
    description: str = Field(default="", description="What this instance is for.")
    access: Access = Field(default_factory=Access, description="Who else may use it.")
    environments: dict[str, IntegrationValues] = Field(
        default_factory=dict,
        description="Per-environment settings and secrets, merged over the top level.",
    )


class Integration(StrictModel):
    """An Integration spec file: `platform/integrations/<name>.yaml`."""

    apiVersion: Literal["platform/v1"] = Field(description="Spec format version.")
    kind: Literal["Integration"] = Field(description="Always `Integration`.")
    metadata: IntegrationMetadata = Field(description="Name and owning team.")
    spec: IntegrationSpec = Field(description="Catalog entry, values, access.")


KIND = Kind(name="Integration", model=Integration, directory="platform/integrations")
