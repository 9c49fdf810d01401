"""Checks of a service's pod: mounts, init containers, Service types, pod metadata, images."""

from __future__ import annotations

from collections.abc import Iterator

from generators.checks.base import at, at_resolved, unknown
from generators.diagnostics import Diagnostic, codes
from generators.domain.webhooks import CONFIG_PATH
from generators.model.naming import has_version
from generators.model.platform import Platform, Resolved

#: Paths the platform mounts itself: the writable scratch directory, the webhook settings.
BUILT_IN_MOUNTS = {"/tmp": "the writable /tmp", CONFIG_PATH: "the webhook settings"}
#: Pod labels the platform sets; selectors and dashboards rely on them.
RESERVED_LABEL_PREFIXES = ("app.kubernetes.io/", "platform/")
#: Pod annotations the platform writes (checksums roll the pods; the log shipper reads the rest).
RESERVED_ANNOTATIONS = ("checksum/", "platform/", "fluentbit.io/parser")


def check_mounts(platform: Platform) -> Iterator[Diagnostic]:
    """Volumes have distinct names; no two mounts of the container share a path."""
    for resolved in _each(platform):
        workload = resolved.workload
        taken: dict[str, str] = dict(BUILT_IN_MOUNTS)
        for index, config in enumerate(workload.configFiles):
            taken.setdefault(config.path, f"configFiles[{index}]")
        for index, secret in enumerate(workload.secretFiles):
            taken.setdefault(secret.path, f"secretFiles[{index}]")
        names: dict[str, int] = {}
        for index, volume in enumerate(workload.volumes):
            if volume.name in names:
                yield at_resolved(
                    resolved,
                    ("volumes", index, "name"),
                    codes.MOUNT_CLASH,
                    f"volume name {volume.name!r} is used twice",
                    f"rename one of them (the other is volumes[{names[volume.name]}])",
                )
            names.setdefault(volume.name, index)
            if volume.path in taken:
                yield at_resolved(
                    resolved,
                    ("volumes", index, "path"),
                    codes.MOUNT_CLASH,
                    f"{volume.path} is already mounted ({taken[volume.path]})",
                    "give the volume its own path; Kubernetes rejects two mounts at one path",
                )
            taken.setdefault(volume.path, f"volumes[{index}]")
            if volume.emptyDir is not None and volume.readOnly:
                yield at_resolved(
                    resolved,
                    ("volumes", index, "readOnly"),
                    codes.MOUNT_CLASH,
                    "a read-only emptyDir is always empty",
                    "remove `readOnly`, or mount a claim or a ConfigMap instead",
                )


def check_init_containers(platform: Platform) -> Iterator[Diagnostic]:
    """Init containers have their own names, pinned images and known volumes."""
    for resolved in _each(platform):
        workload = resolved.workload
        container = workload.pod.containerName or resolved.service
        volumes = {v.name for v in workload.volumes}
        seen: dict[str, int] = {}
        for index, init in enumerate(workload.initContainers):
            if init.name == container or init.name in seen:
                other = (
                    "the service's container"
                    if init.name == container
                    else (f"initContainers[{seen[init.name]}]")
                )
                yield at_resolved(
                    resolved,
                    ("initContainers", index, "name"),
                    codes.INIT_CONTAINER,
                    f"container name {init.name!r} is already taken by {other}",
                    "give each container of the pod its own name",
                )
            seen.setdefault(init.name, index)
            tag = init.image.split("@", 1)[0].rsplit("/", 1)[-1].partition(":")[2]
            if not has_version(init.image) or tag.lower() == "latest":
                yield at_resolved(
                    resolved,
                    ("initContainers", index, "image"),
                    codes.INIT_CONTAINER,
                    f"init container image {init.image!r} is not pinned"
                    + (" ('latest' moves)" if tag.lower() == "latest" else ""),
                    f"pin a version or digest, e.g. `{init.image.rsplit(':', 1)[0]}:1.36`; "
                    "environments pin only the service's own image",
                )
            for position, name in enumerate(init.volumes or ()):
                if name not in volumes:
                    yield unknown(
                        resolved,
                        ("initContainers", index, "volumes", position),
                        codes.INIT_CONTAINER,
                        name,
                        volumes,
                        "volume",
                        message=f"init container {init.name!r} mounts unknown volume {name!r}",
                        defined="declared under the service's `volumes`",
                    )


def check_service_types(platform: Platform) -> Iterator[Diagnostic]:
    """NodePort and LoadBalancer Services fit the workload and are allowed where they run."""
    node_ports: dict[tuple[str, int, str], Resolved] = {}
    for resolved in _each(platform):
        workload = resolved.workload
        expose = workload.expose
        routing = platform.environments[resolved.environment][1].spec.routing
        env_file = f"environments/{resolved.environment}.yaml"
        if expose.type != "ClusterIP" and workload.type != "web":
            yield at_resolved(
                resolved,
                ("expose", "type"),
                codes.SERVICE_TYPE,
                f"a {workload.type} has no Service to make a {expose.type}",
                "set `type: web` with ports, or remove `expose.type`",
            )
            continue
        forbidden = (expose.type == "LoadBalancer" and not routing.loadBalancers) or (
            expose.type == "NodePort" and not routing.nodePorts
        )
        if forbidden:
            setting = "loadBalancers" if expose.type == "LoadBalancer" else "nodePorts"
            yield at_resolved(
                resolved,
                ("expose", "type"),
                codes.SERVICE_TYPE,
                f"{expose.type} Services are not allowed here",
                "route it through the ingress (`visibility: public` with `hosts`), override "
                f"`expose.type` in this environment's block, or set `routing.{setting}: true` "
                f"in {env_file}",
            )
        outside = expose.type != "ClusterIP"
        if expose.loadBalancerSourceRanges and expose.type != "LoadBalancer":
            yield at_resolved(
                resolved,
                ("expose", "loadBalancerSourceRanges"),
                codes.SERVICE_TYPE,
                "`loadBalancerSourceRanges` only applies to `type: LoadBalancer`",
                "remove it, or set `expose.type: LoadBalancer`",
            )
        if expose.externalTrafficPolicy is not None and not outside:
            yield at_resolved(
                resolved,
                ("expose", "externalTrafficPolicy"),
                codes.SERVICE_TYPE,
                "`externalTrafficPolicy` only applies to NodePort and LoadBalancer Services",
                "remove it, or set `expose.type`",
            )
        offered: dict[tuple[int, str], int] = {}
        for index, port in enumerate(workload.ports):
            key = (port.offered, port.protocol)
            first = offered.setdefault(key, index)
            earlier = workload.ports[first]
            # Two container ports alike are check_ports' finding; this is what only the
            # Service ports share (80 offered in front of one, and as the other itself).
            if first != index and (earlier.port, earlier.protocol) != (port.port, port.protocol):
                field = "servicePort" if port.servicePort is not None else "port"
                yield at_resolved(
                    resolved,
                    ("ports", index, field),
                    codes.PORT_CLASH,
                    f"Service port {port.offered}/{port.protocol} is offered twice",
                    f"give each port its own servicePort (the other is ports[{first}])",
                )
            if port.nodePort is None:
                continue
            if not outside:
                yield at_resolved(
                    resolved,
                    ("ports", index, "nodePort"),
                    codes.SERVICE_TYPE,
                    "`nodePort` only applies to NodePort and LoadBalancer Services",
                    "remove it, or set `expose.type: NodePort`",
                )
                continue
            # Node ports are cluster-wide: one per environment (its cluster) and protocol.
            claim = (resolved.environment, port.nodePort, port.protocol)
            other = node_ports.setdefault(claim, resolved)
            if other is not resolved:
                yield at_resolved(
                    resolved,
                    ("ports", index, "nodePort"),
                    codes.PORT_CLASH,
                    f"node port {port.nodePort} is already taken by service {other.service!r}",
                    "pick another node port (30000-32767), or omit it to have one assigned",
                )


def check_pod_metadata(platform: Platform) -> Iterator[Diagnostic]:
    """Pod labels and annotations do not replace the ones the platform relies on."""
    for resolved in _each(platform):
        pod = resolved.workload.pod
        for label in pod.labels:
            if label.startswith(RESERVED_LABEL_PREFIXES):
                yield at_resolved(
                    resolved,
                    ("pod", "labels", label),
                    codes.RESERVED_METADATA,
                    f"pod label {label!r} is the platform's (it selects and groups the pods)",
                    "use a label of your own prefix; `metadata.labels` adds labels to every object",
                )
        for annotation in pod.annotations:
            if annotation.startswith(RESERVED_ANNOTATIONS):
                yield at_resolved(
                    resolved,
                    ("pod", "annotations", annotation),
                    codes.RESERVED_METADATA,
                    f"pod annotation {annotation!r} is written by the platform",
                    "use an annotation of your own prefix (checksums roll the pods, and the "
                    "log shipper reads the log format)",
                )


def check_image_pin_conflicts(platform: Platform) -> Iterator[Diagnostic]:
    """An image is versioned in one place: the spec's tag, or the environment's pin."""
    for doc, env in sorted(platform.environments.values(), key=lambda e: e[0].source.file):
        for service, pin in env.spec.images.items():
            resolved = platform.resolved.get((doc.name, service))
            if resolved is None or not has_version(resolved.workload.image):
                continue
            image = resolved.workload.image
            location = resolved.locate(("image",))
            yield at(
                doc,
                ("spec", "images", service),
                codes.IMAGE_PIN_CONFLICT,
                f"{service!r} is pinned to {pin!r} here, but its spec's image {image!r} "
                "carries a version too",
                f"write the image without a tag ({location.file}:{location.line}) and pin "
                "it per environment, or drop this pin",
            )


def _each(platform: Platform) -> Iterator[Resolved]:
    for key in sorted(platform.resolved):
        yield platform.resolved[key]
