"""Who hears of which alert: severity routes, escalation, and the credentials they read.

Credentials never enter the configuration: each is a file the Prometheus Operator
mounts from the Secrets listed in the Alertmanager's `spec.secrets`, at
``/etc/alertmanager/secrets/<secret>/<key>`` (:func:`secret_file`); those Secrets are
rendered, sealed or external, like every other (generators/targets/secrets.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from generators.source.located import KeyPath
from generators.spec.alerting import (
    SEVERITIES,
    AlertingPolicySpec,
    Channel,
    Severity,
    SeverityRoute,
)
from generators.spec.base import SecretRef
from generators.spec.team import Channels, Contacts

#: Where the Prometheus Operator mounts the Secrets of `Alertmanager.spec.secrets`.
SECRETS_DIR = "/etc/alertmanager/secrets"
CONFIG_KEY = "alertmanager.yaml"
EVERY_CHANNEL: tuple[Channel, ...] = ("pagerduty", "sms", "slack", "email", "webhook")
#: The user of the credentials, as secret checks and objects name it.
ALERTMANAGER = "alertmanager"


def severity_route(
    policy: AlertingPolicySpec, environment: str, severity: Severity
) -> SeverityRoute:
    """The route of a severity in an environment: the environment's, else the policy's."""
    override = policy.environments.get(environment)
    if override is not None and severity in override.severities:
        return override.severities[severity]
    return policy.severities[severity]


def has_channel(contacts: Channels, channel: Channel) -> bool:
    """Whether the contacts include a way to use ``channel``."""
    return bool(getattr(contacts, channel))


def escalates(
    policy: AlertingPolicySpec, environment: str, contacts: Contacts, severity: Severity
) -> bool:
    """Whether unhandled alerts of ``severity`` go on to the team's escalation contacts."""
    escalation = policy.escalation
    return (
        escalation is not None
        and severity in escalation.severities
        and (not escalation.environments or environment in escalation.environments)
        and contacts.escalation is not None
    )


def channel_sets(contacts: Contacts) -> Iterator[tuple[KeyPath, Channels]]:
    """A team's channels with their key path: its contacts, then its escalation contacts."""
    yield ("spec", "contacts"), contacts
    if contacts.escalation is not None:
        yield ("spec", "contacts", "escalation"), contacts.escalation


def contact_credentials(
    channels: Channels, base: KeyPath, wanted: Collection[str] = EVERY_CHANNEL
) -> Iterator[tuple[SecretRef, KeyPath]]:
    """The secrets a set of channels reads (of the ``wanted`` channels), with key paths."""
    if channels.pagerduty is not None and "pagerduty" in wanted:
        yield channels.pagerduty, (*base, "pagerduty")
    webhook = channels.webhook
    if webhook is not None and webhook.token is not None and "webhook" in wanted:
        yield webhook.token, (*base, "webhook", "token")


def policy_credentials(
    policy: AlertingPolicySpec, wanted: Collection[str] = EVERY_CHANNEL
) -> Iterator[tuple[SecretRef, KeyPath]]:
    """The platform-wide secrets (Slack app, SMTP, SMS relay) of the ``wanted`` channels."""
    if policy.slack is not None and "slack" in wanted:
        yield policy.slack.apiURL, ("spec", "slack", "apiURL")
    if policy.email is not None and policy.email.password is not None and "email" in wanted:
        yield policy.email.password, ("spec", "email", "password")
    if policy.sms is not None and policy.sms.token is not None and "sms" in wanted:
        yield policy.sms.token, ("spec", "sms", "token")


def credentials(
    policy: AlertingPolicySpec, teams: Mapping[str, Contacts], environment: str
) -> Iterator[tuple[SecretRef, str | None, KeyPath]]:
    """Every secret an environment's configuration reads: (reference, team, key path).

    The team is None for the policy's own credentials. Only what the environment's
    receivers use counts: its severity routes' channels, and every channel of the
    escalation contacts of the teams that escalate there.
    """
    escalating = {
        team
        for team, contacts in teams.items()
        if any(escalates(policy, environment, contacts, severity) for severity in SEVERITIES)
    }
    used = {c for s in SEVERITIES for c in severity_route(policy, environment, s).channels}
    for team in escalating:
        second = teams[team].escalation
        if second is not None:
            used.update(c for c in EVERY_CHANNEL if has_channel(second, c))
    for ref, path in policy_credentials(policy, used):
        yield ref, None, path
    for team, contacts in sorted(teams.items()):
        for base, channels in channel_sets(contacts):
            if channels is contacts:
                wanted: Collection[str] = used
            elif team in escalating:  # the escalation receiver uses every channel it has
                wanted = EVERY_CHANNEL
            else:
                continue
            for ref, path in contact_credentials(channels, base, wanted):
                yield ref, team, path


def secret_file(ref: SecretRef) -> str:
    """Where Alertmanager reads a credential."""
    return f"{SECRETS_DIR}/{ref.secret}/{ref.key}"
