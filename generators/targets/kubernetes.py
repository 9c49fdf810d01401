"""Kubernetes objects: per service, its workload, networking, scaling and policy.

Per service and environment, in ``<env>/<service>/manifests.yaml``: ServiceAccount,
ConfigMap (config files), Deployment or CronJob or Job, Service, Ingress or HTTPRoute,
HPA, PDB and NetworkPolicy. Per environment, in ``<env>/_namespaces/``: the Namespaces.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from generators.context import Deployed, EnvContext
from generators.naming import config_key, public_host
from generators.resolve import effective_resources
from generators.spec.service import Probe, Workload
from generators.targets.base import (
    LABEL_PREFIX,
    MANAGED_BY,
    Output,
    app_path,
    exposed_port,
    metadata,
    selector_labels,
)
from generators.targets.integration_objects import WEBHOOKS_KEY, IntegrationObjects
from generators.webhooks import CONFIG_ENV, CONFIG_PATH

#: Directory of environment-wide objects; service names cannot start with "_".
NAMESPACES_APP = "_namespaces"
# https://kubernetes.io/docs/concepts/security/pod-security-admission/
POD_SECURITY_LABEL = "pod-security.kubernetes.io/enforce"
CONFIG_CHECKSUM = "checksum/config"
SECRETS_CHECKSUM = "checksum/secrets"
LOG_RETENTION_LABEL = "platform/log-retention"
LOG_FORMAT_ANNOTATION = "platform/log-format"
FLUENT_BIT_PARSER = "fluentbit.io/parser"


class KubernetesTarget(IntegrationObjects):
    """Renders the Kubernetes objects of one environment."""

    name = "kubernetes"

    def render(self, context: EnvContext) -> Iterator[Output]:
        """Every object of the environment: namespaces first, then each service's."""
        yield from self.namespaces(context)
        for service in context.services:
            yield from self.service_objects(context, service)

    def namespaces(self, context: EnvContext) -> Iterator[Output]:
        """A Namespace per team, enforcing the strictest profile its pods meet."""
        profiles: dict[str, set[str]] = {}
        for service in context.services:
            profiles.setdefault(service.namespace, set()).add(service.workload.security.profile)
        for space, used in sorted(profiles.items()):
            level = "baseline" if "baseline" in used else "restricted"
            obj = {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": space,
                    "labels": {
                        "app.kubernetes.io/managed-by": MANAGED_BY,
                        "platform/environment": context.name,
                        POD_SECURITY_LABEL: level,
                        f"{POD_SECURITY_LABEL}-version": "latest",
                    },
                },
            }
            yield app_path(context.name, NAMESPACES_APP), obj

    def service_objects(self, context: EnvContext, service: Deployed) -> Iterator[Output]:
        """Every object of one service, in ``<env>/<service>/manifests.yaml``."""
        workload = service.workload
        config = self.config_map(context, service)
        hooks = self.webhooks_config(context, service)
        objects = [self.service_account(context, service), config, hooks]
        if hooks is not None:  # the webhook settings roll the pods like config files do
            config = {"data": {**(config or {}).get("data", {}), **hooks["data"]}}
        if workload.type == "cron":
            objects.append(self.cron_job(context, service, config))
        elif workload.type == "job":
            objects.append(self.job(context, service, config))
        else:
            objects.append(self.deployment(context, service, config))
        if workload.type == "web":
            objects.append(self.service(context, service))
            if workload.expose.visibility == "public":
                objects.append(
                    self.http_route(context, service)
                    if context.spec.routing.kind == "gateway"
                    else self.ingress(context, service)
                )
            if workload.webhooks.incoming and workload.expose.hosts:
                objects.append(
                    self.webhook_http_route(context, service)
                    if context.spec.routing.kind == "gateway"
                    else self.webhook_ingress(context, service)
                )
        if workload.type in ("web", "worker"):
            objects += [self.autoscaler(context, service), self.disruption_budget(context, service)]
        objects.append(self.network_policy(context, service))
        objects.append(self.egress_policy(context, service))
        for obj in objects:
            if obj is not None:
                yield app_path(context.name, service.name), obj

    def service_account(self, context: EnvContext, service: Deployed) -> dict[str, Any]:
        """The pods' identity; its token is mounted only when the spec asks."""
        return {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": metadata(service, context.name),
            "automountServiceAccountToken": service.workload.serviceAccountToken,
        }

    def config_map(self, context: EnvContext, service: Deployed) -> dict[str, Any] | None:
        """The config files, one key per file."""
        files = service.workload.configFiles
        if not files:
            return None
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": metadata(service, context.name, f"{service.name}-config"),
            "data": {config_key(f.path): f.content for f in sorted(files, key=lambda f: f.path)},
        }

    def deployment(
        self, context: EnvContext, service: Deployed, config: dict[str, Any] | None
    ) -> dict[str, Any]:
        """A Deployment; without `replicas` when an autoscaler owns the count."""
        spec: dict[str, Any] = {}
        scaling = service.workload.scaling
        if scaling is None or scaling.min is None:  # no autoscaler owns the count
            spec["replicas"] = replicas(context, service.workload)
        spec["revisionHistoryLimit"] = 5
        spec["selector"] = {"matchLabels": selector_labels(service)}
        spec["template"] = self.pod_template(context, service, config, restart=None)
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": metadata(service, context.name),
            "spec": spec,
        }

    def cron_job(
        self, context: EnvContext, service: Deployed, config: dict[str, Any] | None
    ) -> dict[str, Any]:
        """A CronJob on the spec's schedule, in UTC; runs never overlap."""
        template = self.pod_template(context, service, config, restart="OnFailure")
        return {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": metadata(service, context.name),
            "spec": {
                "schedule": service.workload.schedule,
                "timeZone": "Etc/UTC",
                "concurrencyPolicy": "Forbid",
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 3,
                "jobTemplate": {"spec": {"backoffLimit": 3, "template": template}},
            },
        }

    def job(
        self, context: EnvContext, service: Deployed, config: dict[str, Any] | None
    ) -> dict[str, Any]:
        """A one-off Job; Argo CD replaces it when its spec changes (Jobs are immutable)."""
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": metadata(
                service,
                context.name,
                annotations={"argocd.argoproj.io/sync-options": "Replace=true"},
            ),
            "spec": {
                "backoffLimit": 3,
                "template": self.pod_template(context, service, config, restart="Never"),
            },
        }

    def pod_template(
        self,
        context: EnvContext,
        service: Deployed,
        config: dict[str, Any] | None,
        restart: str | None,
    ) -> dict[str, Any]:
        """Pods that meet the restricted Pod Security Standard unless the spec lowers it."""
        workload = service.workload
        # Not the lifecycle label: moving a service to maintenance must not restart it.
        labels = metadata(service, context.name)["labels"]
        meta: dict[str, Any] = {
            "labels": {k: v for k, v in labels.items() if k != f"{LABEL_PREFIX}/lifecycle"}
        }
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
        if annotations:
            meta["annotations"] = annotations
        spec: dict[str, Any] = {
            "serviceAccountName": service.name,
            "automountServiceAccountToken": workload.serviceAccountToken,
            "securityContext": pod_security(workload),
            "containers": [self.container(service)],
            "volumes": volumes(service),
        }
        if restart is not None:
            spec["restartPolicy"] = restart
        return {"metadata": meta, "spec": spec}

    def container(self, service: Deployed) -> dict[str, Any]:
        """The one container: image, command, ports, env, resources, probes, mounts."""
        workload = service.workload
        requests, limits = effective_resources(workload.resources)
        container: dict[str, Any] = {"name": service.name, "image": service.image}
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
        if env:
            container["env"] = [entry for _, entry in sorted(env, key=lambda e: e[0])]
        container["resources"] = {"requests": requests, "limits": limits}
        for stage in ("startup", "liveness", "readiness"):
            probe = getattr(workload.probes, stage)
            if probe is not None:
                container[f"{stage}Probe"] = probe_spec(probe)
        container["securityContext"] = container_security(workload)
        container["volumeMounts"] = volume_mounts(service)
        return container

    def service(self, context: EnvContext, service: Deployed) -> dict[str, Any]:
        """A ClusterIP Service with every declared port."""
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": metadata(service, context.name),
            "spec": {
                "type": "ClusterIP",
                "selector": selector_labels(service),
                "ports": [
                    {"name": p.name, "port": p.port, "targetPort": p.name, "protocol": p.protocol}
                    for p in service.workload.ports
                ],
            },
        }

    def ingress(self, context: EnvContext, service: Deployed) -> dict[str, Any]:
        """A networking.k8s.io/v1 Ingress; cert-manager issues its TLS certificate."""
        expose = service.workload.expose
        routing = context.spec.routing
        hosts = [public_host(h, context.spec.baseDomain) for h in expose.hosts]
        backend = {"service": {"name": service.name, "port": {"name": exposed_port(service)}}}
        spec: dict[str, Any] = {"ingressClassName": routing.ingressClass}
        annotations = {}
        if expose.tls:
            annotations["cert-manager.io/cluster-issuer"] = routing.clusterIssuer
            spec["tls"] = [{"hosts": hosts, "secretName": f"{service.name}-tls"}]
        spec["rules"] = [
            {
                "host": host,
                "http": {
                    "paths": [
                        {"path": path, "pathType": "Prefix", "backend": backend}
                        for path in expose.paths
                    ]
                },
            }
            for host in hosts
        ]
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": metadata(service, context.name, annotations=annotations),
            "spec": spec,
        }

    def http_route(self, context: EnvContext, service: Deployed) -> dict[str, Any]:
        """A Gateway API HTTPRoute attached to the environment's Gateway."""
        expose = service.workload.expose
        gateway = context.spec.routing.gateway
        assert gateway is not None  # checked by validate (PL506)
        port = next(p.port for p in service.workload.ports if p.name == exposed_port(service))
        return {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": metadata(service, context.name),
            "spec": {
                "parentRefs": [{"name": gateway.name, "namespace": gateway.namespace}],
                "hostnames": [public_host(h, context.spec.baseDomain) for h in expose.hosts],
                "rules": [
                    {
                        "matches": [
                            {"path": {"type": "PathPrefix", "value": path}} for path in expose.paths
                        ],
                        "backendRefs": [{"name": service.name, "port": port}],
                    }
                ],
            },
        }

    def autoscaler(self, context: EnvContext, service: Deployed) -> dict[str, Any] | None:
        """An autoscaling/v2 HPA on CPU and/or memory utilisation."""
        scaling = service.workload.scaling
        if scaling is None or scaling.min is None or scaling.max is None:
            return None
        metrics = [
            {
                "type": "Resource",
                "resource": {
                    "name": resource,
                    "target": {"type": "Utilization", "averageUtilization": target},
                },
            }
            for resource, target in (("cpu", scaling.targetCPU), ("memory", scaling.targetMemory))
            if target is not None
        ]
        return {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": metadata(service, context.name),
            "spec": {
                "scaleTargetRef": {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": service.name,
                },
                "minReplicas": scaling.min,
                "maxReplicas": scaling.max,
                "metrics": metrics,
            },
        }

    def disruption_budget(self, context: EnvContext, service: Deployed) -> dict[str, Any] | None:
        """A PodDisruptionBudget when two or more replicas run: one may go at a time."""
        scaling = service.workload.scaling
        fewest = scaling.min if scaling and scaling.min is not None else None
        if fewest is None:
            fewest = replicas(context, service.workload)
        if fewest < 2:
            return None
        return {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": metadata(service, context.name),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector_labels(service)}},
        }

    def network_policy(self, context: EnvContext, service: Deployed) -> dict[str, Any]:
        """Deny all traffic in, except from declared dependents, on the service's ports.

        A public service also admits the ingress controller's (or gateway's) namespace.
        """
        ports = [{"protocol": p.protocol, "port": p.port} for p in service.workload.ports]
        peers: list[dict[str, Any]] = [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": space}},
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": name}},
            }
            for name, space in service.dependents
        ]
        workload = service.workload
        if workload.expose.visibility == "public" or workload.webhooks.incoming:
            controller = context.spec.routing.controllerNamespace
            peers.append(
                {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": controller}}}
            )
        rules = [{"from": peers, "ports": ports}] if peers and ports else []
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata(service, context.name),
            "spec": {
                "podSelector": {"matchLabels": selector_labels(service)},
                "policyTypes": ["Ingress"],
                "ingress": rules,
            },
        }


def replicas(context: EnvContext, workload: Workload) -> int:
    """The fixed replica count: the spec's, else the environment's default."""
    scaling = workload.scaling
    if scaling is not None and scaling.replicas is not None:
        return scaling.replicas
    return context.spec.defaults.replicas


def content_hash(data: dict[str, str]) -> str:
    """A stable hash of ConfigMap data, for the pod template annotation."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def probe_spec(probe: Probe) -> dict[str, Any]:
    """A Kubernetes probe from the spec's one check and its timings."""
    out: dict[str, Any] = {}
    if probe.http is not None:
        out["httpGet"] = {"path": probe.http.path, "port": probe.http.port}
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
    """A writable /tmp, and the ConfigMap when there are config files."""
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
    return out


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
    return mounts
