"""One workload and its objects to one Service spec: metadata, type, pod, ports, security."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from generators.errors import UsageError
from generators.ops.importer import container, network, patching, volumes
from generators.ops.importer.baseline import rendered
from generators.ops.importer.container import DNS_LABEL, IMAGE, escape, text
from generators.ops.importer.manifests import Group, Manifest, template
from generators.ops.importer.order import ordered
from generators.ops.importer.report import ServiceReport, Trail

#: A service name: a DNS-1035 label, short enough for the names derived from it.
SERVICE_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
MAX_NAME = 55
#: Labels the platform sets on every object itself.
PLATFORM_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
)
RESERVED_LABELS = ("app.kubernetes.io/", "platform/")
RESERVED_ANNOTATIONS = ("checksum/", "platform/", "fluentbit.io/parser")
#: Metadata the API server writes.
SERVER_METADATA = (
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "ownerReferences",
    "finalizers",
)
SERVER_ANNOTATIONS = (
    "deployment.kubernetes.io/revision",
    "kubectl.kubernetes.io/last-applied-configuration",
)
#: Pod labels a Job controller writes.
JOB_LABELS = ("controller-uid", "job-name", "batch.kubernetes.io/")
STATEFULSET_ONLY = (
    "serviceName",
    "podManagementPolicy",
    "updateStrategy",
    "persistentVolumeClaimRetentionPolicy",
    "ordinals",
)
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"
TYPES = {"CronJob": "cron", "Job": "job"}


@dataclass
class Imported:
    """One service spec made from a workload, with what the report says about it."""

    name: str
    namespace: str
    document: dict[str, Any]
    report: ServiceReport
    #: The names other workloads reach this one by (its Service's), when it is `web`.
    hosts: tuple[str, ...] = ()
    #: Literal values of its env vars, commands and arguments: (where, value).
    values: list[tuple[str, str]] = field(default_factory=list)
    trail: Trail = field(default_factory=Trail)


def map_group(group: Group, team: str | None, lifecycle: str) -> Imported:
    """The Service spec of one workload and the objects that go with it.

    Raises:
        UsageError: when the workload's name cannot be a service name, no team is known,
            or it has no container with an image.
    """
    w = group.workload
    obj, name, trail = w.label, w.name, Trail()
    if not SERVICE_NAME.match(name) or len(name) > MAX_NAME:
        raise UsageError(
            message=f"{w.where}: {obj}: {name!r} cannot be a service name",
            hint=f"service names are DNS-1035 labels of at most {MAX_NAME} characters "
            "(lowercase letters, digits and '-', starting with a letter): rename the workload",
        )
    body = copy.deepcopy(w.body)
    meta = body.get("metadata") or {}
    labels = {str(k): text(v) for k, v in (meta.get("labels") or {}).items()}
    owner = team or labels.get("app.kubernetes.io/part-of")
    if not owner:
        raise UsageError(
            message=f"{w.where}: {obj} names no owning team",
            hint="pass --team TEAM (or label the workload app.kubernetes.io/part-of: TEAM)",
        )
    trail.went(obj, "metadata.name", "metadata.name")
    trail.went(obj, "metadata.namespace", f"the team's namespace (was {w.namespace})")
    own_labels = {k: v for k, v in labels.items() if not k.startswith(RESERVED_LABELS)}
    for key in sorted(set(labels) - set(own_labels)):
        trail.went(obj, f"metadata.labels.{key}", "dropped: the platform sets its own")
    for key in own_labels:
        trail.went(obj, f"metadata.labels.{key}", "metadata.labels")
    annotations = {
        str(k): text(v)
        for k, v in (meta.get("annotations") or {}).items()
        if k not in SERVER_ANNOTATIONS
    }
    for key in annotations:
        trail.went(obj, f"metadata.annotations.{key}", "metadata.annotations")
    server = [k for k in SERVER_METADATA if k in meta]
    server += sorted(k for k in meta.get("annotations") or {} if k in SERVER_ANNOTATIONS)
    if server:
        trail.went(obj, f"metadata: {', '.join(server)}", "dropped: the cluster sets them")
    body.pop("status", None)
    spec: dict[str, Any] = {"type": TYPES.get(w.kind, "web" if group.service else "worker")}
    outer = body.get("spec") or {}
    if w.kind == "CronJob":
        spec["schedule"] = text(outer.pop("schedule", ""))
        trail.went(obj, "spec.schedule", "spec.schedule")
        if outer.get("timeZone") in ("UTC", "Etc/UTC"):
            del outer["timeZone"]
            trail.went(obj, "spec.timeZone", "rendered as Etc/UTC")
    tmpl = template(Manifest(w.kind, name, w.namespace, w.file, w.line, body))
    pod = tmpl.get("spec") or {}
    containers = [c for c in pod.get("containers") or () if isinstance(c, dict)]
    if not containers:
        raise UsageError(message=f"{w.where}: {obj} has no containers")
    wanted = ((tmpl.get("metadata") or {}).get("annotations") or {}).get(DEFAULT_CONTAINER, name)
    main = next((c for c in containers if c.get("name") == wanted), containers[0])
    others = [c for c in containers if c is not main]
    image = main.get("image")
    if not isinstance(image, str) or not IMAGE.match(image):
        raise UsageError(
            message=f"{w.where}: {obj}: container {main.get('name')!r} has no usable image"
        )
    where = f"containers[{main.get('name')}]"
    spec["image"] = image
    del main["image"]
    trail.went(obj, f"{where}.image", "spec.image")
    container.command_and_args(main, spec, trail, obj, where, "spec")
    service = copy.deepcopy(group.service.body) if group.service else None
    service_label = group.service.label if group.service else ""
    if group.service is not None:
        network.service_name_note(group.service, name, trail)
    ports = network.ports(main, service, service_label, trail, obj)
    if ports:
        spec["ports"] = ports
    elif service is not None:
        trail.note(f"{service_label} offers no port of the container: imported as a worker")
        spec["type"], service = "worker", None
    literal = container.env(main, group.config_maps, trail, obj, where, "spec.env")
    if literal:
        spec["env"] = {k: escape(v) for k, v in literal.items()}
    amounts = container.resources(main)
    if amounts:
        spec["resources"] = amounts
        trail.went(obj, f"{where}.resources", "spec.resources")
    replicas = outer.get("replicas")
    if w.kind in ("Deployment", "StatefulSet") and isinstance(replicas, int) and replicas >= 0:
        spec["scaling"] = {"replicas": outer.pop("replicas")}
        trail.went(obj, "spec.replicas", "spec.scaling.replicas")
    if w.kind == "Deployment" and (delivery := _delivery(outer, trail, obj)):
        spec["delivery"] = delivery
    probes = container.probes(main, trail, obj, where)
    if probes:
        spec["probes"] = probes
    if service is not None:
        exposed = network.expose(service, annotations, trail, service_label)
        if exposed:
            spec["expose"] = exposed
    if w.kind == "StatefulSet":
        _statefulset(outer, trail, obj)
    inits = [c for c in pod.get("initContainers") or () if isinstance(c, dict)]
    claims = outer.pop("volumeClaimTemplates", None) or []
    vols = volumes.map_volumes(pod, main, inits, others, group.config_maps, claims, trail, obj)
    if vols.files:
        spec["configFiles"] = vols.files
    spec["serviceAccountToken"] = _token(pod, group.account, name, trail, obj)
    security = _security(pod, main, trail, obj, where)
    if security:
        spec["security"] = security
    if vols.volumes:
        spec["volumes"] = vols.volumes
    init_specs: list[dict[str, Any]] = []
    init_env: dict[str, dict[str, str]] = {}
    unmapped = []
    for init in inits:
        done = container.init_container(
            init, vols.init_volumes.get(str(init.get("name"))), group.config_maps, trail, obj
        )
        if done is None:
            unmapped.append(str(init.get("name")))
            continue
        init_specs.append(done[0])
        init_env[done[0]["name"]] = done[1]
    for init_name in unmapped if init_specs else ():
        trail.note(f"init container {init_name} becomes a patch: it runs after the others now")
    if init_specs:
        spec["initContainers"] = init_specs
    settings = _pod_settings(tmpl, pod, outer, own_labels, w, main, trail)
    if settings:
        spec["pod"] = settings
    if not spec["serviceAccountToken"]:
        del spec["serviceAccountToken"]
    metadata: dict[str, Any] = {"name": name, "team": owner, "lifecycle": lifecycle}
    if own_labels:
        metadata["labels"] = own_labels
    if annotations:
        metadata["annotations"] = annotations
    document = {"apiVersion": "platform/v1", "kind": "Service", "metadata": metadata, "spec": spec}
    base = rendered(document, literal, init_env, w.namespace, obj)
    found = patching.patches(
        name, w.kind, body, service, service_label, group.account, base, trail, obj, main, others
    )
    if found.patches:
        spec["patches"] = found.patches
    document = ordered(document)
    web = group.service is not None and spec["type"] == "web"
    hosts = _hosts(group.service) if web and group.service is not None else ()
    values = [(f"{where}.env.{k}", v) for k, v in literal.items()]
    values += [
        (f"initContainers[{k}].env.{n}", v) for k, e in init_env.items() for n, v in e.items()
    ]
    for at, part in ((where, spec), *((f"initContainers[{i['name']}]", i) for i in init_specs)):
        values += [(f"{at}.{k}", a) for k in ("command", "args") for a in part.get(k) or ()]
    sources = [w.label] + [m.label for m in (group.service, group.account) if m is not None]
    sources += [m.label for m in group.config_maps.values()]
    report = ServiceReport(
        name=name,
        file=f"platform/services/{name}.yaml",
        sources=tuple(sources),
        rows=(),
        patches=tuple(found.notes),
        notes=(),
    )
    return Imported(name, w.namespace, document, report, hosts, values, trail)


def _statefulset(outer: dict[str, Any], trail: Trail, obj: str) -> None:
    trail.note(
        "the StatefulSet becomes a Deployment: pods are no longer ordered or stably named, "
        "and each claim template becomes one claim <service>-<volume> shared by every "
        "replica (its data is not moved from the old claims)"
    )
    for key in STATEFULSET_ONLY:
        if key in outer:
            del outer[key]
            trail.went(obj, f"spec.{key}", "dropped: a Deployment has no such field")


def _token(
    pod: dict[str, Any], account: Manifest | None, name: str, trail: Trail, obj: str
) -> bool:
    asked = pod.pop("automountServiceAccountToken", None)
    named = pod.pop("serviceAccountName", None) or pod.pop("serviceAccount", None)
    pod.pop("serviceAccount", None)
    if named is not None:
        trail.went(obj, "template.spec.serviceAccountName", "the service's own ServiceAccount")
        if named != name:
            trail.note(f"ServiceAccount {named} becomes {name} (named after the service)")
    if asked is not None:
        shown = "template.spec.automountServiceAccountToken"
        trail.went(obj, shown, "spec.serviceAccountToken" if asked is True else "rendered as it is")
    elif account is not None:
        asked = account.body.get("automountServiceAccountToken")
    if asked is True:
        return True
    if asked is None:
        trail.note(
            "the service account token is no longer mounted (nothing asked for it); set "
            "spec.serviceAccountToken: true if the service calls the Kubernetes API"
        )
    return False


def _security(
    pod: dict[str, Any], main: dict[str, Any], trail: Trail, obj: str, where: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    pod_context = pod.get("securityContext") or {}
    own = main.get("securityContext") or {}
    for context, shown in ((pod_context, "template.spec"), (own, where)):
        user = context.get("runAsUser")
        if (
            "runAsUser" not in out
            and isinstance(user, int)
            and not isinstance(user, bool)
            and user >= 1
        ):
            out["runAsUser"] = context.pop("runAsUser")
            trail.went(obj, f"{shown}.securityContext.runAsUser", "spec.security.runAsUser")
    if own.get("readOnlyRootFilesystem") is False:
        out["readOnlyRootFilesystem"] = False
        shown = f"{where}.securityContext.readOnlyRootFilesystem"
        trail.went(obj, shown, "spec.security.readOnlyRootFilesystem")
        del own["readOnlyRootFilesystem"]
    return {k: out[k] for k in ("readOnlyRootFilesystem", "runAsUser") if k in out}


def _delivery(outer: dict[str, Any], trail: Trail, obj: str) -> dict[str, Any] | None:
    """A Deployment's update strategy as `delivery`: recreate, or a rolling pace not the default."""
    update = outer.get("strategy")
    if not isinstance(update, dict) or set(update) - {"type", "rollingUpdate"}:
        return None  # something else: left for a patch
    if update.get("type") == "Recreate" and "rollingUpdate" not in update:
        outer.pop("strategy")
        trail.went(obj, "spec.strategy", "spec.delivery.strategy: recreate")
        return {"strategy": "recreate"}
    pace = update.get("rollingUpdate") or {}
    if update.get("type", "RollingUpdate") != "RollingUpdate" or not isinstance(pace, dict):
        return None
    if set(pace) - {"maxSurge", "maxUnavailable"}:
        return None
    outer.pop("strategy")
    chosen = {k: v for k, v in sorted(pace.items()) if v != "25%"}  # Kubernetes' default
    for key in chosen:
        trail.went(obj, f"spec.strategy.rollingUpdate.{key}", f"spec.delivery.rolling.{key}")
    return {"rolling": chosen} if chosen else None


def _pod_settings(
    tmpl: dict[str, Any],
    pod: dict[str, Any],
    outer: dict[str, Any],
    own_labels: dict[str, str],
    w: Manifest,
    main: dict[str, Any],
    trail: Trail,
) -> dict[str, Any]:
    obj = w.label
    meta = tmpl.get("metadata") or {}
    selector = (outer.pop("selector", None) or {}).get("matchLabels") or {}
    if selector:
        trail.went(obj, "spec.selector", "the platform's (app.kubernetes.io/name)")
    out: dict[str, Any] = {}
    labels = meta.get("labels") or {}
    for key in list(labels):
        value, shown = text(labels[key]), f"template.metadata.labels.{key}"
        if key in selector and own_labels.get(key) == value:
            trail.went(obj, shown, "metadata.labels (the selector is the platform's)")
        elif key in selector:
            trail.went(obj, shown, "dropped: the selector is the platform's")
        elif key in PLATFORM_LABELS:
            trail.went(obj, shown, "dropped: the platform sets its own")
        elif w.kind == "Job" and key.startswith(JOB_LABELS):
            trail.went(obj, shown, "dropped: the Job controller sets it")
        elif own_labels.get(key) == value:
            trail.went(obj, shown, "metadata.labels")
        elif key.startswith(RESERVED_LABELS):
            continue  # a patch
        else:
            out.setdefault("labels", {})[key] = value
            trail.went(obj, shown, "spec.pod.labels")
        del labels[key]
    annotations = meta.get("annotations") or {}
    for key in list(annotations):
        shown = f"template.metadata.annotations.{key}"
        if key.startswith("checksum/"):
            trail.went(obj, shown, "dropped: the platform writes its own checksums")
        elif key.startswith(RESERVED_ANNOTATIONS):
            continue
        else:
            out.setdefault("annotations", {})[key] = text(annotations[key])
            trail.went(obj, shown, "spec.pod.annotations")
        del annotations[key]
    grace = pod.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and not isinstance(grace, bool) and 0 <= grace <= 86400:
        out["terminationGracePeriodSeconds"] = pod.pop("terminationGracePeriodSeconds")
        shown = "template.spec.terminationGracePeriodSeconds"
        trail.went(obj, shown, "spec.pod.terminationGracePeriodSeconds")
    name = main.get("name")
    if name != w.name and isinstance(name, str) and DNS_LABEL.match(name):
        out["containerName"] = name
        trail.went(obj, f"containers[{name}].name", "spec.pod.containerName")
    return out


def _hosts(service: Manifest) -> tuple[str, ...]:
    """The names a Service is called by: bare, and qualified with its namespace."""
    base, space = service.name, service.namespace
    return (base, f"{base}.{space}", f"{base}.{space}.svc", f"{base}.{space}.svc.cluster.local")
