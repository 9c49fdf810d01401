"""Containers to spec fields: command, env, resources, probes, init containers.

Each function takes the container as a mutable copy and removes what it maps; what is
left is compared with the rendered container and becomes patches (leftovers.py).
"""

from __future__ import annotations

import re
from typing import Any

from generators.ops.importer.manifests import Manifest
from generators.ops.importer.report import Trail
from generators.spec.pods import IMAGE_PATTERN
from generators.spec.quantity import parse_quantity

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
IMAGE = re.compile(IMAGE_PATTERN)
PROBES = (
    ("liveness", "livenessProbe"),
    ("readiness", "readinessProbe"),
    ("startup", "startupProbe"),
)
TIMINGS = {"initialDelaySeconds": 0, "periodSeconds": 1, "timeoutSeconds": 1, "failureThreshold": 1}


def text(value: Any) -> str:
    """A scalar as Kubernetes reads it into a string (booleans lowercase)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def escape(value: str) -> str:
    """A literal for a spec env value: `${` would start a reference there."""
    return value.replace("${", "$${")


def strings(value: Any) -> list[str] | None:
    """A list of strings (command, args), or None when it is not one."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def drop_empty(container: dict[str, Any], key: str) -> None:
    """Remove ``key`` when nothing is left under it."""
    if key in container and container[key] in ({}, [], None):
        del container[key]


def command_and_args(
    c: dict[str, Any], out: dict[str, Any], trail: Trail, obj: str, where: str, at: str
) -> None:
    """``command`` and ``args`` into ``out``, when they are lists of strings."""
    for key in ("command", "args"):
        if key in c and (found := strings(c[key])) is not None:
            out[key] = found
            del c[key]
            trail.went(obj, f"{where}.{key}", f"{at}.{key}")


def env(
    c: dict[str, Any],
    config_maps: dict[str, Manifest],
    trail: Trail,
    obj: str,
    where: str,
    to: str,
) -> dict[str, str]:
    """Literal env vars, and values from ConfigMaps of the input, as their literals.

    Returns the values as the container sees them (not yet escaped for the spec).
    """
    out: dict[str, str] = {}
    kept_sources = []
    for source in c.get("envFrom") or ():
        ref = source.get("configMapRef") if isinstance(source, dict) else None
        config = config_maps.get(str(ref.get("name"))) if isinstance(ref, dict) else None
        data = _data(config)
        if config is None or data is None or not set(source) <= {"configMapRef", "prefix"}:
            kept_sources.append(source)
            continue
        prefix = text(source.get("prefix"))
        for key, value in data.items():
            if ENV_NAME.match(prefix + key):
                out[prefix + key] = value
        trail.went(obj, f"{where}.envFrom[{config.name}]", f"{to} (ConfigMap {config.name}'s keys)")
    c["envFrom"] = kept_sources
    drop_empty(c, "envFrom")
    kept = []
    for entry in c.get("env") or ():
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not ENV_NAME.match(name):
            kept.append(entry)
            continue
        source = entry.get("valueFrom")
        if source is None and set(entry) <= {"name", "value"}:
            out[name] = text(entry.get("value"))
            trail.went(obj, f"{where}.env.{name}", to)
            continue
        ref = source.get("configMapKeyRef") if isinstance(source, dict) else None
        only_ref = isinstance(source, dict) and set(source) == {"configMapKeyRef"}
        if isinstance(ref, dict) and only_ref and set(entry) == {"name", "valueFrom"}:
            found = config_maps.get(str(ref.get("name")))
            values = _data(found)
            wanted = str(ref.get("key"))
            if found is not None and values is not None and wanted in values:
                out[name] = values[wanted]
                trail.went(obj, f"{where}.env.{name}", f"{to} (ConfigMap {found.name}, {wanted})")
                continue
        kept.append(entry)
    c["env"] = kept
    drop_empty(c, "env")
    for name, value in out.items():
        if "$(" in value:
            trail.note(
                f"env {name} expands $(...); the platform sorts env by name, and Kubernetes "
                "expands only variables defined before it"
            )
    return out


def _data(config: Manifest | None) -> dict[str, str] | None:
    """A ConfigMap's data, or None when it has binary data (no literal to use)."""
    if config is None or config.body.get("binaryData"):
        return None
    data = config.body.get("data") or {}
    return {str(k): text(v) for k, v in data.items()} if isinstance(data, dict) else None


def resources(c: dict[str, Any]) -> dict[str, Any]:
    """Requests and limits of CPU and memory (other resources stay for a patch)."""
    found = c.get("resources")
    if not isinstance(found, dict):
        return {}
    out: dict[str, Any] = {}
    for side in ("requests", "limits"):
        amounts = found.get(side)
        if not isinstance(amounts, dict):
            continue
        picked = {}
        for name in ("cpu", "memory"):
            if name in amounts and _quantity(amounts[name]):
                picked[name] = text(amounts.pop(name))
        if picked:
            out[side] = picked
        drop_empty(found, side)
    drop_empty(c, "resources")
    return out


def _quantity(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    try:
        parse_quantity(value)
    except ValueError:
        return False
    return True


def probes(c: dict[str, Any], trail: Trail, obj: str, where: str) -> dict[str, Any]:
    """The probes the spec can express; a probe it cannot stays whole, for a patch."""
    out: dict[str, Any] = {}
    for stage, key in PROBES:
        probe = c.get(key)
        if not isinstance(probe, dict):
            continue
        mapped = probe_spec(probe)
        if mapped is None:
            continue
        out[stage] = mapped
        trail.went(obj, f"{where}.{key}", f"spec.probes.{stage}")
        drop_empty(c, key)
    return out


def probe_spec(probe: dict[str, Any]) -> dict[str, Any] | None:
    """One probe as the spec writes it, removing what it maps; None if it cannot."""
    actions = [k for k in ("httpGet", "tcpSocket", "grpc", "exec") if k in probe]
    if len(actions) != 1:
        return None
    action = probe[actions[0]]
    if not isinstance(action, dict):
        return None
    out: dict[str, Any] = {}
    if actions[0] == "httpGet":
        http = _http(action)
        if http is None:
            return None
        out["http"] = http
    elif actions[0] == "tcpSocket":
        if set(action) != {"port"} or not _port_ref(action["port"]):
            return None
        out["tcp"] = {"port": action["port"]}
    elif actions[0] == "grpc":
        port, service = action.get("port"), action.get("service")
        if not set(action) <= {"port", "service"} or not _port_number(port):
            return None
        out["grpc"] = {"port": port, **({"service": service} if isinstance(service, str) else {})}
    else:
        command = strings(action.get("command"))
        if set(action) != {"command"} or not command:
            return None
        out["exec"] = {"command": command}
    for name, least in TIMINGS.items():
        value = probe.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            return None
        out[name] = value
    del probe[actions[0]]
    for name in TIMINGS:
        probe.pop(name, None)
    return out


def _http(action: dict[str, Any]) -> dict[str, Any] | None:
    if not set(action) <= {"path", "port", "scheme", "httpHeaders"}:
        return None
    path = action.get("path", "/")
    scheme = action.get("scheme", "HTTP")
    if not isinstance(path, str) or not path.startswith("/") or scheme not in ("HTTP", "HTTPS"):
        return None
    if not _port_ref(action.get("port")):
        return None
    headers: dict[str, str] = {}
    for header in action.get("httpHeaders") or ():
        name = header.get("name") if isinstance(header, dict) else None
        if not isinstance(name, str) or name in headers or set(header) != {"name", "value"}:
            return None
        headers[name] = text(header["value"])
    out: dict[str, Any] = {"path": path, "port": action["port"]}
    if scheme != "HTTP":
        out["scheme"] = scheme
    if headers:
        out["headers"] = headers
    return out


def _port_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def _port_ref(value: Any) -> bool:
    return _port_number(value) or (isinstance(value, str) and 1 <= len(value) <= 15)


def init_container(
    c: dict[str, Any],
    volumes: list[str] | None,
    config_maps: dict[str, Manifest],
    trail: Trail,
    obj: str,
) -> tuple[dict[str, Any], dict[str, str]] | None:
    """An init container as the spec writes it, and its literal env; None if it cannot be.

    ``volumes`` are the names of the service's volumes it mounts at their paths (None:
    all of them).
    """
    name, image = c.get("name"), c.get("image")
    if not isinstance(name, str) or not DNS_LABEL.match(name) or len(name) > 63:
        return None
    if not isinstance(image, str) or not IMAGE.match(image):
        return None
    where = f"initContainers[{name}]"
    at = f"spec.initContainers[{name}]"
    out: dict[str, Any] = {"name": name, "image": image}
    trail.went(obj, f"{where}.name, image", f"{at}.name, image")
    del c["image"]
    command_and_args(c, out, trail, obj, where, at)
    values = env(c, config_maps, trail, obj, where, f"{at}.env")
    if values:
        out["env"] = {k: escape(v) for k, v in values.items()}
    if volumes is not None:
        out["volumes"] = volumes
    amounts = resources(c)
    if amounts:
        out["resources"] = amounts
        trail.went(obj, f"{where}.resources", f"{at}.resources")
    return out, values
