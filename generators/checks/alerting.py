"""Checks of alert routing: the policy's names, every team reachable, credentials, silences."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator

from generators.checks.base import at, second_names, unknown
from generators.checks.secrets import SECRETS_DEFINED, use_problems
from generators.diagnostics import Diagnostic, Location, codes
from generators.domain.alerting.routes import (
    ALERTMANAGER,
    channel_sets,
    credentials,
    has_channel,
    policy_credentials,
    secret_file,
    severity_route,
)
from generators.domain.alerting.silences import Matcher, expired, instant, parse_matcher
from generators.model.platform import Platform
from generators.model.uses import SecretUse
from generators.source.documents import Parsed
from generators.source.located import KeyPath
from generators.spec.alerting import SEVERITIES, AlertingPolicySpec, Channel, Maintenance

Located = tuple[Location, KeyPath]

_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_RANGES: dict[str, re.Pattern[str]] = {
    "weekdays": re.compile(rf"^({_DAYS})(:({_DAYS}))?$"),
    "daysOfMonth": re.compile(r"^-?([1-9]|[12][0-9]|3[01])(:-?([1-9]|[12][0-9]|3[01]))?$"),
    "months": re.compile(rf"^({_MONTHS}|[1-9]|1[0-2])(:({_MONTHS}|[1-9]|1[0-2]))?$"),
    "years": re.compile(r"^[0-9]{4}(:[0-9]{4})?$"),
}
#: Channels that need the policy's settings of the same name (the Slack app, SMTP, relay).
_SETTINGS = ("slack", "email", "sms")


def policies(platform: Platform) -> list[Parsed]:
    """The valid AlertingPolicy documents, in file order."""
    return platform.valid("AlertingPolicy")


def check_policy(platform: Platform) -> Iterator[Diagnostic]:
    """One policy; the teams, environments and channel settings it names exist."""
    found = policies(platform)
    for doc in found[1:]:
        yield at(
            doc,
            ("metadata", "name"),
            codes.ALERT_ROUTING,
            f"a second alerting policy; the platform has one already ({found[0].source.file})",
            "merge the two: one policy routes every team's alerts",
        )
    if platform.alerting is None:
        return
    doc, policy = platform.alerting
    spec = policy.spec
    teams, envs = platform.names("Team"), platform.names("Environment")
    if spec.fallback not in teams:
        yield unknown(doc, ("spec", "fallback"), codes.UNKNOWN_TEAM, spec.fallback, teams, "team")
    for env in spec.environments:
        if env not in envs:
            key_path: KeyPath = ("spec", "environments", env)
            yield unknown(
                doc, key_path, codes.UNKNOWN_ENVIRONMENT, env, envs, "environment", key=True
            )
    if spec.escalation is not None:
        for i, env in enumerate(spec.escalation.environments):
            if env not in envs:
                key_path = ("spec", "escalation", "environments", i)
                yield unknown(doc, key_path, codes.UNKNOWN_ENVIRONMENT, env, envs, "environment")
    yield from _channel_settings(doc, spec)
    known = platform.names("Secret")
    for ref, path in policy_credentials(spec):
        if ref.secret not in known:
            where = (*path, "secret")
            yield unknown(
                doc,
                where,
                codes.UNKNOWN_SECRET,
                ref.secret,
                known,
                "secret",
                defined=SECRETS_DEFINED,
            )
    for i, window in enumerate(spec.maintenance):
        yield from _check_window(doc, ("spec", "maintenance", i), window, teams, envs)
    yield from second_names(
        doc,
        [(("spec", "maintenance", i, "name"), w.name) for i, w in enumerate(spec.maintenance)],
        codes.ALERT_ROUTING,
        "maintenance window",
        "window names are unique (they name the time intervals)",
    )


def _channel_settings(doc: Parsed, spec: AlertingPolicySpec) -> Iterator[Diagnostic]:
    """A channel the policy sends to needs its settings (the Slack app, SMTP, the relay)."""
    places: list[tuple[KeyPath, list[Channel]]] = [
        (("spec", "severities", s, "channels"), spec.severities[s].channels) for s in SEVERITIES
    ]
    for env, override in spec.environments.items():
        for severity, route in override.severities.items():
            where: KeyPath = ("spec", "environments", env, "severities", severity, "channels")
            places.append((where, route.channels))
    for path, channels in places:
        for i, channel in enumerate(channels):
            if channel in _SETTINGS and getattr(spec, channel) is None:
                yield at(
                    doc,
                    (*path, i),
                    codes.ALERT_ROUTING,
                    f"alerts are sent to {channel}, but the policy has no `{channel}` settings",
                    f"add `spec.{channel}` ({_NEEDS[channel]}), or drop the channel",
                )


_NEEDS = {
    "slack": "`apiURL`: the Slack webhook URL as a secret reference",
    "email": "`smarthost` and `from` of the SMTP relay",
    "sms": "`url` of the Twilio relay",
}


def _check_window(
    doc: Parsed, base: KeyPath, window: Maintenance, teams: set[str], envs: set[str]
) -> Iterator[Diagnostic]:
    for i, env in enumerate(window.environments):
        if env not in envs:
            path = (*base, "environments", i)
            yield unknown(doc, path, codes.UNKNOWN_ENVIRONMENT, env, envs, "environment")
    for i, team in enumerate(window.teams):
        if team not in teams:
            yield unknown(doc, (*base, "teams", i), codes.UNKNOWN_TEAM, team, teams, "team")
    for field, pattern in _RANGES.items():
        for i, value in enumerate(getattr(window, field)):
            if not pattern.match(value):
                yield at(
                    doc,
                    (*base, field, i),
                    codes.ALERT_ROUTING,
                    f"{value!r} is not a value Alertmanager accepts in `{field}`",
                    f"write one value or a range `from:to`, e.g. {_EXAMPLES[field]}",
                )
    for i, span in enumerate(window.times):
        if span.end <= span.start:
            yield at(
                doc,
                (*base, "times", i, "end"),
                codes.ALERT_ROUTING,
                f"the span ends ({span.end}) before it starts ({span.start})",
                "a span stays within one day: split one across midnight in two "
                '(`{start: "22:00", end: "24:00"}` and `{start: "00:00", end: "02:00"}`)',
            )
    try:
        zoneinfo.ZoneInfo(window.location)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        yield at(
            doc,
            (*base, "location"),
            codes.ALERT_ROUTING,
            f"{window.location!r} is not an IANA time zone",
            "write a zone such as `Europe/Berlin`, `America/New_York` or `UTC`",
        )


_EXAMPLES = {
    "weekdays": "`saturday` or `monday:friday`",
    "daysOfMonth": "`1`, `1:7` or `-1` (the last day)",
    "months": "`march` or `january:march`",
    "years": "`2026` or `2026:2027`",
}


def check_silences(platform: Platform) -> Iterator[Diagnostic]:
    """Matchers parse; a silence ends after it starts, within the policy's limit, not yet."""
    if platform.alerting is None:
        return
    doc, policy = platform.alerting
    spec = policy.spec
    envs = platform.names("Environment")
    limit = _days(spec.maxSilence)
    yield from second_names(
        doc,
        [(("spec", "silences", i, "name"), s.name) for i, s in enumerate(spec.silences)],
        codes.BAD_SILENCE,
        "silence",
        "silence names are unique (they tag the silences in Alertmanager)",
    )
    for i, silence in enumerate(spec.silences):
        base = ("spec", "silences", i)
        for j, env in enumerate(silence.environments):
            if env not in envs:
                path = (*base, "environments", j)
                yield unknown(doc, path, codes.UNKNOWN_ENVIRONMENT, env, envs, "environment")
        for j, text in enumerate(silence.matchers):
            found = parse_matcher(text)
            if isinstance(found, str):
                yield at(doc, (*base, "matchers", j), codes.BAD_SILENCE, found, _MATCHER_HINT)
            elif isinstance(found, Matcher) and found.value == "" and found.op == "=":
                yield at(
                    doc,
                    (*base, "matchers", j),
                    codes.BAD_SILENCE,
                    f"`{text}` matches alerts without a {found.name!r} label, not one",
                    "name the value to silence",
                )
        start, end = instant(silence.startsAt), instant(silence.endsAt)
        if end <= start:
            yield at(
                doc,
                (*base, "endsAt"),
                codes.BAD_SILENCE,
                "the silence ends before it starts",
                "`endsAt` is after `startsAt`",
            )
        elif end - start > dt.timedelta(days=limit):
            yield at(
                doc,
                (*base, "endsAt"),
                codes.BAD_SILENCE,
                f"the silence lasts {(end - start).days} days; the policy allows {spec.maxSilence}",
                "end it sooner and renew it if still needed, or fix the alert instead",
            )
        if expired(silence, platform.today):
            yield at(
                doc,
                (*base, "endsAt"),
                codes.SILENCE_EXPIRED,
                f"silence {silence.name!r} ended on {end:%Y-%m-%d %H:%M} UTC; it is no longer "
                "rendered",
                "delete it from the policy",
            )


_MATCHER_HINT = 'e.g. `service="web"`, `alertname=~"HighLatency|HighErrorRate"`'


def _days(period: str) -> float:
    number, unit = int(period[:-1]), period[-1]
    return number * {"h": 1 / 24, "d": 1, "w": 7}[unit]


def routed_teams(platform: Platform, env: str, fallback: str) -> set[str]:
    """The teams an environment's routing names: those with services there, and the fallback."""
    teams = {
        service.metadata.team
        for name, (_, service) in platform.services.items()
        if platform.deploys(name, env)
    }
    return teams | {fallback} if teams else set()


def check_reachable(platform: Platform) -> Iterator[Diagnostic]:
    """Every team with services hears of every severity the policy routes somewhere.

    Reported at the team's contacts, once for all environments where it holds.
    """
    if platform.alerting is None:
        return
    doc, policy = platform.alerting
    spec = policy.spec
    fallback = spec.fallback
    if fallback not in platform.teams:
        return
    routed = {env: routed_teams(platform, env, fallback) for env in sorted(platform.environments)}
    for team, (team_doc, model) in sorted(platform.teams.items()):
        within = tuple(env for env, teams in routed.items() if team in teams)
        contacts = model.spec.contacts
        for env in within:
            for severity in SEVERITIES:
                channels = severity_route(spec, env, severity).channels
                # A channel without the policy's settings is reported at the policy.
                if channels and not any(has_channel(contacts, c) for c in channels):
                    yield at(
                        team_doc,
                        ("spec", "contacts"),
                        codes.ALERT_ROUTING,
                        f"team {team!r} has no contact for {severity} alerts: the alerting "
                        f"policy sends them to {', '.join(channels)}",
                        f"add one of them to the team's contacts, or change "
                        f"`severities.{severity}.channels` in {doc.source.file}",
                        key=True,
                    ).with_environments(env, within=within)


def check_alerting_secrets(platform: Platform) -> Iterator[Diagnostic]:
    """The credentials of an environment's routing exist there, with their keys, usable."""
    if platform.alerting is None:
        return
    policy_doc, policy = platform.alerting
    spec = policy.spec
    if spec.fallback not in platform.teams:
        return
    known = platform.secrets
    everywhere = tuple(sorted(platform.environments))  # a problem in all of them names none
    for env in everywhere:
        teams = routed_teams(platform, env, spec.fallback)
        if not teams:
            continue
        contacts = {t: platform.teams[t][1].spec.contacts for t in teams if t in platform.teams}
        space = platform.environments[env][1].spec.monitoring.alertmanager.namespace
        for ref, team, path in credentials(spec, contacts, env):
            if ref.secret not in known:
                continue  # reported where written (check_policy, check_team_secrets)
            doc = policy_doc if team is None else platform.teams[team][0]
            owner = known[ref.secret][1].metadata.team

            def locate(sub: KeyPath, doc: Parsed = doc, path: KeyPath = path) -> Located:
                return doc.source.locate((*path, *sub)), (*path, *sub)

            use = SecretUse(
                service=ALERTMANAGER,
                secret=ref.secret,
                key=ref.key,
                env=None,
                path=secret_file(ref),
                via="alerting",
                locate=locate,
            )
            # The policy is the platform's: its credentials need no grant.
            for found in use_problems(platform, use, env, team or owner, space):
                yield found.with_environments(env, within=everywhere)


# A path segment that mixes lower case, upper case and digits over 16 characters or
# more is a token (Slack's `/services/T…/B…/<token>`), not an id (ULIDs are upper case).
_URL_TOKEN = re.compile(r"^(?=[^/]*[a-z])(?=[^/]*[A-Z])(?=[^/]*[0-9])[A-Za-z0-9_-]{16,}$")


def check_webhook_urls(platform: Platform) -> Iterator[Diagnostic]:
    """Webhook URLs carry no credential: a token in the path belongs in `token`."""
    for _, (doc, team) in sorted(platform.teams.items()):
        for base, channels in channel_sets(team.spec.contacts):
            if channels.webhook is None:
                continue
            path = channels.webhook.url.split("://", 1)[1].split("/")[1:]
            if any(_URL_TOKEN.match(segment) for segment in path):
                yield at(
                    doc,
                    (*base, "webhook", "url"),
                    codes.PLAINTEXT_SECRET,
                    "this webhook URL holds a token in its path; specs are committed in plain text",
                    "rotate the URL at its provider; give the endpoint without its secret "
                    "part and the secret as `token: {secret: NAME, key: KEY}` (sent as a "
                    "bearer token), or use a relay that authenticates that way",
                )
