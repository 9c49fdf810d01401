"""Rotation: how often each secret rotates, and whether it is due or overdue (PL710, PL711)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generators import diagnostics as codes
from generators.checks.base import at
from generators.diagnostics import Diagnostic
from generators.graph import Platform
from generators.spec.secret import Secret
from generators.wiring import integration_values

DEFAULT_ROTATION = "90d"
_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}


def period(text: str) -> dt.timedelta:
    """``90d`` -> 90 days (``h``, ``d`` and ``w`` units)."""
    return int(text[:-1]) * _UNITS[text[-1]]


def rotation_period(platform: Platform, name: str, secret: Secret) -> str:
    """The secret's own period, else the shortest of the catalog entries using it, else 90d."""
    if secret.spec.rotation.period is not None:
        return secret.spec.rotation.period
    periods = []
    for instance in platform.integrations:
        for env in platform.environments:
            values = integration_values(platform, instance, env)
            if values is not None and any(r.secret == name for r in values.secrets.values()):
                periods.append(values.entry.spec.rotation.period)
    return min(periods, key=period, default=DEFAULT_ROTATION)


def rotation_source(platform: Platform, name: str, secret: Secret) -> str:
    """The period in words, with where it comes from."""
    every = rotation_period(platform, name, secret)
    if secret.spec.rotation.period is not None:
        return f"every {every} (its `rotation.period`)"
    for instance in sorted(platform.integrations):
        for env in sorted(platform.environments):
            values = integration_values(platform, instance, env)
            if values is None or values.entry.spec.rotation.period != every:
                continue
            if any(r.secret == name for r in values.secrets.values()):
                return f"every {every} (the {values.entry.spec.displayName} catalog entry's)"
    return f"every {every} (the default)"


def check_rotation(platform: Platform) -> Iterator[Diagnostic]:
    """Warn when a secret is due; fail when overdue past the grace in a protected environment."""
    today = platform.today
    if today is None:
        return
    for name, (doc, secret) in sorted(platform.secrets.items()):
        every = period(rotation_period(platform, name, secret))
        for env, source in sorted(secret.spec.environments.items()):
            if env not in platform.environments:
                continue
            spec = platform.environments[env][1].spec
            changed = source.changed
            due = changed + every
            field = "sealed" if source.sealed is not None else "external"
            stamp = "sealedAt" if source.sealed is not None else "rotatedAt"
            path = ("spec", "environments", env, field, stamp)
            age = (today - changed).days
            overdue = due + period(spec.secrets.rotationGrace)
            if changed > today:
                yield at(
                    doc,
                    path,
                    codes.INVALID_VALUE,
                    f"{stamp} {changed} lies in the future: rotation could never come due",
                    "write the day the value was sealed or rotated",
                ).with_environments(env)
                continue
            how = (
                "rotate the value at its provider, then seal the new one with `platform "
                f"secrets seal --env {env} --secret {name} --key KEY` (docs/secrets.md)"
                if source.sealed is not None
                else "rotate it in the store, then set `rotatedAt` to the day you did"
            )
            if spec.protected and today > overdue:
                yield at(
                    doc,
                    path,
                    codes.ROTATION_OVERDUE,
                    f"secret {name!r} was last rotated {age} days ago, "
                    f"{rotation_source(platform, name, secret)}: it was due on {due}, and the "
                    f"{spec.secrets.rotationGrace} grace of this protected environment ended "
                    f"on {overdue}",
                    how,
                ).with_environments(env)
            elif today >= due:
                later = f"; it fails validation after {overdue}" if spec.protected else ""
                yield at(
                    doc,
                    path,
                    codes.ROTATION_DUE,
                    f"secret {name!r} is due for rotation since {due}: last rotated {changed}, "
                    f"{rotation_source(platform, name, secret)}{later}",
                    how,
                ).with_environments(env)


def now(platform: Platform) -> dt.datetime:
    """The start of the platform's judging day, in UTC (certificates expire by the second)."""
    today = platform.today or dt.date.today()
    return dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
