"""The Team kind: who owns services, and how to reach them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from generators.spec.base import Kind, SecretRef, StrictModel
from generators.spec.cost import Budget

# CODEOWNERS accepts @user, @org/team and e-mail addresses.
Owner = Annotated[
    str,
    Field(
        pattern=r"^(@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$",
        description="A GitHub `@user`, `@org/team` or an e-mail address.",
    ),
]


class TeamMetadata(StrictModel):
    """The team's identity."""

    name: str = Field(description="Team name; must equal the file name without `.yaml`.")


class WebhookContact(StrictModel):
    """A generic webhook (an incident tool, a chat bridge) that receives alerts as JSON."""

    url: str = Field(
        pattern=r"^https?://[^\s?#@]+$",
        description="Endpoint without credentials (no user, no query); the token authenticates.",
    )
    token: SecretRef | None = Field(
        default=None, description="Bearer token it expects, as a reference to a secret."
    )


class Channels(StrictModel):
    """Ways to reach people; the alerting policy picks which per severity."""

    slack: str | None = Field(
        default=None, pattern=r"^#[a-z0-9][a-z0-9_-]{0,79}$", description="Slack channel, `#name`."
    )
    email: str | None = Field(
        default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="E-mail address."
    )
    pagerduty: SecretRef | None = Field(
        default=None,
        description="PagerDuty Events v2 routing key, as a reference to a secret (never the key).",
    )
    webhook: WebhookContact | None = Field(default=None, description="A generic webhook.")
    sms: list[Annotated[str, Field(pattern=r"^\+[1-9][0-9]{6,14}$")]] = Field(
        default_factory=list, description="Phone numbers (E.164, `+4915112345678`) for SMS."
    )


class Contacts(Channels):
    """Where to reach the team; alerts route here."""

    escalation: Channels | None = Field(
        default=None,
        description="Who hears of an alert still firing, unsilenced, after the policy's "
        "`escalation.after` (a lead, a second rotation).",
    )


class TeamSpec(StrictModel):
    """Owners, members and contacts of a team."""

    displayName: str = Field(default="", description="Human-readable name, e.g. `Payments`.")
    owners: list[Owner] = Field(
        min_length=1, description="Who approves changes to the team's specs (CODEOWNERS)."
    )
    members: list[Owner] = Field(default_factory=list, description="Other members.")
    contacts: Contacts = Field(
        default_factory=Contacts, description="Slack, e-mail, PagerDuty, webhook, SMS."
    )
    costCenter: str | None = Field(default=None, description="Cost center that pays the bill.")
    budget: Budget | None = Field(
        default=None,
        description="Monthly budget: `platform validate` warns when the team's estimate "
        "(at its services' highest scale) exceeds it, and `platform diff` flags a change "
        "that pushes it over.",
    )


class Team(StrictModel):
    """A Team spec file: `platform/teams/<name>.yaml`."""

    apiVersion: Literal["platform/v1"] = Field(description="Spec format version.")
    kind: Literal["Team"] = Field(description="Always `Team`.")
    metadata: TeamMetadata = Field(description="The team's name.")
    spec: TeamSpec = Field(description="Owners, members and contacts.")


KIND = Kind(name="Team", model=Team, directory="platform/teams")
