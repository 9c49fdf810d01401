"""Reading Kubernetes manifests for `platform import`, and grouping each workload's objects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generators.errors import UsageError
from generators.ops.importer.report import Skipped

#: Kinds that become a Service spec each.
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "CronJob", "Job")
#: Kinds read as part of a workload: its Service, ServiceAccount and ConfigMaps.
COMPANION_KINDS = ("Service", "ServiceAccount", "ConfigMap")
SUFFIXES = (".yaml", ".yml")

_SECRET_HINT = (
    "write a Secret spec (platform/secrets/<name>.yaml), seal its values with "
    "`platform secrets seal`, and use them as {secret: NAME, key: KEY}"
)
_RBAC_HINT = "RBAC is not part of a Service spec: keep it outside the platform"
#: What to do instead, for kinds the import does not read.
HINTS = {
    "Ingress": "use expose.visibility: public with hosts (and paths)",
    "HTTPRoute": "use expose.visibility: public with hosts (environments with "
    "routing.kind: gateway render HTTPRoutes)",
    "HorizontalPodAutoscaler": "use scaling: {min, max, targetCPU and/or targetMemory}",
    "PodDisruptionBudget": "the platform renders one when two or more replicas run",
    "NetworkPolicy": "the platform renders them: list the services a service calls in dependsOn",
    "Secret": _SECRET_HINT,
    "SealedSecret": _SECRET_HINT,
    "ExternalSecret": "write a Secret spec whose environments read it from a secret store",
    "PersistentVolumeClaim": "mount it with volumes[].claim.claimName, or let the platform "
    "render a claim with volumes[].claim.size",
    "Namespace": "the platform renders a namespace per team (and environment)",
    "ServiceMonitor": "use metrics (the platform renders a ServiceMonitor or PodMonitor)",
    "PodMonitor": "use metrics (the platform renders a ServiceMonitor or PodMonitor)",
    "PrometheusRule": "use alerts and slos",
    "Role": _RBAC_HINT,
    "RoleBinding": _RBAC_HINT,
    "ClusterRole": _RBAC_HINT,
    "ClusterRoleBinding": _RBAC_HINT,
    "ReplicaSet": "created by a controller: import its Deployment instead",
    "Pod": "created by a controller: import its Deployment, StatefulSet or Job instead",
    "Endpoints": "maintained by Kubernetes from the Service",
    "EndpointSlice": "maintained by Kubernetes from the Service",
    "DaemonSet": "the platform runs no per-node workloads: keep it outside the platform",
}


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object read from a file, as plain data."""

    kind: str
    name: str
    namespace: str
    file: str
    line: int
    body: dict[str, Any]

    @property
    def label(self) -> str:
        """``Kind/name``."""
        return f"{self.kind}/{self.name}"

    @property
    def where(self) -> str:
        """``file:line`` of the object's document."""
        return f"{self.file}:{self.line}"


@dataclass
class Group:
    """A workload and the objects of the input that belong to it."""

    workload: Manifest
    service: Manifest | None = None
    account: Manifest | None = None
    config_maps: dict[str, Manifest] = field(default_factory=dict)


def expand(paths: Sequence[Path]) -> list[Path]:
    """The files named, a directory standing for its YAML files (sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
        else:
            out.append(path)
    return out


def read(paths: Sequence[Path]) -> list[Manifest]:
    """Every object of every file, namespaces filled in, sorted by kind, namespace and name.

    Raises:
        UsageError: for a file that cannot be read, is not YAML, or holds something that
            is not a Kubernetes object; or for an object given twice.
    """
    raw = [item for path in expand(paths) for item in _read_file(path)]
    spaces = {ns for _, ns, _ in raw if ns}
    default = next(iter(spaces)) if len(spaces) == 1 else "default"
    seen: dict[tuple[str, str, str], Manifest] = {}
    for manifest, namespace, _ in raw:
        manifest = Manifest(
            manifest.kind,
            manifest.name,
            namespace or default,
            manifest.file,
            manifest.line,
            manifest.body,
        )
        key = (manifest.kind, manifest.namespace, manifest.name)
        if key in seen:
            raise UsageError(
                message=f"{manifest.where}: {manifest.label} is given twice "
                f"(also at {seen[key].where})",
                hint="pass each object once",
            )
        seen[key] = manifest
    return [seen[key] for key in sorted(seen)]


def _read_file(path: Path) -> Iterator[tuple[Manifest, str, int]]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(message=f"{shown} does not exist") from None
    except UnicodeDecodeError:
        raise UsageError(message=f"{shown} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(message=f"{shown} cannot be read ({exc.strerror})") from None
    try:
        documents = list(YAML(typ="rt").load_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f":{mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise UsageError(
            message=f"{shown}{at}: not valid YAML: {problem}",
            hint="fix the file; Kubernetes manifests are YAML documents separated by `---`",
        ) from None
    except YAMLError as exc:
        raise UsageError(message=f"{shown}: not valid YAML ({exc})") from None
    for index, document in enumerate(documents, start=1):
        if document is None:
            continue
        line = _line(document)
        if not isinstance(document, dict):
            raise UsageError(
                message=f"{shown}:{line}: document {index} is not a mapping",
                hint="each document must be one Kubernetes object (apiVersion, kind, metadata)",
            )
        body = plain(document)
        items = body.get("items")
        if str(body.get("kind", "")).endswith("List") and isinstance(items, list):
            for position, item in enumerate(items):
                if not isinstance(item, dict):
                    raise UsageError(message=f"{shown}:{line}: item {position} is not a mapping")
                yield _manifest(item, shown, line)
            continue
        yield _manifest(body, shown, line)


def _manifest(body: dict[str, Any], file: str, line: int) -> tuple[Manifest, str, int]:
    kind = body.get("kind")
    meta = body.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if not isinstance(kind, str) or not kind or not isinstance(body.get("apiVersion"), str):
        raise UsageError(
            message=f"{file}:{line}: not a Kubernetes object (no `apiVersion` and `kind`)",
            hint="each document must be one Kubernetes object (apiVersion, kind, metadata)",
        )
    if not isinstance(name, str) or not name:
        raise UsageError(message=f"{file}:{line}: {kind} has no `metadata.name`")
    namespace = meta.get("namespace") if isinstance(meta, dict) else None
    space = namespace if isinstance(namespace, str) else ""
    return Manifest(kind, name, space, file, line, body), space, line


def _line(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return int(lc.line) + 1 if lc is not None and lc.line is not None else 1


def plain(value: Any) -> Any:
    """Plain data from ruamel's round-trip data: dicts, lists, strings, numbers, booleans."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def group(manifests: Sequence[Manifest]) -> tuple[list[Group], list[Skipped]]:
    """Each workload with its Service, ServiceAccount and ConfigMaps; what is left over."""
    workloads = [m for m in manifests if m.kind in WORKLOAD_KINDS]
    groups = [Group(w) for w in workloads]
    used: set[tuple[str, str, str]] = set()
    skipped: list[Skipped] = []
    by_key = {(m.kind, m.namespace, m.name): m for m in manifests}
    matches: dict[int, list[Manifest]] = {}
    for service in (m for m in manifests if m.kind == "Service"):
        selector = (service.body.get("spec") or {}).get("selector") or {}
        chosen = [
            i
            for i, g in enumerate(groups)
            if selector
            and g.workload.kind in ("Deployment", "StatefulSet")
            and g.workload.namespace == service.namespace
            and selector.items() <= pod_labels(g.workload).items()
        ]
        if len(chosen) > 1:
            names = ", ".join(groups[i].workload.label for i in chosen)
            hint = f"it selects several workloads ({names}); a Service spec has one Service"
            skipped.append(Skipped(service.label, service.where, hint))
            used.add(("Service", service.namespace, service.name))
            continue
        for i in chosen:
            matches.setdefault(i, []).append(service)
    for index, g in enumerate(groups):
        found = sorted(matches.get(index, []), key=lambda s: _rank(s, g.workload.name))
        if found:
            g.service = found[0]
            used.add(("Service", g.service.namespace, g.service.name))
        for extra in found[1:]:
            hint = f"a second Service of {g.workload.label}: the platform renders one Service "
            hint += "per service (put its ports in that one's `ports`)"
            skipped.append(Skipped(extra.label, extra.where, hint))
            used.add(("Service", extra.namespace, extra.name))
        pod = pod_spec(g.workload)
        account = pod.get("serviceAccountName") or pod.get("serviceAccount") or "default"
        g.account = by_key.get(("ServiceAccount", g.workload.namespace, str(account)))
        if g.account is not None:
            used.add(("ServiceAccount", g.account.namespace, g.account.name))
        for name in sorted(config_map_names(pod)):
            config = by_key.get(("ConfigMap", g.workload.namespace, name))
            if config is not None:
                g.config_maps[name] = config
                used.add(("ConfigMap", config.namespace, name))
    for m in manifests:
        if m.kind in WORKLOAD_KINDS or (m.kind, m.namespace, m.name) in used:
            continue
        skipped.append(Skipped(m.label, m.where, _hint(m)))
    skipped.sort(key=lambda s: (s.object, s.where))
    return groups, skipped


def _rank(service: Manifest, workload: str) -> tuple[bool, bool, str]:
    headless = (service.body.get("spec") or {}).get("clusterIP") == "None"
    return (service.name != workload, headless, service.name)


def _hint(m: Manifest) -> str:
    if m.kind == "Service":
        return "it selects no Deployment or StatefulSet of the input"
    if m.kind == "ServiceAccount":
        return "no imported workload uses it; the platform renders one per service"
    if m.kind == "ConfigMap":
        return "no imported workload uses it; mounted files become the service's configFiles"
    return HINTS.get(m.kind, f"no Service spec field describes a {m.kind}: keep it outside")


def template(workload: Manifest) -> dict[str, Any]:
    """The pod template of a workload (a CronJob's inside its job template)."""
    spec = workload.body.get("spec") or {}
    if workload.kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    found = spec.get("template")
    return found if isinstance(found, dict) else {}


def pod_spec(workload: Manifest) -> dict[str, Any]:
    """The pod spec of a workload's template."""
    found = template(workload).get("spec")
    return found if isinstance(found, dict) else {}


def pod_labels(workload: Manifest) -> dict[str, Any]:
    """The labels of a workload's pods."""
    found = (template(workload).get("metadata") or {}).get("labels")
    return found if isinstance(found, dict) else {}


def config_map_names(pod: dict[str, Any]) -> set[str]:
    """ConfigMaps a pod spec reads: volumes, env values and envFrom."""
    names = {
        str(v["configMap"].get("name"))
        for v in pod.get("volumes") or ()
        if isinstance(v, dict) and isinstance(v.get("configMap"), dict)
    }
    for container in [*(pod.get("initContainers") or ()), *(pod.get("containers") or ())]:
        if not isinstance(container, dict):
            continue
        for env in container.get("env") or ():
            ref = ((env or {}).get("valueFrom") or {}).get("configMapKeyRef")
            if isinstance(ref, dict):
                names.add(str(ref.get("name")))
        for source in container.get("envFrom") or ():
            ref = (source or {}).get("configMapRef")
            if isinstance(ref, dict):
                names.add(str(ref.get("name")))
    return names
