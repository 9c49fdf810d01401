"""Alert routing: one environment's Alertmanager configuration and silences, from the policy.

Why a native configuration, not AlertmanagerConfig resources: the file we render is the
file Alertmanager loads, so `amtool check-config` checks exactly what runs; the routing
tree spans every team's namespace, which AlertmanagerConfig objects cannot (the operator
adds a `namespace` matcher to each); and every feature we need (time intervals with a
location, inhibition, `continue`, credentials read from files) exists there without
waiting for the CRD's v1alpha1/v1beta1 churn. It is delivered the way the Prometheus
Operator reads it, as the Secret the Alertmanager's `spec.configSecret` names.

Credentials never enter it: each is a file the operator mounts from the Secrets listed
in the Alertmanager's `spec.secrets`, at ``/etc/alertmanager/secrets/<secret>/<key>``;
those Secrets are rendered, sealed or external, like every other (targets/secrets.py).
The oldest Alertmanager we check against (0.25, Debian 12's) cannot read a webhook URL
from a file, so a generic webhook's credential is its bearer token, and its URL must
carry none (the spec's pattern refuses a user or a query).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from generators.source import KeyPath
from generators.spec.alerting import (
    SEVERITIES,
    AlertingPolicySpec,
    Channel,
    Instant,
    Severity,
    SeverityRoute,
    Silence,
)
from generators.spec.base import SecretRef
from generators.spec.team import Channels, Contacts

#: Where the Prometheus Operator mounts the Secrets of `Alertmanager.spec.secrets`.
SECRETS_DIR = "/etc/alertmanager/secrets"
CONFIG_KEY = "alertmanager.yaml"
#: Marks a silence as the compiler's, so the ones it created can be found and expired.
SILENCE_TAG = "[platform:{name}]"
_MATCHER = re.compile(
    r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^\s"]*)\s*$'
)
EVERY_CHANNEL: tuple[Channel, ...] = ("pagerduty", "sms", "slack", "email", "webhook")
#: The user of the credentials, as secret checks and objects name it.
ALERTMANAGER = "alertmanager"


@dataclass(frozen=True)
class Matcher:
    """One Alertmanager label matcher."""

    name: str
    op: str
    value: str

    def text(self) -> str:
        """As a config writes it: `name="value"`."""
        return f"{self.name}{self.op}{_quoted(self.value)}"


def parse_matcher(text: str) -> Matcher | str:
    """A matcher, or what is wrong with the text."""
    found = _MATCHER.match(text)
    if found is None:
        return f'`{text}` is not a matcher: write `label="value"` (=, !=, =~ or !~)'
    name, op, raw = found.groups()
    value = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\") if raw.startswith('"') else raw
    if "~" in op:
        try:
            re.compile(value)
        except re.error as err:
            return f"the regular expression {value!r} is not valid: {err}"
    return Matcher(name, op, value)


def instant(value: Instant) -> dt.datetime:
    """A spec date or time as an aware UTC datetime (a date is its midnight)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


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


def alertmanager_config(
    environment: str,
    policy: AlertingPolicySpec,
    teams: Mapping[str, Contacts],
    fallback: str,
) -> dict[str, Any]:
    """The environment's Alertmanager configuration: routes for ``teams``, then a catch-all.

    ``teams`` are the teams with services here (and the fallback team); alerts that name
    no known team go to the fallback team's receivers.
    """
    windows = [w for w in policy.maintenance if not w.environments or environment in w.environments]
    receivers: list[dict[str, Any]] = []
    routes: list[dict[str, Any]] = []
    for team, contacts in sorted(teams.items()):
        receivers += _team_receivers(policy, environment, team, contacts)
        if team == fallback:  # the catch-all below routes its alerts
            continue
        muted = [f"maintenance-{w.name}" for w in windows if not w.teams or team in w.teams]
        routes.append(
            {
                "receiver": f"{team}-warning",
                "matchers": [Matcher("team", "=", team).text()],
                "routes": list(_severity_routes(policy, environment, team, contacts, muted)),
            }
        )
    # The fallback team's alerts, and those with no team or one unknown here.
    muted = [f"maintenance-{w.name}" for w in windows if not w.teams or fallback in w.teams]
    routes.append(
        {
            "receiver": f"{fallback}-warning",
            "routes": list(_severity_routes(policy, environment, fallback, teams[fallback], muted)),
        }
    )
    grouping = policy.grouping
    root: dict[str, Any] = {"receiver": f"{fallback}-warning", "group_by": list(grouping.groupBy)}
    root.update(_timing(grouping.groupWait, grouping.groupInterval, grouping.repeatInterval))
    root["routes"] = routes
    config: dict[str, Any] = {"global": _global(policy), "route": root}
    config["inhibit_rules"] = [
        {
            "source_matchers": ['severity="critical"'],
            "target_matchers": ['severity=~"warning|info"'],
            "equal": list(policy.inhibitEqual),
        }
    ]
    if windows:
        config["time_intervals"] = [
            {"name": f"maintenance-{w.name}", "time_intervals": [_interval(w)]} for w in windows
        ]
    config["receivers"] = receivers
    return config


def _global(policy: AlertingPolicySpec) -> dict[str, Any]:
    out: dict[str, Any] = {"resolve_timeout": policy.resolveTimeout}
    if policy.slack is not None:
        out["slack_api_url_file"] = secret_file(policy.slack.apiURL)
    email = policy.email
    if email is not None:
        out["smtp_smarthost"] = email.smarthost
        out["smtp_from"] = email.from_
        if email.username is not None:
            out["smtp_auth_username"] = email.username
        if email.password is not None:
            out["smtp_auth_password_file"] = secret_file(email.password)
        out["smtp_require_tls"] = email.requireTLS
    return out


def _timing(wait: str | None, interval: str | None, repeat: str | None) -> dict[str, str]:
    pairs = (("group_wait", wait), ("group_interval", interval), ("repeat_interval", repeat))
    return {key: value for key, value in pairs if value is not None}


def _severity_routes(
    policy: AlertingPolicySpec, environment: str, team: str, contacts: Contacts, muted: list[str]
) -> Iterator[dict[str, Any]]:
    for severity in SEVERITIES:
        chosen = severity_route(policy, environment, severity)
        route: dict[str, Any] = {
            "receiver": f"{team}-{severity}",
            "matchers": [Matcher("severity", "=", severity).text()],
        }
        route.update(_timing(chosen.groupWait, chosen.groupInterval, chosen.repeatInterval))
        if muted:
            route["mute_time_intervals"] = list(muted)
        if not escalates(policy, environment, contacts, severity):
            yield route
            continue
        assert policy.escalation is not None
        # Alertmanager knows no acknowledgement: a silence is one. An alert still
        # firing, unsilenced, when the escalation route's first wait ends goes on.
        yield {**route, "continue": True}
        escalation: dict[str, Any] = {
            "receiver": f"{team}-escalation",
            "matchers": list(route["matchers"]),
            "group_wait": policy.escalation.after,
        }
        if chosen.repeatInterval is not None:
            escalation["repeat_interval"] = chosen.repeatInterval
        if muted:
            escalation["mute_time_intervals"] = list(muted)
        yield escalation


def _team_receivers(
    policy: AlertingPolicySpec, environment: str, team: str, contacts: Contacts
) -> Iterator[dict[str, Any]]:
    escalation = False
    for severity in SEVERITIES:
        channels = severity_route(policy, environment, severity).channels
        receiver: dict[str, Any] = {"name": f"{team}-{severity}"}
        receiver.update(_integrations(policy, contacts, channels, severity, resolved=True))
        yield receiver
        escalation = escalation or escalates(policy, environment, contacts, severity)
    if escalation and contacts.escalation is not None:
        # Not `send_resolved`: an alert resolved before it escalated is nobody's news.
        yield {
            "name": f"{team}-escalation",
            **_integrations(policy, contacts.escalation, EVERY_CHANNEL, "critical", resolved=False),
        }


def _integrations(
    policy: AlertingPolicySpec,
    contacts: Channels,
    channels: Sequence[Channel],
    severity: Severity,
    *,
    resolved: bool,
) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    wanted = [c for c in channels if has_channel(contacts, c)]
    if "email" in wanted and policy.email is not None:
        out["email_configs"] = [{"to": contacts.email, "send_resolved": resolved}]
    if "pagerduty" in wanted and contacts.pagerduty is not None:
        out["pagerduty_configs"] = [
            {
                "routing_key_file": secret_file(contacts.pagerduty),
                "severity": severity,
                "send_resolved": resolved,
            }
        ]
    if "slack" in wanted and policy.slack is not None:
        out["slack_configs"] = [
            {"channel": contacts.slack, "send_resolved": resolved, "title": _SLACK_TITLE}
        ]
    hooks = []
    if "webhook" in wanted and contacts.webhook is not None:
        hooks.append(_webhook(contacts.webhook.url, contacts.webhook.token, resolved))
    if "sms" in wanted and policy.sms is not None:
        for number in contacts.sms:
            hook = _webhook(f"{policy.sms.url}?to={quote(number)}", policy.sms.token, False)
            hook["max_alerts"] = policy.sms.maxAlerts
            hooks.append(hook)
    if hooks:
        out["webhook_configs"] = hooks
    return out


_SLACK_TITLE = (
    "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}"
    " ({{ .CommonLabels.service }}, {{ .CommonLabels.environment }})"
)


def _webhook(url: str, token: SecretRef | None, resolved: bool) -> dict[str, Any]:
    hook: dict[str, Any] = {"url": url, "send_resolved": resolved}
    if token is not None:
        hook["http_config"] = {"authorization": {"credentials_file": secret_file(token)}}
    return hook


def _interval(window: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if window.times:
        out["times"] = [{"start_time": t.start, "end_time": t.end} for t in window.times]
    for field, key in (
        ("weekdays", "weekdays"),
        ("daysOfMonth", "days_of_month"),
        ("months", "months"),
        ("years", "years"),
    ):
        if getattr(window, field):
            out[key] = list(getattr(window, field))
    out["location"] = window.location
    return out


def postable_silence(silence: Silence) -> dict[str, Any]:
    """A silence as Alertmanager's API v2 takes it (`POST /api/v2/silences`).

    A list of these is also what `amtool silence import` reads.
    """
    matchers = []
    for text in silence.matchers:
        found = parse_matcher(text)
        assert isinstance(found, Matcher), "checked at validate time"
        matchers.append(
            {
                "name": found.name,
                "value": found.value,
                "isRegex": "~" in found.op,
                "isEqual": not found.op.startswith("!"),
            }
        )
    return {
        "matchers": matchers,
        "startsAt": _stamp(instant(silence.startsAt)),
        "endsAt": _stamp(instant(silence.endsAt)),
        "createdBy": silence.createdBy,
        "comment": f"{silence.comment} {SILENCE_TAG.format(name=silence.name)}",
    }


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def expired(silence: Silence, today: dt.date | None) -> bool:
    """Whether a silence ended before ``today`` began (None: never judged expired)."""
    if today is None:
        return False
    return instant(silence.endsAt) <= dt.datetime.combine(today, dt.time(), dt.UTC)
