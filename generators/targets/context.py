"""What targets see: the resolved, frozen platform for one environment (or for all).

Targets never see YAML or file paths. Everything they need (namespaces, image
references with their pins, env vars with every `${...}` resolved, who depends on
whom) is computed here once, from a platform that validated without errors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from generators.domain.alerting.routes import ALERTMANAGER, credentials
from generators.domain.alerting.silences import expired
from generators.domain.layout import OUTPUT_DIR
from generators.domain.webhooks import webhook_settings
from generators.model.dependencies import Binding, bindings
from generators.model.interpolation import interpolate
from generators.model.naming import cluster_dns, image_reference, namespace
from generators.model.platform import Platform
from generators.model.uses import INIT_CONTAINER, integration_values, secret_uses
from generators.spec.alerting import AlertingPolicySpec, Silence
from generators.spec.base import SecretRef
from generators.spec.environment import EnvironmentSpec
from generators.spec.resources import External, Managed, Shared
from generators.spec.secret import SecretEnvironment
from generators.spec.service import Scaling, Workload
from generators.spec.team import Contacts


@dataclass(frozen=True)
class Deployed:
    """One service as it runs in one environment."""

    name: str
    team: str
    lifecycle: str
    namespace: str
    image: str
    workload: Workload
    env: tuple[tuple[str, str], ...]
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    #: Services (name, namespace) that declare a dependency on this one.
    dependents: tuple[tuple[str, str], ...] = ()
    #: Env vars taken from secrets: (var, secret name, key).
    secret_env: tuple[tuple[str, str, str], ...] = ()
    #: Files mounted from secrets: (path, secret name, key).
    secret_files: tuple[tuple[str, str, str], ...] = ()
    #: Hosts outside the cluster it connects to (its integrations', webhook
    #: subscribers', external resources'): (host, port); the host is "" for a managed
    #: instance, whose address is known only once it exists.
    egress: tuple[tuple[str, int], ...] = ()
    #: Ports of the services it depends on: (name, namespace, port, protocol), for egress.
    dependencies: tuple[tuple[str, str, int, str], ...] = ()
    #: The webhook settings its code reads (JSON-able), or None without webhooks.
    webhooks: Mapping[str, Any] | None = None
    #: A digest of the secret sources it uses: pods roll when a sealed value changes.
    secrets_checksum: str | None = None
    #: Each init container's env, `${...}` resolved: name -> ((var, value), ...).
    init_env: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    #: Each init container's env vars from secrets: name -> ((var, secret, key), ...).
    init_secret_env: Mapping[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)
    #: Env vars Kubernetes composes from earlier ones (`$(VAR)`): typed dependencies'
    #: addresses and URLs, rendered after every other env var.
    composed_env: tuple[tuple[str, str], ...] = ()
    #: Its typed dependencies, as this environment provides them.
    resources: tuple[Binding, ...] = ()
    #: Shared instances in the cluster it connects to: (namespace, pod labels, port).
    peers: tuple[tuple[str, tuple[tuple[str, str], ...], int], ...] = ()


@dataclass(frozen=True)
class SecretObject:
    """One Secret spec rendered into one namespace of the environment."""

    name: str
    namespace: str
    team: str
    type: str
    source: SecretEnvironment
    refresh: str
    #: Services of this namespace that use it.
    users: tuple[str, ...]


@dataclass(frozen=True)
class Alerting:
    """The environment's alert routing: the policy and the teams it routes to."""

    policy: AlertingPolicySpec
    #: Teams with services here, and the fallback team: their contacts.
    teams: Mapping[str, Contacts]
    fallback: str
    #: The policy's silences for this environment that have not expired.
    silences: tuple[Silence, ...]


@dataclass(frozen=True)
class EnvContext:
    """One environment and every service deployed to it, sorted by name."""

    name: str
    spec: EnvironmentSpec
    services: tuple[Deployed, ...]
    #: Team name -> namespace, for teams with a service here.
    namespaces: Mapping[str, str] = field(default_factory=dict)
    #: The output directory relative to the git repository's root (Argo CD's paths).
    output_path: str = OUTPUT_DIR
    #: Secrets used here, one per (name, namespace), sorted.
    secrets: tuple[SecretObject, ...] = ()
    #: Alert routing, when the platform has an alerting policy.
    alerting: Alerting | None = None


@dataclass(frozen=True)
class PlatformContext:
    """What platform-wide targets see: the validated platform, and where output lives."""

    platform: Platform
    #: The platform's directory inside its git repository (``""`` at the top, else
    #: ``"infra/"``): workflows and Argo CD's paths are relative to the repository.
    repository_path: str = ""
    #: The rendered tree's directory inside the platform.
    output_dir: str = OUTPUT_DIR


def build_context(
    platform: Platform, environment: str, output_path: str = OUTPUT_DIR
) -> EnvContext:
    """Resolve every deployed service of ``environment``.

    Raises:
        KeyError: if the platform has not validated (targets run only on valid specs).
    """
    env = platform.environments[environment][1].spec
    names = sorted(
        name
        for name in platform.services
        if (environment, name) in platform.resolved and platform.deploys(name, environment)
    )
    teams = {name: platform.services[name][1].metadata.team for name in names}
    spaces = {name: namespace(teams[name], environment, env.namespaceStrategy) for name in names}
    workloads = {name: _retiring(platform, name, environment) for name in names}
    dependents: dict[str, list[tuple[str, str]]] = {name: [] for name in names}
    for name in names:
        for target in workloads[name].calls:
            if target in dependents:
                dependents[target].append((name, spaces[name]))

    def lookup(parts: tuple[str, ...], here: str) -> str:
        """A reference's value, as seen by a caller in namespace ``here``."""
        if parts[0] == "environment":
            return environment if parts[1] == "name" else env.baseDomain
        target = parts[1]
        host = cluster_dns(target, spaces[target])
        port = str(service_port(workloads[target]))
        if parts[2] == "address":  # short: the name alone resolves in the same namespace
            near = target if spaces[target] == here else f"{target}.{spaces[target]}"
            return f"{near}:{port}"
        return {"host": host, "port": port, "url": f"http://{host}:{port}"}[parts[2]]

    def resolve(value: str | int | bool, here: str) -> str:
        if not isinstance(value, str):
            return _text(value)
        return interpolate(value, lambda parts: lookup(parts, here))

    services = []
    used: dict[tuple[str, str], set[str]] = {}
    for name in names:
        service = platform.services[name][1]
        workload = workloads[name]
        plain = {
            var: resolve(value, spaces[name])
            for var, value in workload.env.items()
            if not isinstance(value, SecretRef)
        }
        egress: set[tuple[str, int]] = set()
        for instance in workload.integrations:
            values = integration_values(platform, instance, environment)
            if values is not None:
                plain.update(values.plain_env())
                egress.update(values.egress())
        egress.update(_hosts(workload))
        resolved = platform.resolved[(environment, name)]
        bound = bindings(platform, resolved)
        peers: set[tuple[str, tuple[tuple[str, str], ...], int]] = set()
        for binding in bound:
            plain.update(binding.plain_env())
            provider = binding.provider
            if isinstance(provider, Shared):
                peers.add(
                    (provider.namespace, tuple(sorted(provider.selector.items())), binding.port)
                )
            else:  # a managed instance's host is known only once it exists
                egress.add((provider.host if isinstance(provider, External) else "", binding.port))
        uses = list(secret_uses(platform, resolved))
        own = [u for u in uses if not u.via.startswith(INIT_CONTAINER)]
        secret_env = sorted(
            {(u.env, u.secret, u.key) for u in own if u.env is not None}
            | {e for b in bound if isinstance(b.provider, Managed) for e in b.secret_env()}
        )
        init_secrets: dict[str, set[tuple[str, str, str]]] = {}
        for u in uses:
            if u.via.startswith(INIT_CONTAINER) and u.env is not None:
                init_secrets.setdefault(u.via.removeprefix(INIT_CONTAINER), set()).add(
                    (u.env, u.secret, u.key)
                )
        secret_files = sorted({(u.path, u.secret, u.key) for u in uses if u.path is not None})
        for use in uses:
            used.setdefault((use.secret, spaces[name]), set()).add(name)
        sources = {
            u.secret: platform.secrets[u.secret][1].spec.environments[environment] for u in uses
        }
        services.append(
            Deployed(
                name=name,
                team=teams[name],
                lifecycle=service.metadata.lifecycle,
                namespace=spaces[name],
                image=image_reference(workload.image, env.images.get(name)),
                workload=workload,
                env=tuple(sorted(plain.items())),
                labels=dict(sorted(service.metadata.labels.items())),
                annotations=dict(sorted(service.metadata.annotations.items())),
                dependents=tuple(sorted(dependents[name])),
                secret_env=tuple(secret_env),
                secret_files=tuple(secret_files),
                egress=tuple(sorted(egress)),
                dependencies=tuple(
                    sorted(
                        (d, spaces[d], port.port, port.protocol)
                        for d in set(workload.calls)
                        if d in spaces
                        for port in workloads[d].ports
                    )
                ),
                webhooks=webhook_settings(workload) if _has_webhooks(workload) else None,
                secrets_checksum=_checksum(sources) if sources else None,
                init_env={
                    init.name: tuple(
                        sorted(
                            (k, resolve(v, spaces[name]))
                            for k, v in init.env.items()
                            if not isinstance(v, SecretRef)
                        )
                    )
                    for init in workload.initContainers
                },
                init_secret_env={n: tuple(sorted(e)) for n, e in sorted(init_secrets.items())},
                composed_env=tuple(e for b in bound for e in b.composed_env()),
                resources=tuple(bound),
                peers=tuple(sorted(peers)),
            )
        )
    alerting = _alerting(platform, environment, set(teams.values()))
    if alerting is not None:
        space = env.monitoring.alertmanager.namespace
        for ref, _, _ in credentials(alerting.policy, alerting.teams, environment):
            used.setdefault((ref.secret, space), set()).add(ALERTMANAGER)
    secrets = []
    for (secret, space), users in sorted(used.items()):
        spec = platform.secrets[secret][1]
        secrets.append(
            SecretObject(
                name=secret,
                namespace=space,
                team=spec.metadata.team,
                type=spec.spec.type,
                source=spec.spec.environments[environment],
                refresh=spec.spec.rotation.refreshInterval,
                users=tuple(sorted(users)),
            )
        )
    return EnvContext(
        name=environment,
        spec=env,
        services=tuple(services),
        namespaces=dict(sorted({teams[n]: spaces[n] for n in names}.items())),
        output_path=output_path,
        secrets=tuple(secrets),
        alerting=alerting,
    )


def _retiring(platform: Platform, name: str, environment: str) -> Workload:
    """A service's workload here; a retired one's in its grace scaled to zero."""
    workload = platform.resolved[(environment, name)].workload
    if platform.services[name][1].metadata.lifecycle != "retired":
        return workload
    return workload.model_copy(update={"scaling": Scaling(replicas=0)})


def _alerting(platform: Platform, environment: str, teams: set[str]) -> Alerting | None:
    """The routing of an environment with services, by the platform's policy."""
    if platform.alerting is None or not teams:
        return None
    policy = platform.alerting[1].spec
    routed = sorted(teams | {policy.fallback})
    contacts = {team: platform.teams[team][1].spec.contacts for team in routed}
    return Alerting(
        policy=policy,
        teams=contacts,
        fallback=policy.fallback,
        silences=tuple(
            s
            for s in policy.silences
            if environment in s.environments and not expired(s, platform.today)
        ),
    )


def _hosts(workload: Workload) -> set[tuple[str, int]]:
    """Hosts of outgoing webhook subscribers and their HTTPS dead-letter endpoints."""
    out = set()
    for hook in workload.webhooks.outgoing:
        for url in (hook.url, hook.deadLetter or ""):
            parts = urlsplit(url)
            if parts.scheme == "https" and parts.hostname:
                out.add((parts.hostname, parts.port or 443))
    return out


def _has_webhooks(workload: Workload) -> bool:
    return bool(workload.webhooks.incoming or workload.webhooks.outgoing)


def _checksum(sources: Mapping[str, SecretEnvironment]) -> str:
    """A digest of the ciphertexts and remote references a service uses.

    A resealed value has new ciphertext, so the digest changes and the pods roll; the
    digest reveals nothing (ciphertext is public in the repository anyway). Only what
    decides the Secret's content counts, not bookkeeping such as dates.
    """
    data: dict[str, object] = {}
    for name, source in sorted(sources.items()):
        if source.sealed is not None:
            data[name] = {"sealed": source.sealed.encryptedData}
        elif source.external is not None:
            external = source.external
            refs = {k: v.model_dump(exclude_none=True) for k, v in external.data.items()}
            # `rotatedAt` too: recording a rotation in the store rolls the pods, which
            # otherwise keep the old value in their env vars and subPath files.
            rotated = external.rotatedAt.isoformat()
            data[name] = {"store": external.store, "data": refs, "rotatedAt": rotated}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def service_port(workload: Workload) -> int:
    """The Service port other services reach: the one named `http`, else the first."""
    ports = {p.name: p.offered for p in workload.ports}
    return ports.get("http", workload.ports[0].offered if workload.ports else 0)


def _text(value: int | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
