"""The spec language: an explicit registry of kinds, each defined in its own module.

A new kind is one module that defines its pydantic models and a ``KIND`` entry, plus
its line in :data:`KINDS` below.
"""

from __future__ import annotations

from generators.spec import alerting, catalog, environment, integration, secret, service, team
from generators.spec.base import API_VERSION, Kind, StrictModel

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        alerting.KIND,
        environment.KIND,
        integration.KIND,
        catalog.KIND,
        secret.KIND,
        service.KIND,
        team.KIND,
    )
}

__all__ = ["API_VERSION", "KINDS", "Kind", "StrictModel"]
