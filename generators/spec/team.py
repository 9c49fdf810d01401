"""The Team kind: who owns services, and how to reach them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from generators.spec.base import Kind, SecretRef, StrictModel

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


class Contacts(StrictModel):
    """Where to reach the team; alerts route here."""

    slack: str | None = Field(
        default=None, pattern=r"^#[a-z0-9][a-z0-9_-]{0,79}$", description="Slack channel, `#name`."
    )
    email: str | None = Field(
        default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Team e-mail address."
    )
    pagerduty: SecretRef | None = Field(
        default=None,
        description="PagerDuty integration key, as a reference to a secret (never the key).",
    )


class TeamSpec(StrictModel):
    """Owners, members and contacts of a team."""

    displayName: str = Field(default="", description="Human-readable name, e.g. `Payments`.")
    owners: list[Owner] = Field(
        min_length=1, description="Who approves changes to the team's specs (CODEOWNERS)."
    )
    members: list[Owner] = Field(default_factory=list, description="Other members.")
    contacts: Contacts = Field(default_factory=Contacts, description="Slack, e-mail, PagerDuty.")
    costCenter: str | None = Field(default=None, description="Cost center that pays the bill.")


class Team(StrictModel):
    """A Team spec file: `platform/teams/<name>.yaml`."""

    apiVersion: Literal["platform/v1"] = Field(description="Spec format version.")
    kind: Literal["Team"] = Field(description="Always `Team`.")
    metadata: TeamMetadata = Field(description="The team's name.")
    spec: TeamSpec = Field(description="Owners, members and contacts.")


KIND = Kind(name="Team", model=Team, directory="platform/teams")
