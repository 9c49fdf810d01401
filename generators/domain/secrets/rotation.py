"""Rotation periods: how often each secret rotates, and where that period comes from."""

from __future__ import annotations

import datetime as dt

from generators.model.platform import Platform
from generators.model.uses import integration_values
from generators.spec.secret import Secret

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
