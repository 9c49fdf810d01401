"""Container ports and the workload's Service to spec fields: `ports` and `expose`."""

from __future__ import annotations

import re
from typing import Any

from generators.ops.importer.container import drop_empty, text
from generators.ops.importer.manifests import Manifest
from generators.ops.importer.report import Trail

PORT_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
PROTOCOLS = ("TCP", "UDP", "SCTP")
#: Annotations the cluster or kubectl write: not the application's.
TOOL_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


def _number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def ports(
    main: dict[str, Any],
    service: dict[str, Any] | None,
    service_label: str,
    trail: Trail,
    obj: str,
) -> list[dict[str, Any]]:
    """The container's ports, each joined with the Service port that targets it.

    Mapped entries are removed from ``main`` and ``service`` (a copy each); a Service
    port the spec cannot express (a second one on the same container port) stays.
    """
    where = f"containers[{main.get('name')}]"
    out: list[dict[str, Any]] = []
    names: set[str] = set()
    kept = []
    for entry in main.get("ports") or ():
        number, protocol = entry.get("containerPort"), entry.get("protocol", "TCP")
        if not _number(number) or protocol not in PROTOCOLS:
            kept.append(entry)
            continue
        name = entry.get("name")
        out.append({"name": name, "port": number, "protocol": protocol})
        rest = {k: v for k, v in entry.items() if k not in ("name", "protocol")}
        if set(rest) != {"containerPort"}:
            kept.append(rest)  # hostPort and the like: a patch
        trail.went(obj, f"{where}.ports[{name or number}]", f"spec.ports[{len(out) - 1}]")
    main["ports"] = kept
    drop_empty(main, "ports")
    if service is not None:
        spec = service.get("spec") or {}
        expose_type = spec.get("type", "ClusterIP")
        left = []
        joined: set[int] = set()
        for entry in spec.get("ports") or ():
            index = _target(entry, out)
            number = entry.get("targetPort", entry.get("port"))
            if index is None and _number(number) and _number(entry.get("port")):
                out.append({"name": entry.get("name"), "port": number})
                out[-1]["protocol"] = entry.get("protocol", "TCP")
                index = len(out) - 1
                trail.note(f"container port {number} added: {service_label} targets it")
            if index is None:
                shown = entry.get("name") or entry.get("port")
                trail.note(
                    f"{service_label} port {shown} targets {entry.get('targetPort')!r}, which "
                    "the container does not declare: left out"
                )
                continue
            if index in joined:
                left.append(entry)
                continue
            joined.add(index)
            port = out[index]
            shown = f"spec.ports[{entry.get('name') or entry.get('port')}]"
            if entry.get("port") != port["port"]:
                port["servicePort"] = entry["port"]
            if entry.get("nodePort") is not None and expose_type != "ClusterIP":
                port["nodePort"] = entry["nodePort"]
            if isinstance(entry.get("appProtocol"), str):
                port["appProtocol"] = entry["appProtocol"]
            if port["name"] is None and isinstance(entry.get("name"), str):
                port["name"] = entry["name"]
            elif entry.get("name") not in (None, port["name"]):
                trail.note(
                    f"{service_label} port {entry['name']} is named {port['name']} "
                    "(Service ports take the container port's name)"
                )
            trail.went(service_label, shown, f"spec.ports[{index}]")
        spec["ports"] = left
        drop_empty(spec, "ports")
        for index, port in enumerate(out):
            if index not in joined:
                trail.note(
                    f"the Service also offers port {port['name'] or port['port']} "
                    f"({port['port']}): the platform's Service offers every container port"
                )
    for index, port in enumerate(out):
        name = port["name"]
        if not isinstance(name, str) or not PORT_NAME.match(name) or len(name) > 15:
            name = f"{port['protocol'].lower()}-{port['port']}"
            if port["name"] is not None:
                trail.note(f"port {port['name']} is named {name} (not a valid port name)")
        while name in names:
            name = f"{name[:12]}-{index}"
        names.add(name)
        port["name"] = name
        if port["protocol"] == "TCP":
            del port["protocol"]
    return [_ordered(p) for p in out]


def _ordered(port: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "port", "protocol", "servicePort", "nodePort", "appProtocol")
    return {k: port[k] for k in keys if k in port}


def _target(entry: dict[str, Any], out: list[dict[str, Any]]) -> int | None:
    target = entry.get("targetPort", entry.get("port"))
    protocol = entry.get("protocol", "TCP")
    for index, port in enumerate(out):
        if port["protocol"] != protocol:
            continue
        if (isinstance(target, str) and target == port["name"]) or target == port["port"]:
            return index
    return None


def expose(
    service: dict[str, Any], workload_annotations: dict[str, str], trail: Trail, label: str
) -> dict[str, Any]:
    """The Service's type, traffic policy, source ranges and own annotations."""
    spec = service.get("spec") or {}
    out: dict[str, Any] = {}
    given = "type" in spec
    kind = spec.pop("type", "ClusterIP")
    if kind == "ClusterIP":
        if given:
            trail.went(label, "spec.type", "spec.expose.type (ClusterIP, the default)")
    elif kind in ("NodePort", "LoadBalancer"):
        out["type"] = kind
        trail.went(label, "spec.type", "spec.expose.type")
        policy = spec.pop("externalTrafficPolicy", None)
        if policy in ("Cluster", "Local"):
            out["externalTrafficPolicy"] = policy
            trail.went(label, "spec.externalTrafficPolicy", "spec.expose.externalTrafficPolicy")
    else:
        spec["type"] = kind  # ExternalName: a patch that fails loudly, not a silent change
    ranges = spec.get("loadBalancerSourceRanges")
    if kind == "LoadBalancer" and isinstance(ranges, list):
        out["loadBalancerSourceRanges"] = [text(r) for r in ranges]
        del spec["loadBalancerSourceRanges"]
        trail.went(label, "spec.loadBalancerSourceRanges", "spec.expose.loadBalancerSourceRanges")
    if "selector" in spec:
        del spec["selector"]
        trail.went(label, "spec.selector", "the platform's (app.kubernetes.io/name)")
    meta = service.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    own = {
        str(k): text(v)
        for k, v in annotations.items()
        if k not in TOOL_ANNOTATIONS and workload_annotations.get(k) != text(v)
    }
    if own:
        out["serviceAnnotations"] = dict(sorted(own.items()))
        trail.went(label, "metadata.annotations", "spec.expose.serviceAnnotations")
    meta.pop("annotations", None)
    return out


def service_name_note(service: Manifest, name: str, trail: Trail) -> None:
    """Say so when the Service gets the service's name instead of its own."""
    if service.name != name:
        trail.note(
            f"{service.label} is rendered as Service/{name} (named after the service): "
            f"clients that call {service.name} must call {name}"
        )
