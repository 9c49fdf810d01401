"""The AlertingPolicy kind: how alerts reach the teams (channels, timing, windows, silences)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import Kind, Ref, SecretRef, StrictModel

Severity = Literal["critical", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("critical", "warning", "info")
Channel = Literal["pagerduty", "sms", "slack", "email", "webhook"]
#: An Alertmanager duration (notification timing).
Duration = Annotated[
    str, Field(pattern=r"^([1-9][0-9]*(ms|s|m|h|d|w|y))+$", description="e.g. `30s`, `4h`.")
]
Clock = Annotated[
    str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$", description="`HH:MM`, 24-hour.")
]
Instant = Annotated[
    Annotated[dt.datetime, Field(strict=False)] | Annotated[dt.date, Field(strict=False)],
    Field(description="`2026-12-01` (midnight UTC) or `2026-12-01T02:00:00Z`."),
]


class Timing(StrictModel):
    """How Alertmanager batches and repeats notifications (unset: inherited)."""

    groupWait: Duration | None = Field(
        default=None, description="Wait before the first notification of a new group."
    )
    groupInterval: Duration | None = Field(
        default=None, description="Wait before notifying about alerts added to a group."
    )
    repeatInterval: Duration | None = Field(
        default=None, description="Wait before repeating a notification still firing."
    )


class Grouping(Timing):
    """The root route's grouping and timing, inherited by every route."""

    groupBy: list[str] = Field(
        default_factory=lambda: ["alertname", "team", "service", "environment"],
        min_length=1,
        description="Labels that make one notification group.",
    )


class SeverityRoute(Timing):
    """Where alerts of one severity go, and how often."""

    channels: list[Channel] = Field(
        description="Team contact channels to notify, of those the team has; empty: none."
    )


class EnvironmentRouting(StrictModel):
    """One environment's differences from the policy (e.g. no paging outside production)."""

    severities: dict[Severity, SeverityRoute] = Field(
        default_factory=dict, description="Replaces the policy's route for these severities."
    )


class SlackSettings(StrictModel):
    """The Slack app every team's channel is posted through."""

    apiURL: SecretRef = Field(description="The Slack webhook URL, as a secret reference.")


class EmailSettings(StrictModel):
    """The SMTP relay e-mail notifications go through."""

    smarthost: str = Field(pattern=r"^[A-Za-z0-9.-]+:[0-9]{1,5}$", description="`host:port`.")
    from_: str = Field(
        alias="from", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Sender address."
    )
    username: str | None = Field(default=None, description="SMTP user, when it authenticates.")
    password: SecretRef | None = Field(default=None, description="SMTP password, as a secret.")
    requireTLS: bool = Field(default=True, description="Refuse to send without STARTTLS.")


class SMSSettings(StrictModel):
    """The relay that turns Alertmanager webhooks into Twilio SMS."""

    url: str = Field(
        pattern=r"^https?://[^\s?#@]+$",
        description="The relay's endpoint; each notification adds `?to=<number>`.",
    )
    token: SecretRef | None = Field(
        default=None, description="Bearer token the relay expects, as a secret."
    )
    maxAlerts: int = Field(default=5, ge=1, description="Alerts per SMS at most.")


class Escalation(StrictModel):
    """Who hears of an alert nobody handled: the team's `contacts.escalation`."""

    after: Duration = Field(default="30m", description="How long an alert fires unsilenced.")
    severities: list[Severity] = Field(
        default_factory=lambda: list[Severity](["critical"]),
        min_length=1,
        description="Which escalate.",
    )
    environments: list[Ref] = Field(
        default_factory=list, description="Environments where alerts escalate; empty: all."
    )


class TimeRange(StrictModel):
    """A span of one day."""

    start: Clock = Field(description="Start, `HH:MM`.")
    end: Clock = Field(description="End, `HH:MM`, after the start (`24:00` for midnight).")


class Maintenance(StrictModel):
    """A recurring or one-off window in which notifications are muted."""

    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", description="Window name.")
    environments: list[Ref] = Field(
        default_factory=list, description="Environments it mutes; empty: all."
    )
    teams: list[Ref] = Field(default_factory=list, description="Teams it mutes; empty: all.")
    weekdays: list[str] = Field(
        default_factory=list, description="`monday`, or ranges `monday:friday`."
    )
    times: list[TimeRange] = Field(default_factory=list, description="Spans of the day.")
    daysOfMonth: list[str] = Field(
        default_factory=list, description="`1`, `-1` (last), ranges `1:5`."
    )
    months: list[str] = Field(default_factory=list, description="`january` or `1`, ranges.")
    years: list[str] = Field(default_factory=list, description="`2026`, ranges `2026:2027`.")
    location: str = Field(default="UTC", description="IANA time zone, e.g. `Europe/Berlin`.")


class Silence(StrictModel):
    """A silence kept in git: applied to Alertmanager with its expiry."""

    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", description="Silence name.")
    environments: list[Ref] = Field(min_length=1, description="Environments it applies to.")
    matchers: list[str] = Field(
        min_length=1, description='Alertmanager matchers: `service="web"`, `alertname=~"A|B"`.'
    )
    startsAt: Instant = Field(description="When it starts.")
    endsAt: Instant = Field(description="When it expires (required: no silence lasts forever).")
    createdBy: str = Field(min_length=1, description="Who asked for it.")
    comment: str = Field(min_length=1, description="Why (a ticket link helps).")


class AlertingPolicySpec(StrictModel):
    """The platform's alert routing: every team's alerts follow it."""

    grouping: Grouping = Field(default_factory=Grouping, description="Root grouping and timing.")
    severities: dict[Severity, SeverityRoute] = Field(
        default_factory=lambda: dict[Severity, SeverityRoute](
            {
                "critical": SeverityRoute(channels=["pagerduty", "slack"], repeatInterval="1h"),
                "warning": SeverityRoute(channels=["slack"]),
                "info": SeverityRoute(channels=["email"], repeatInterval="24h"),
            }
        ),
        description="Channels and timing per severity.",
    )
    environments: dict[Ref, EnvironmentRouting] = Field(
        default_factory=dict, description="Per-environment changes, e.g. no paging in dev."
    )
    fallback: Ref = Field(
        description="Team whose contacts receive alerts that carry no known team."
    )
    slack: SlackSettings | None = Field(default=None, description="For the `slack` channel.")
    email: EmailSettings | None = Field(default=None, description="For the `email` channel.")
    sms: SMSSettings | None = Field(default=None, description="For the `sms` channel.")
    escalation: Escalation | None = Field(
        default=None, description="Notify `contacts.escalation` of alerts left unhandled."
    )
    inhibitEqual: list[str] = Field(
        default_factory=lambda: ["alertname", "service", "environment"],
        min_length=1,
        description="Labels a critical alert shares with the warnings it silences.",
    )
    maintenance: list[Maintenance] = Field(
        default_factory=list, description="Windows that mute notifications."
    )
    silences: list[Silence] = Field(default_factory=list, description="Silences as code.")
    maxSilence: Annotated[str, Field(pattern=r"^[1-9][0-9]{0,3}[hdw]$")] = Field(
        default="30d", description="The longest a silence may last."
    )
    resolveTimeout: Duration = Field(
        default="5m", description="When an alert that stopped being sent counts as resolved."
    )

    @model_validator(mode="after")
    def _every_severity(self) -> Self:
        missing = [s for s in SEVERITIES if s not in self.severities]
        if missing:
            raise PydanticCustomError(
                "missing_severity",
                "`severities` must route every severity; missing: {missing}",
                {"missing": ", ".join(missing)},
            )
        return self


class AlertingPolicyMetadata(StrictModel):
    """The policy's identity."""

    name: str = Field(description="Policy name; must equal the file name without `.yaml`.")


class AlertingPolicy(StrictModel):
    """The AlertingPolicy spec file: `platform/alerting/<name>.yaml` (one per platform)."""

    apiVersion: Literal["platform/v1"] = Field(description="Spec format version.")
    kind: Literal["AlertingPolicy"] = Field(description="Always `AlertingPolicy`.")
    metadata: AlertingPolicyMetadata = Field(description="The policy's name.")
    spec: AlertingPolicySpec = Field(description="Channels, timing, windows and silences.")


KIND = Kind(name="AlertingPolicy", model=AlertingPolicy, directory="platform/alerting")
