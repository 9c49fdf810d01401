"""A service's workload objects: identity, config, the Deployment, CronJob or Job, scaling."""

from __future__ import annotations

from typing import Any

from generators.emit import json_document
from generators.model.naming import config_key
from generators.spec.service import Workload
from generators.targets.base import metadata, selector_labels
from generators.targets.context import Deployed, EnvContext
from generators.targets.kubernetes import rollouts
from generators.targets.kubernetes.pods import WEBHOOKS_KEY, claim_name, pod_template


def service_account(context: EnvContext, service: Deployed) -> dict[str, Any]:
    """The pods' identity; its token is mounted only when the spec asks."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata(service, context.name),
        "automountServiceAccountToken": service.workload.serviceAccountToken,
    }


def config_map(context: EnvContext, service: Deployed) -> dict[str, Any] | None:
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


def claims(context: EnvContext, service: Deployed) -> list[dict[str, Any]]:
    """A PersistentVolumeClaim for each volume whose claim the service owns (`size`).

    Argo CD never prunes one (`Prune=false`): removing the volume from the spec leaves
    the claim and its data until someone deletes it on purpose.
    """
    out = []
    for volume in service.workload.volumes:
        claim = volume.claim
        if claim is None or claim.size is None:
            continue
        spec: dict[str, Any] = {
            "accessModes": [claim.accessMode],
            "resources": {"requests": {"storage": str(claim.size)}},
        }
        if claim.storageClass is not None:
            spec["storageClassName"] = claim.storageClass
        out.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": metadata(
                    service,
                    context.name,
                    claim_name(service.name, volume.name),
                    annotations={"argocd.argoproj.io/sync-options": "Prune=false"},
                ),
                "spec": spec,
            }
        )
    return out


def webhooks_config(context: EnvContext, service: Deployed) -> dict[str, Any] | None:
    """The webhook settings the service reads (no secret values: env var names only)."""
    if service.webhooks is None:
        return None
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(service, context.name, f"{service.name}-webhooks"),
        "data": {WEBHOOKS_KEY: json_document(service.webhooks)},
    }


def deployment(
    context: EnvContext, service: Deployed, config: dict[str, Any] | None
) -> dict[str, Any]:
    """A Deployment; without `replicas` when an autoscaler owns the count."""
    spec: dict[str, Any] = {}
    scaling = service.workload.scaling
    if scaling is None or scaling.min is None:  # no autoscaler owns the count
        spec["replicas"] = replicas(context, service.workload)
    spec["revisionHistoryLimit"] = 5
    if (update := rollouts.strategy(service.workload.delivery)) is not None:
        spec["strategy"] = update
    spec["selector"] = {"matchLabels": selector_labels(service)}
    spec["template"] = pod_template(context, service, config, restart=None)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(service, context.name),
        "spec": spec,
    }


def cron_job(
    context: EnvContext, service: Deployed, config: dict[str, Any] | None
) -> dict[str, Any]:
    """A CronJob on the spec's schedule, in UTC; runs never overlap."""
    template = pod_template(context, service, config, restart="OnFailure")
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": metadata(service, context.name),
        "spec": {
            "schedule": service.workload.schedule,
            "timeZone": "Etc/UTC",
            **({"suspend": True} if service.lifecycle == "retired" else {}),  # no more runs
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {"spec": {"backoffLimit": 3, "template": template}},
        },
    }


def job(context: EnvContext, service: Deployed, config: dict[str, Any] | None) -> dict[str, Any]:
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
            "template": pod_template(context, service, config, restart="Never"),
        },
    }


def autoscaler(context: EnvContext, service: Deployed) -> dict[str, Any] | None:
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
            "scaleTargetRef": (
                {"apiVersion": rollouts.API_VERSION, "kind": "Rollout", "name": service.name}
                if service.workload.delivery.rollout
                else {"apiVersion": "apps/v1", "kind": "Deployment", "name": service.name}
            ),
            "minReplicas": scaling.min,
            "maxReplicas": scaling.max,
            "metrics": metrics,
        },
    }


def disruption_budget(context: EnvContext, service: Deployed) -> dict[str, Any] | None:
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


def replicas(context: EnvContext, workload: Workload) -> int:
    """The fixed replica count: the spec's, else the environment's default."""
    scaling = workload.scaling
    if scaling is not None and scaling.replicas is not None:
        return scaling.replicas
    return context.spec.defaults.replicas
