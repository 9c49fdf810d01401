"""A service's typed dependencies bound to what each environment offers: env vars, egress, claims.

Shared by the checks (what cannot be bound, and the secrets a binding uses) and the
targets (what to render). A binding knows where each of its parts comes from: a plain
value from the environment, a key of a secret, or a `$(VAR)` composition Kubernetes
expands in the container (the URL from host, port and credentials).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generators.model.platform import Platform, Resolved
from generators.source.located import KeyPath
from generators.spec.resources import TYPES, Managed, Provider, ResourceDependency, TypeInfo

SERVICE_PLACEHOLDER = "{service}"


def resource_name(service: str, dependency: str) -> str:
    """The managed instance's claim: ``<service>-<dependency>``."""
    return f"{service}-{dependency}"


def connection_secret(service: str, dependency: str) -> str:
    """The Secret a managed instance's connection details are written to."""
    return f"{resource_name(service, dependency)}-connection"


def offer(platform: Platform, environment: str, dependency: ResourceDependency) -> Provider | None:
    """How ``environment`` provides the dependency's type and class, if it does."""
    offers = platform.environments[environment][1].spec.resources
    return offers.get(dependency.type, {}).get(dependency.class_)


@dataclass(frozen=True)
class Binding:
    """One typed dependency of one service, as one environment provides it."""

    service: str
    environment: str
    #: Its position in the resolved ``dependsOn`` list.
    index: int
    dependency: ResourceDependency
    provider: Provider

    @property
    def info(self) -> TypeInfo:
        """What the dependency's type connects with."""
        return TYPES[self.dependency.type]

    @property
    def offer_path(self) -> KeyPath:
        """The provider's key path in the environment file."""
        return ("spec", "resources", self.dependency.type, self.dependency.class_)

    @property
    def secret(self) -> str:
        """The Kubernetes Secret its credentials come from."""
        if isinstance(self.provider, Managed):
            return connection_secret(self.service, self.dependency.key)
        return self.provider.secret.replace(SERVICE_PLACEHOLDER, self.service)

    @property
    def port(self) -> int:
        """The port clients connect to (for egress)."""
        port = None if isinstance(self.provider, Managed) else self.provider.port
        if port is not None:
            return port
        tls_port = self.info.tls_port
        return tls_port if self.provider.tls and tls_port else self.info.port

    def env_var(self, part: str) -> str:
        """The env var of one part: ``<PREFIX>_<PART>``."""
        found = self.info.part(part)
        suffix = found.env if found is not None else part.upper().replace("-", "_")
        return f"{self.dependency.prefix}_{suffix}"

    def sources(self) -> Iterator[tuple[str, str, str]]:
        """Where each part comes from: (part, "plain" | "secret", value or secret key)."""
        provider = self.provider
        for part in self.info.parts:
            if part.name in provider.keys:
                yield part.name, "secret", provider.keys[part.name]
            elif isinstance(provider, Managed):
                yield part.name, "secret", part.connection_key
            elif part.role == "credential":
                yield part.name, "secret", part.name
            elif part.name == "host":
                yield part.name, "plain", provider.host
            elif part.name == "port":
                yield part.name, "plain", str(self.port)
            elif part.name in provider.settings:
                value = provider.settings[part.name].replace(SERVICE_PLACEHOLDER, self.service)
                yield part.name, "plain", value
        if "url" in provider.keys:
            yield "url", "secret", provider.keys["url"]

    def missing(self) -> list[str]:
        """Parts neither given nor mapped to a secret key (a check reports them)."""
        given = {name for name, _, _ in self.sources()}
        return [p.name for p in self.info.parts if p.name not in given]

    def plain_env(self) -> list[tuple[str, str]]:
        """Env vars with plain values (host, port, settings of an unmanaged instance)."""
        return [(self.env_var(n), v) for n, how, v in self.sources() if how == "plain"]

    def secret_env(self) -> list[tuple[str, str, str]]:
        """Env vars from the secret: (var, secret, key)."""
        return [
            (self.env_var(n), self.secret, key) for n, how, key in self.sources() if how == "secret"
        ]

    def composed_env(self) -> list[tuple[str, str]]:
        """Env vars Kubernetes composes from the others (`$(VAR)`): the address and URL.

        They come after every other env var in the container: Kubernetes expands a
        `$(VAR)` only from variables defined before it.
        """
        prefix = self.dependency.prefix
        out = [(f"{prefix}_ADDR", f"$({prefix}_HOST):$({prefix}_PORT)")]
        if self.info.url is not None and "url" not in self.provider.keys:
            template = self.info.url[0 if self.provider.tls else 1]
            names = {p.env: f"$({prefix}_{p.env})" for p in self.info.parts}
            out.append((f"{prefix}_URL", template.format(**names)))
        return out

    def env_names(self) -> list[str]:
        """Every env var the binding sets."""
        return sorted(
            {v for v, _ in self.plain_env()}
            | {v for v, _, _ in self.secret_env()}
            | {v for v, _ in self.composed_env()}
        )


def bindings(platform: Platform, resolved: Resolved) -> list[Binding]:
    """The typed dependencies of a resolved service that its environment offers."""
    out = []
    for index, dependency in enumerate(resolved.workload.dependsOn):
        if isinstance(dependency, ResourceDependency):
            provider = offer(platform, resolved.environment, dependency)
            if provider is not None:
                out.append(
                    Binding(resolved.service, resolved.environment, index, dependency, provider)
                )
    return out
