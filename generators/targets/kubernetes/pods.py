"""The pods of a service: template, container, probes, security contexts, volumes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from generators.domain.webhooks import CONFIG_ENV, CONFIG_PATH
from generators.model.naming import config_key
from generators.model.resources import effective_resources
from generators.spec.pods import InitContainer, Probe, Volume
from generators.spec.service import Workload
from generators.targets.base import LABEL_PREFIX, metadata
from generators.targets.context import Deployed, EnvContext

CONFIG_CHECKSUM = "checksum/config"
SECRETS_CHECKSUM = "checksum/secrets"
LOG_RETENTION_LABEL = "platform/log-retention"
LOG_FORMAT_ANNOTATION = "platform/log-format"
FLUENT_BIT_PARSER = "fluentbit.io/parser"
#: The key of the webhook settings in their ConfigMap (mounted at CONFIG_PATH).
WEBHOOKS_KEY = "webhooks.json"


def pod_template(
    context: EnvContext,
    service: Deployed,
    config: dict[str, Any] | None,
    restart: str | None,
) -> dict[str, Any]:
    """Pods that meet the restricted Pod Security Standard unless the spec lowers it."""
    workload = service.workload
    # Not the lifecycle label: moving a service to maintenance must not restart it.
    labels = metadata(service, context.name)["labels"]
    own = {k: v for k, v in labels.items() if k != f"{LABEL_PREFIX}/lifecycle"}
    # The pod's own labels after the platform's, which (selectors among them) always win.
    extra = {k: v for k, v in workload.pod.labels.items() if k not in own}
    meta: dict[str, Any] = {"labels": {**own, **extra}}
    logs = workload.logs
    # Read by the log shipper: the retention class becomes a Loki stream label
    # (docs/observability.md); Fluent Bit's kubernetes filter reads its parser here.
    meta["labels"][LOG_RETENTION_LABEL] = logs.retention
    annotations: dict[str, str] = {LOG_FORMAT_ANNOTATION: logs.format}
    if logs.format != "text":
        annotations[FLUENT_BIT_PARSER] = logs.format
    if config is not None:
        # A new hash on the template rolls the pods when a config file changes.
        annotations[CONFIG_CHECKSUM] = content_hash(config["data"])
    if service.secrets_checksum is not None:
        # ...and when a secret is resealed or points elsewhere.
        annotations[SECRETS_CHECKSUM] = service.secrets_checksum
    for key, value in workload.pod.annotations.items():
        annotations.setdefault(key, value)  # the platform's checksums are not the spec's
    if annotations:
        meta["annotations"] = annotations
    spec: dict[str, Any] = {
        "serviceAccountName": service.name,
        "automountServiceAccountToken": workload.serviceAccountToken,
        "securityContext": pod_security(workload),
    }
    if workload.pod.terminationGracePeriodSeconds is not None:
        spec["terminationGracePeriodSeconds"] = workload.pod.terminationGracePeriodSeconds
    if workload.initContainers:
        spec["initContainers"] = [init_container(service, init) for init in workload.initContainers]
    spec["containers"] = [container(service)]
    spec["volumes"] = volumes(service)
    if restart is not None:
        spec["restartPolicy"] = restart
    return {"metadata": meta, "spec": spec}


def container(service: Deployed) -> dict[str, Any]:
    """The one container: image, command, ports, env, resources, probes, mounts."""
    workload = service.workload
    requests, limits = effective_resources(workload.resources)
    name = workload.pod.containerName or service.name
    container: dict[str, Any] = {"name": name, "image": service.image}
    container["imagePullPolicy"] = "IfNotPresent"
    if workload.command is not None:
        container["command"] = list(workload.command)
    if workload.args is not None:
        container["args"] = list(workload.args)
    if workload.ports:
        container["ports"] = [
            {"name": p.name, "containerPort": p.port, "protocol": p.protocol}
            for p in workload.ports
        ]
    env: list[tuple[str, dict[str, Any]]] = [
        (name, {"name": name, "value": value}) for name, value in service.env
    ]
    env += [
        (var, {"name": var, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
        for var, secret, key in service.secret_env
    ]
    if service.webhooks is not None:
        env.append((CONFIG_ENV, {"name": CONFIG_ENV, "value": CONFIG_PATH}))
    composed = [{"name": var, "value": value} for var, value in service.composed_env]
    if env or composed:
        # Composed values (`$(VAR)`) last: Kubernetes expands only variables defined earlier.
        container["env"] = [entry for _, entry in sorted(env, key=lambda e: e[0])] + composed
    container["resources"] = {"requests": requests, "limits": limits}
    for stage in ("startup", "liveness", "readiness"):
        probe = getattr(workload.probes, stage)
        if probe is not None:
            container[f"{stage}Probe"] = probe_spec(probe)
    container["securityContext"] = container_security(workload)
    container["volumeMounts"] = volume_mounts(service)
    return container


def init_container(service: Deployed, init: InitContainer) -> dict[str, Any]:
    """An init container: pinned image, its env, the same hardened security context."""
    workload = service.workload
    out: dict[str, Any] = {"name": init.name, "image": init.image}
    out["imagePullPolicy"] = "IfNotPresent"
    if init.command is not None:
        out["command"] = list(init.command)
    if init.args is not None:
        out["args"] = list(init.args)
    env: list[tuple[str, dict[str, Any]]] = [
        (var, {"name": var, "value": value}) for var, value in service.init_env.get(init.name, ())
    ]
    env += [
        (var, {"name": var, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
        for var, secret, key in service.init_secret_env.get(init.name, ())
    ]
    if env:
        out["env"] = [entry for _, entry in sorted(env, key=lambda e: e[0])]
    requests, limits = effective_resources(init.resources)
    out["resources"] = {"requests": requests, "limits": limits}
    out["securityContext"] = container_security(workload)
    wanted = None if init.volumes is None else set(init.volumes)
    mounts = [{"name": "tmp", "mountPath": "/tmp"}]
    mounts += [
        _mount(volume) for volume in workload.volumes if wanted is None or volume.name in wanted
    ]
    out["volumeMounts"] = mounts
    return out


def _mount(volume: Volume) -> dict[str, Any]:
    mount: dict[str, Any] = {"name": f"vol-{volume.name}", "mountPath": volume.path}
    if volume.readOnly or volume.configMap is not None:
        mount["readOnly"] = True
    return mount


def content_hash(data: dict[str, str]) -> str:
    """A stable hash of ConfigMap data, for the pod template annotation."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def probe_spec(probe: Probe) -> dict[str, Any]:
    """A Kubernetes probe from the spec's one check and its timings."""
    out: dict[str, Any] = {}
    if probe.http is not None:
        http: dict[str, Any] = {"path": probe.http.path, "port": probe.http.port}
        if probe.http.scheme != "HTTP":
            http["scheme"] = probe.http.scheme
        if probe.http.headers:
            http["httpHeaders"] = [{"name": k, "value": v} for k, v in probe.http.headers.items()]
        out["httpGet"] = http
    elif probe.tcp is not None:
        out["tcpSocket"] = {"port": probe.tcp.port}
    elif probe.grpc is not None:
        grpc: dict[str, Any] = {"port": probe.grpc.port}
        if probe.grpc.service is not None:
            grpc["service"] = probe.grpc.service
        out["grpc"] = grpc
    elif probe.exec is not None:
        out["exec"] = {"command": list(probe.exec.command)}
    for timing in ("initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold"):
        value = getattr(probe, timing)
        if value is not None:
            out[timing] = value
    return out


def pod_security(workload: Workload) -> dict[str, Any]:
    """Pod-level security context."""
    security = workload.security
    context: dict[str, Any] = {}
    if security.profile == "restricted":
        context["runAsNonRoot"] = True
        context["runAsUser"] = security.runAsUser
        context["runAsGroup"] = security.runAsUser
    context["fsGroup"] = security.runAsUser
    context["seccompProfile"] = {"type": "RuntimeDefault"}
    return context


def container_security(workload: Workload) -> dict[str, Any]:
    """Container-level security context: no escalation, no capabilities."""
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": workload.security.readOnlyRootFilesystem,
        "capabilities": {"drop": ["ALL"]},
    }


def volumes(service: Deployed) -> list[dict[str, Any]]:
    """A writable /tmp, the ConfigMap of config files, secret files, and the spec's volumes."""
    out: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {}}]
    if service.workload.configFiles:
        out.append({"name": "config", "configMap": {"name": f"{service.name}-config"}})
    if service.webhooks is not None:
        out.append({"name": "webhooks", "configMap": {"name": f"{service.name}-webhooks"}})
    keys: dict[str, set[str]] = {}
    for _, secret, key in service.secret_files:
        keys.setdefault(secret, set()).add(key)
    for index, (secret, used) in enumerate(sorted(keys.items())):
        items = [{"key": key, "path": key} for key in sorted(used)]
        # Volume names are DNS labels (63 characters): numbered, not named after the secret.
        volume = {"name": f"secret-{index}", "secret": {"secretName": secret, "items": items}}
        out.append(volume)
    out += [_volume(service, volume) for volume in service.workload.volumes]
    return out


def _volume(service: Deployed, volume: Volume) -> dict[str, Any]:
    """One of the spec's `volumes`, prefixed so it never meets a built-in volume's name."""
    out: dict[str, Any] = {"name": f"vol-{volume.name}"}
    if volume.emptyDir is not None:
        empty: dict[str, Any] = {}
        if volume.emptyDir.memory:
            empty["medium"] = "Memory"
        if volume.emptyDir.sizeLimit is not None:
            empty["sizeLimit"] = str(volume.emptyDir.sizeLimit)
        out["emptyDir"] = empty
    elif volume.claim is not None:
        claim = volume.claim.claimName or claim_name(service.name, volume.name)
        out["persistentVolumeClaim"] = {"claimName": claim}
        if volume.readOnly:
            out["persistentVolumeClaim"]["readOnly"] = True
    elif volume.configMap is not None:
        source: dict[str, Any] = {"name": volume.configMap.name}
        if volume.configMap.items:
            source["items"] = [{"key": k, "path": p} for k, p in volume.configMap.items.items()]
        if volume.configMap.optional:
            source["optional"] = True
        out["configMap"] = source
    return out


def claim_name(service: str, volume: str) -> str:
    """The name of a claim the platform renders for a service's volume."""
    return f"{service}-{volume}"


def volume_mounts(service: Deployed) -> list[dict[str, Any]]:
    """/tmp, and each config file at its path (read-only)."""
    mounts: list[dict[str, Any]] = [{"name": "tmp", "mountPath": "/tmp"}]
    mounts += [
        {"name": "config", "mountPath": f.path, "subPath": config_key(f.path), "readOnly": True}
        for f in sorted(service.workload.configFiles, key=lambda f: f.path)
    ]
    if service.webhooks is not None:
        mounts.append(
            {
                "name": "webhooks",
                "mountPath": CONFIG_PATH,
                "subPath": WEBHOOKS_KEY,
                "readOnly": True,
            }
        )
    volume = {
        secret: f"secret-{i}"
        for i, secret in enumerate(sorted({s for _, s, _ in service.secret_files}))
    }
    mounts += [
        {"name": volume[secret], "mountPath": path, "subPath": key, "readOnly": True}
        for path, secret, key in service.secret_files
    ]
    mounts += [_mount(v) for v in service.workload.volumes]
    return mounts
