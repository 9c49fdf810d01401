"""What every output target shares: the Target base, what it yields, and common metadata."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from generators.domain.layout import MANAGED_BY
from generators.targets.context import Deployed, EnvContext, PlatformContext

LABEL_PREFIX = "platform"


@dataclass(frozen=True)
class File:
    """A whole file that is not Kubernetes objects (a JSON list, a workflow), as its text."""

    text: str
    #: Where its path is relative to: the output tree (``rendered/``), or the top of the
    #: git repository (``.github/workflows/…``: only complete renders write those).
    root: Literal["output", "repository"] = "output"


#: One rendered thing at its path: a Kubernetes object (the documents of one file are
#: the objects rendered at its path, in order), or a whole :class:`File`.
Output = tuple[str, Mapping[str, Any] | File]


class Target:
    """An output target: what one part of the runtime needs, rendered from the model.

    A target overrides :meth:`render` (per environment), :meth:`render_platform` (once
    per complete render, for platform-wide files), or both; methods named after what
    they render build each object. Register it in :data:`generators.targets.TARGETS`.
    """

    name: ClassVar[str]

    def render(self, context: EnvContext) -> Iterator[Output]:
        """Every object of one environment, each at its path (none by default)."""
        return iter(())

    def render_platform(self, context: PlatformContext) -> Iterator[Output]:
        """Platform-wide files, written only by complete renders (none by default)."""
        return iter(())


def selector_labels(service: Deployed) -> dict[str, str]:
    """The labels that select a service's pods (never change: selectors are immutable)."""
    return {"app.kubernetes.io/name": service.name}


def labels(service: Deployed, environment: str) -> dict[str, str]:
    """Recommended labels plus the service's own, on every object of a service."""
    own = {
        "app.kubernetes.io/name": service.name,
        "app.kubernetes.io/instance": f"{service.name}-{environment}",
        "app.kubernetes.io/part-of": service.team,
        "app.kubernetes.io/managed-by": MANAGED_BY,
        f"{LABEL_PREFIX}/team": service.team,
        f"{LABEL_PREFIX}/environment": environment,
        f"{LABEL_PREFIX}/lifecycle": service.lifecycle,
    }
    return {**service.labels, **own}


def metadata(
    service: Deployed, environment: str, name: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Object metadata: name, namespace, labels, and the service's annotations."""
    meta: dict[str, Any] = {
        "name": name or service.name,
        "namespace": service.namespace,
        "labels": labels(service, environment),
    }
    annotations = {**service.annotations, **extra.pop("annotations", {})}
    if annotations:
        meta["annotations"] = dict(sorted(annotations.items()))
    meta.update(extra)
    return meta


def environment_labels(context: EnvContext) -> dict[str, str]:
    """The labels of an environment-wide object: the compiler manages it, for this environment."""
    return {"app.kubernetes.io/managed-by": MANAGED_BY, "platform/environment": context.name}


def environment_metadata(context: EnvContext, name: str, namespace: str | None) -> dict[str, Any]:
    """Metadata of an environment-wide object (a cluster-wide one without ``namespace``)."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = environment_labels(context)
    return meta


def exposed_port(service: Deployed) -> str:
    """The port name public traffic goes to: `expose.port`, else the first port."""
    wanted = service.workload.expose.port
    for port in service.workload.ports:
        if wanted in (port.name, port.port):
            return port.name
    return service.workload.ports[0].name
