"""What every output target shares: its protocol, and the labels every object carries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from generators.context import Deployed, EnvContext

#: One rendered object: its path under the output root, and the object.
Output = tuple[str, Mapping[str, Any]]

MANAGED_BY = "platform-compiler"
LABEL_PREFIX = "platform"


class Target(Protocol):
    """An output target: renders one environment into objects at stable paths."""

    name: str

    def render(self, context: EnvContext) -> Iterator[Output]:
        """Yield every object of the environment, each at its path."""
        ...


#: The one file of each app directory; it holds the app's objects, one YAML document each.
MANIFESTS = "manifests.yaml"


def app_path(*parts: str) -> str:
    """``<parts...>/manifests.yaml``: the file an app's objects are written to.

    One multi-document file per app directory, not one file per object: creating files
    is most of the cost of a render (see docs/benchmarks.md), Argo CD and Flux read
    multi-document files as they are, and the app directory stays the unit of review
    and ownership.
    """
    return "/".join((*parts, MANIFESTS))


#: On a Secret whose data holds no credential (the Alertmanager configuration, whose
#: credentials are file paths), "false": `platform diff` may then show its changes.
CREDENTIALS_ANNOTATION = "platform/holds-credentials"

#: The kind of a non-Kubernetes file a target renders (see :func:`file_output`).
FILE_KIND = "platform/file"


def file_output(path: str, text: str) -> Output:
    """A file that is not Kubernetes objects (a JSON list), written as ``text`` exactly."""
    return path, {"kind": FILE_KIND, "metadata": {"name": path}, "text": text}


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


def exposed_port(service: Deployed) -> str:
    """The port name public traffic goes to: `expose.port`, else the first port."""
    wanted = service.workload.expose.port
    for port in service.workload.ports:
        if wanted in (port.name, port.port):
            return port.name
    return service.workload.ports[0].name
