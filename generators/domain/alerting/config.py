"""The Alertmanager configuration of one environment: routes, receivers, inhibition, windows.

Why a native configuration, not AlertmanagerConfig resources: the file we render is the
file Alertmanager loads, so `amtool check-config` checks exactly what runs; the routing
tree spans every team's namespace, which AlertmanagerConfig objects cannot (the operator
adds a `namespace` matcher to each); and every feature we need (time intervals with a
location, inhibition, `continue`, credentials read from files) exists there without
waiting for the CRD's v1alpha1/v1beta1 churn. It is delivered the way the Prometheus
Operator reads it, as the Secret the Alertmanager's `spec.configSecret` names.

Credentials never enter it (generators/domain/alerting/routes.py says where they are
read from instead). The oldest Alertmanager we check against (0.25, Debian 12's) cannot
read a webhook URL from a file, so a generic webhook's credential is its bearer token,
and its URL must carry none (the spec's pattern refuses a user or a query).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from generators.domain.alerting.routes import (
    EVERY_CHANNEL,
    escalates,
    has_channel,
    secret_file,
    severity_route,
)
from generators.domain.alerting.silences import Matcher
from generators.spec.alerting import SEVERITIES, AlertingPolicySpec, Channel, Severity
from generators.spec.base import SecretRef
from generators.spec.team import Channels, Contacts


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
