"""The integration catalog's entry format: `templates/integrations/<name>.yaml` (data, not specs).

An entry says what a third-party service needs from a service that uses it: which
secret keys (required or optional), which non-secret settings, the env var each is
injected as, the hosts it calls (rendered into the egress NetworkPolicy), how often its
credentials should rotate, where its health can be checked and its rate limits.
Placeholders `{setting}` in egress hosts and the health-check URL are filled from the
instance's settings of that name.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import Kind, StrictModel

# A DNS label, or a `{setting}` placeholder standing for one or more labels.
_LABEL = r"\{[a-zA-Z][a-zA-Z0-9]*\}|[a-z0-9]([-a-z0-9]*[a-z0-9])?"
EnvVar = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=253)]
Duration = Annotated[
    str,
    Field(
        pattern=r"^[1-9][0-9]{0,3}[hdw]$",
        description="A period in hours, days or weeks: `12h`, `90d`, `2w` (at most 9999).",
    ),
]
Category = Literal[
    "auth", "payments", "database", "ai", "storage", "email", "messaging", "observability"
]


class CatalogMetadata(StrictModel):
    """The entry's identity."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="Entry name; equals the file name.")


class SecretKey(StrictModel):
    """One credential the integration needs, injected from a secret."""

    key: str = Field(
        pattern=r"^[a-z][a-zA-Z0-9]*$", description="Key name in camelCase, e.g. `secretKey`."
    )
    env: EnvVar = Field(description="Env var the value is injected as.")
    required: bool = Field(default=True, description="Must be provided in every environment.")
    description: str = Field(description="What the credential is and where to get it.")


class Setting(StrictModel):
    """One non-secret setting, injected as a plain env var."""

    name: str = Field(pattern=r"^[a-z][a-zA-Z0-9]*$", description="Setting name, camelCase.")
    env: EnvVar = Field(description="Env var the value is injected as.")
    type: Literal["string", "integer", "boolean", "url", "enum"] = Field(
        default="string", description="Type every instance value is checked against."
    )
    values: list[str] = Field(default_factory=list, description="Allowed values of an enum.")
    required: bool = Field(default=False, description="Instances must set it.")
    default: str | int | bool | None = Field(
        default=None, description="Value when the instance does not set one."
    )
    description: str = Field(description="What the setting controls.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.type == "enum") != bool(self.values):
            raise PydanticCustomError(
                "invalid_combination", "`values` lists the choices of an enum, and only of one"
            )
        python = {"integer": int, "boolean": bool}.get(self.type, str)
        default = self.default
        if default is not None and (
            type(default) is not python or (self.values and default not in self.values)
        ):
            raise PydanticCustomError(
                "invalid_value", "`default` must be a valid {type} value", {"type": self.type}
            )
        return self


class Egress(StrictModel):
    """A host the integration's clients connect to."""

    host: str = Field(
        pattern=r"^(\*\.)?(" + _LABEL + r")(\.(" + _LABEL + r"))*$",
        description="Host name; `*.` for a wildcard, `{setting}` filled from the instance.",
    )
    port: int = Field(default=443, ge=1, le=65535, description="TCP port.")


class Rotation(StrictModel):
    """How often the credentials should be rotated."""

    period: Duration = Field(description="Rotation period, e.g. `90d`.")


class HealthCheck(StrictModel):
    """Where the integration's health (or its provider's status) can be checked."""

    url: str = Field(
        pattern=r"^https?://\S+$", description="URL; `{setting}` filled from the instance."
    )


class RateLimit(StrictModel):
    """The provider's documented default rate limit."""

    requests: int = Field(ge=1, description="Requests allowed per `per`.")
    per: Literal["second", "minute", "hour", "day"] = Field(description="The window.")
    scope: Literal["account", "key", "ip", "project"] = Field(
        default="account", description="What the limit applies to."
    )
    note: str = Field(default="", description="Caveats (tiers, per-endpoint limits).")


class CatalogSpec(StrictModel):
    """Everything a service needs to use the integration."""

    displayName: str = Field(description="Product name, e.g. `Stripe`.")
    category: Category = Field(description="What kind of service it is.")
    documentation: str = Field(pattern=r"^https://\S+$", description="Provider's docs.")
    envPrefix: EnvVar = Field(
        description="Prefix of generated env vars: `<PREFIX>_HEALTH_URL`, `<PREFIX>_RATE_LIMIT`."
    )
    secrets: list[SecretKey] = Field(min_length=1, description="Credentials.")
    settings: list[Setting] = Field(default_factory=list, description="Non-secret settings.")
    egress: list[Egress] = Field(min_length=1, description="Hosts the clients connect to.")
    rotation: Rotation = Field(description="Default rotation period of its secrets.")
    healthCheck: HealthCheck = Field(description="Health or status URL.")
    rateLimit: RateLimit = Field(description="Default rate limit.")


class CatalogEntry(StrictModel):
    """A catalog entry file."""

    apiVersion: Literal["platform/v1"] = Field(description="Format version.")
    kind: Literal["IntegrationCatalogEntry"] = Field(description="Always this.")
    metadata: CatalogMetadata = Field(description="The entry's name.")
    spec: CatalogSpec = Field(description="What the integration needs.")


KIND = Kind(name="IntegrationCatalogEntry", model=CatalogEntry, directory="templates/integrations")
