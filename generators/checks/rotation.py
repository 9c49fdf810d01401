"""Checks of rotation: whether each secret is due or overdue for rotation (PL710, PL711)."""

from __future__ import annotations

from collections.abc import Iterator

from generators.checks.base import at
from generators.diagnostics import Diagnostic, codes
from generators.domain.secrets.rotation import period, rotation_period, rotation_source
from generators.model.platform import Platform


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
