"""What targets see: the resolved, frozen platform for one environment.

Targets never see YAML or file paths. Everything they need (namespaces, image
references with their pins, env vars with every `${...}` resolved, who depends on
whom) is computed here once, from a platform that validated without errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from generators.graph import Platform
from generators.interpolation import references
from generators.naming import cluster_dns, image_reference, namespace
from generators.spec.environment import EnvironmentSpec
from generators.spec.service import Workload


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


@dataclass(frozen=True)
class EnvContext:
    """One environment and every service deployed to it, sorted by name."""

    name: str
    spec: EnvironmentSpec
    services: tuple[Deployed, ...]
    #: Team name -> namespace, for teams with a service here.
    namespaces: Mapping[str, str] = field(default_factory=dict)
    #: The output directory relative to the git repository's root (Argo CD's paths).
    output_path: str = "rendered"


def build_context(
    platform: Platform, environment: str, output_path: str = "rendered"
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
    workloads = {name: platform.resolved[(environment, name)].workload for name in names}
    dependents: dict[str, list[tuple[str, str]]] = {name: [] for name in names}
    for name in names:
        for target in workloads[name].dependsOn:
            if target in dependents:
                dependents[target].append((name, spaces[name]))

    def lookup(parts: tuple[str, ...]) -> str:
        if parts[0] == "environment":
            return environment if parts[1] == "name" else env.baseDomain
        target = parts[1]
        host = cluster_dns(target, spaces[target])
        port = str(service_port(workloads[target]))
        return {"host": host, "port": port, "url": f"http://{host}:{port}"}[parts[2]]

    services = []
    for name in names:
        service = platform.services[name][1]
        workload = workloads[name]
        env_vars = tuple(
            (var, interpolate(value, lookup) if isinstance(value, str) else _text(value))
            for var, value in sorted(workload.env.items())
        )
        services.append(
            Deployed(
                name=name,
                team=teams[name],
                lifecycle=service.metadata.lifecycle,
                namespace=spaces[name],
                image=image_reference(workload.image, env.images.get(name)),
                workload=workload,
                env=env_vars,
                labels=dict(sorted(service.metadata.labels.items())),
                annotations=dict(sorted(service.metadata.annotations.items())),
                dependents=tuple(sorted(dependents[name])),
            )
        )
    return EnvContext(
        name=environment,
        spec=env,
        services=tuple(services),
        namespaces=dict(sorted({teams[n]: spaces[n] for n in names}.items())),
        output_path=output_path,
    )


def service_port(workload: Workload) -> int:
    """The port other services reach: the one named `http`, else the first."""
    ports = {p.name: p.port for p in workload.ports}
    return ports.get("http", workload.ports[0].port if workload.ports else 0)


def interpolate(value: str, lookup: Callable[[tuple[str, ...]], str]) -> str:
    """Replace every `${...}` in ``value`` (``$${`` stays a literal ``${``)."""
    out, last = [], 0
    for ref in references(value):
        out.append(value[last : ref.offset])
        out.append(lookup(ref.parts))
        last = ref.offset + len(ref.text)
    out.append(value[last:])
    return "".join(out).replace("$${", "${")


def _text(value: int | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
