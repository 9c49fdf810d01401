"""What a diff means for the cluster, put first: exposure, secrets, permissions, routing, cost.

Each finding is read off the object changes (generators/diff/objects.py), so it names exactly
the objects behind it. Requests are the change in requested CPU and memory per
environment; the cost in money is generators/diff/costs.py's, from both sides' specs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from generators.diff.objects import Key, ObjectChange, TreeDiff
from generators.model.naming import tag_version
from generators.spec.quantity import parse_quantity
from generators.targets.kubernetes.resources import RESOURCE_CLASS_LABEL, RESOURCE_LABEL

_WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Rollout")
#: A version the platform can compare: major.minor.patch, with an optional suffix.
_PERMISSIONS = (
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "AppProject",
    "NetworkPolicy",
    "ServiceAccount",
)
_SECRET_FIELDS = ("secretKeyRef", "secretName", "secretRef")


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer must see."""

    environment: str
    category: str  # exposure | maintenance | resources | removed | secrets | ...
    text: str


@dataclass(frozen=True)
class Requests:
    """Requested CPU (cores) and memory (bytes) of an environment's running workloads."""

    cpu: Decimal = Decimal(0)
    memory: Decimal = Decimal(0)


CATEGORIES = {
    "exposure": "Newly exposed to the internet",
    "maintenance": "Maintenance services taking more than a fix",
    "resources": "Managed resources (databases, buckets)",
    "removed": "Removed services",
    "secrets": "Secret references",
    "permissions": "Permissions and network access",
    "routing": "Alert routing",
}


def findings(
    diff: TreeDiff, before: AbstractSet[tuple[str, str]], after: AbstractSet[tuple[str, str]]
) -> list[Finding]:
    """Every finding, in category order, then by environment and object.

    ``before`` and ``after`` are the (environment, app) directories of each side: a
    service whose directory vanished is a removed service, and the objects that left
    with it are not findings of their own.
    """
    gone = {(env, app) for env, app in before - after if not app.startswith("_")}
    arrived = after - before
    found = [
        f
        for change in diff.changes
        # A claim outlives its service (Argo CD never prunes it): always a finding.
        if (change.key.environment, change.key.app) not in gone or _is_claim(change)
        for f in _of(change, new_app=(change.key.environment, change.key.app) in arrived)
    ]
    found += [Finding(env, "removed", f"{app} leaves {env}") for env, app in sorted(gone)]
    order = list(CATEGORIES)
    return sorted(set(found), key=lambda f: (order.index(f.category), f.environment, f.text))


def _of(change: ObjectChange, *, new_app: bool) -> Iterator[Finding]:
    key, env = change.key, change.key.environment
    if _is_claim(change):
        yield Finding(env, "resources", _claim_text(change))
    if key.kind in ("Ingress", "HTTPRoute"):
        before, after = _hosts(change.old), _hosts(change.new)
        new_hosts = sorted(after - before)
        if new_hosts:
            yield Finding(
                env, "exposure", f"{key.app} is public at {', '.join(new_hosts)} ({key.title()})"
            )
    exposed = _type(change.new) in ("LoadBalancer", "NodePort")
    if key.kind == "Service" and exposed and _type(change.old) != _type(change.new):
        yield Finding(env, "exposure", f"{key.title()} is now of type {_type(change.new)}")
    if key.kind in ("SealedSecret", "ExternalSecret", "SecretStore", "ClusterSecretStore"):
        yield Finding(env, "secrets", f"{key.title()} {change.status}{_keys(change)}")
    if key.kind in _WORKLOADS and change.status == "changed":
        yield from _maintenance(change)
        paths = [f.path for f in change.fields if any(s in f.path for s in _SECRET_FIELDS)]
        if paths:
            yield Finding(env, "secrets", f"{key.title()} reads other secrets ({paths[0]})")
        security = [f.path for f in change.fields if "securityContext" in f.path]
        if security:
            yield Finding(env, "permissions", f"{key.title()}: {security[0]} changed")
    # A new service's own account and network policy come with it; its RBAC grants and
    # any change to an existing service's are worth a look.
    routine = new_app and key.kind in ("ServiceAccount", "NetworkPolicy")
    if key.kind in _PERMISSIONS and not routine:
        yield Finding(env, "permissions", f"{key.title()} {change.status}")
    if key.kind == "Secret" and "alertmanager.yaml" in _data_keys(change):
        yield Finding(
            env, "routing", f"Alertmanager configuration {change.status}{_routes(change)}"
        )
    if key.kind == "File" and key.app == "_silences":
        yield Finding(env, "routing", f"silences {change.status}")


def _maintenance(change: ObjectChange) -> Iterator[Finding]:
    """A service in maintenance takes patch-level image bumps only: anything else is flagged."""
    labels = ((change.new or {}).get("metadata") or {}).get("labels") or {}
    if labels.get("platform/lifecycle") != "maintenance":
        return
    for field in change.fields:
        if not field.path.endswith(".image") or not isinstance(field.new, str):
            continue
        old, new = _tag(str(field.old)), _tag(field.new)
        was, now = tag_version(old), tag_version(new)
        if was and now and was[:2] == now[:2]:
            continue  # the same major and minor: a patch
        what = "not a patch-level bump" if was and now else "not a version the platform can compare"
        yield Finding(
            change.key.environment,
            "maintenance",
            f"{change.key.app}: {old} → {new} is {what}; a service in maintenance takes "
            "fixes only (move it back to production for more)",
        )


def _tag(image: str) -> str:
    """An image reference's tag or digest."""
    name, _, digest = image.partition("@")
    return digest or (name.rsplit(":", 1)[-1] if ":" in name.rsplit("/", 1)[-1] else "latest")


def _is_claim(change: ObjectChange) -> bool:
    """Whether the object is a typed dependency's managed instance (a Crossplane claim)."""
    return any(
        RESOURCE_LABEL in ((obj or {}).get("metadata") or {}).get("labels", {})
        for obj in (change.old, change.new)
    )


def _claim_text(change: ObjectChange) -> str:
    labels = ((change.new or change.old or {}).get("metadata") or {}).get("labels", {})
    what = f"a managed {labels.get(RESOURCE_LABEL)} ({labels.get(RESOURCE_CLASS_LABEL)})"
    title = change.key.title()
    if change.status == "added":
        return f"{change.key.app} gets {what}: {title} is created"
    if change.status == "removed":
        return (
            f"{title} is no longer rendered; Argo CD keeps it and its data (Prune=false): "
            "delete it by hand if it should go"
        )
    fields = ", ".join(f.path for f in change.fields[:3])
    return f"{title} changes ({fields}): the provider may modify or replace the instance"


def _keys(change: ObjectChange) -> str:
    if change.status != "changed":
        return ""
    keys = sorted(
        {f.path.split(".")[2] for f in change.fields if f.path.startswith("spec.encryptedData.")}
    )
    return f" (re-sealed: {', '.join(keys)})" if keys else ""


def _hosts(obj: Mapping[str, Any] | None) -> set[str]:
    if obj is None:
        return set()
    spec = obj.get("spec") or {}
    if obj.get("kind") == "HTTPRoute":
        return set(spec.get("hostnames") or [])
    return {rule["host"] for rule in spec.get("rules") or [] if "host" in rule}


def _type(obj: Mapping[str, Any] | None) -> str:
    return str((obj or {}).get("spec", {}).get("type", "ClusterIP"))


def _data_keys(change: ObjectChange) -> set[str]:
    keys: set[str] = set()
    for obj in (change.old, change.new):
        if obj is not None:
            keys |= set(obj.get("stringData") or {}) | set(obj.get("data") or {})
    return keys


def _routes(change: ObjectChange) -> str:
    """Which receivers appear, vanish or change, read from the two configurations."""
    before, after = _receivers(change.old), _receivers(change.new)
    parts = []
    if added := sorted(after.keys() - before.keys()):
        parts.append("receivers added: " + ", ".join(added))
    if removed := sorted(before.keys() - after.keys()):
        parts.append("receivers removed: " + ", ".join(removed))
    if changed := sorted(k for k in before.keys() & after.keys() if before[k] != after[k]):
        parts.append("receivers changed: " + ", ".join(changed))
    return f" ({'; '.join(parts)})" if parts else ""


def _receivers(obj: Mapping[str, Any] | None) -> dict[str, Any]:
    if obj is None:
        return {}
    text = (obj.get("stringData") or {}).get("alertmanager.yaml")
    try:
        config = yaml.safe_load(text) if isinstance(text, str) else None
    except yaml.YAMLError:
        return {}
    if not isinstance(config, dict):
        return {}
    receivers = config.get("receivers") or []
    return {str(r.get("name")): r for r in receivers if isinstance(r, dict)}


def requests(objects: Mapping[Key, Mapping[str, Any]]) -> dict[str, Requests]:
    """Per environment, what its Deployments, StatefulSets and Rollouts request at their floor.

    The floor is the HorizontalPodAutoscaler's `minReplicas` where one scales the
    workload, else `replicas`. Jobs and CronJobs run now and then and are left out.
    """
    floors = {
        (k.environment, k.namespace, obj["spec"]["scaleTargetRef"]["name"]): obj["spec"].get(
            "minReplicas", 1
        )
        for k, obj in objects.items()
        if k.kind == "HorizontalPodAutoscaler"
    }
    totals: dict[str, Requests] = {}
    for key, obj in objects.items():
        if key.kind not in ("Deployment", "StatefulSet", "Rollout"):
            continue
        spec = obj.get("spec") or {}
        replicas = floors.get((key.environment, key.namespace, key.name), spec.get("replicas", 1))
        cpu, memory = Decimal(0), Decimal(0)
        for container in (spec.get("template") or {}).get("spec", {}).get("containers") or []:
            asked = (container.get("resources") or {}).get("requests") or {}
            cpu += _quantity(asked.get("cpu"))
            memory += _quantity(asked.get("memory"))
        now = totals.get(key.environment, Requests())
        totals[key.environment] = Requests(now.cpu + cpu * replicas, now.memory + memory * replicas)
    return totals


def _quantity(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    try:
        return parse_quantity(value)
    except ValueError:
        return Decimal(0)
