"""What a template's answers are checked against: the names a platform has."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generators.model.platform import Platform


@dataclass(frozen=True)
class EnvironmentFacts:
    """What a template needs to know of an environment."""

    name: str
    order: int
    protected: bool


@dataclass(frozen=True)
class PlatformFacts:
    """The names a template's answers are checked against, from a valid platform."""

    teams: frozenset[str]
    services: Mapping[str, str]  # name -> the file that defines it
    environments: tuple[EnvironmentFacts, ...]  # in promotion order
    integrations: frozenset[str]
    secrets: frozenset[str] = frozenset()
    #: The services that serve traffic (web ones); None: every service counts as one.
    serving: frozenset[str] | None = None

    @property
    def unprotected(self) -> list[str]:
        """The environments a new service may start in, in promotion order."""
        return [e.name for e in self.environments if not e.protected]

    @property
    def first(self) -> str | None:
        """The first environment of the promotion chain."""
        return self.environments[0].name if self.environments else None


def facts_from(platform: Platform) -> PlatformFacts:
    """The facts of a loaded platform."""
    envs = [
        EnvironmentFacts(name, env.spec.order, env.spec.protected)
        for name, (_, env) in platform.environments.items()
    ]
    return PlatformFacts(
        teams=frozenset(platform.teams),
        services={name: doc.source.file for name, (doc, _) in platform.services.items()},
        environments=tuple(sorted(envs, key=lambda e: (e.order, e.name))),
        integrations=frozenset(platform.integrations),
        secrets=frozenset(platform.secrets),
        serving=frozenset(n for n, (_, svc) in platform.services.items() if svc.spec.type == "web"),
    )
