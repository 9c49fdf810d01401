"""Every leftover of a workload, its Service and its ServiceAccount, as the service's patches."""

from __future__ import annotations

from typing import Any

from generators.ops.importer.leftovers import (
    ASSIGNED,
    DEFAULTS,
    MISSING,
    Patches,
    container_patches,
    differing,
    kebab,
    nest,
    reason,
)
from generators.ops.importer.manifests import Manifest
from generators.ops.importer.report import Trail

RENDERED_KIND = {
    "Deployment": "Deployment",
    "StatefulSet": "Deployment",
    "CronJob": "CronJob",
    "Job": "Job",
}


def template_path(kind: str) -> tuple[str, ...]:
    """Where the pod template is in a rendered object of ``kind``."""
    return (
        ("spec", "jobTemplate", "spec", "template") if kind == "CronJob" else ("spec", "template")
    )


def patches(
    name: str,
    kind: str,
    body: dict[str, Any],
    service: dict[str, Any] | None,
    service_label: str,
    account: Manifest | None,
    base: dict[str, dict[str, Any]],
    trail: Trail,
    obj: str,
    main: dict[str, Any],
    others: list[dict[str, Any]],
) -> Patches:
    """The patches that make the rendered objects what the input objects were."""
    out = Patches(name, trail)
    target = RENDERED_KIND[kind]
    rendered = base[target]
    outer = body.get("spec") or {}
    inner = ("template", "jobTemplate")
    own = {k: v for k, v in outer.items() if k not in inner}
    out.each(obj, "spec.", target, ("spec",), own, rendered["spec"], target)
    path = template_path(target)
    if target == "CronJob":
        job = outer.get("jobTemplate") or {}
        rendered_job = rendered["spec"]["jobTemplate"]
        job_spec = {k: v for k, v in (job.get("spec") or {}).items() if k != "template"}
        shown = "spec.jobTemplate.spec."
        out.each(
            obj,
            shown,
            target,
            ("spec", "jobTemplate", "spec"),
            job_spec,
            rendered_job["spec"],
            "Job",
        )
        if job.get("metadata"):
            out.concern(
                obj,
                "spec.jobTemplate.metadata",
                "job-template-metadata",
                target,
                ("spec", "jobTemplate", "metadata"),
                job["metadata"],
                rendered_job.get("metadata", MISSING),
            )
    tmpl = _get(body, path)
    rendered_tmpl = _get(rendered, path)
    meta = tmpl.get("metadata") or {}
    for key, label in (("labels", "pod-labels"), ("annotations", "pod-annotations")):
        if meta.get(key):
            out.concern(
                obj,
                f"template.metadata.{key}",
                label,
                target,
                (*path, "metadata", key),
                meta[key],
                rendered_tmpl["metadata"].get(key, MISSING),
            )
    pod = tmpl.get("spec") or {}
    rendered_pod = rendered_tmpl["spec"]
    pod_path = (*path, "spec")
    inits = [c for c in pod.get("initContainers") or () if isinstance(c, dict)]
    main_name = rendered_pod["containers"][0]["name"]
    main["name"] = main_name
    _volumes(out, obj, target, pod_path, pod, rendered_pod, main, inits)
    for sidecar in others:
        label = f"sidecar container {sidecar.get('name')}"
        merge = nest(pod_path, {"containers": [sidecar]})
        written = out.add(
            f"sidecar-{sidecar.get('name')}",
            target,
            merge,
            f"not expressible as a spec field: {label}",
        )
        trail.went(obj, f"containers[{sidecar.get('name')}]", f"patch {written}")
    rendered_containers = {c["name"]: c for c in rendered_pod["containers"]}
    security = rendered_pod["securityContext"]
    container_patches(
        out,
        obj,
        target,
        pod_path,
        "containers",
        main,
        rendered_containers[main_name],
        security,
        "container-",
        "",
    )
    rendered_inits = {c["name"]: c for c in rendered_pod.get("initContainers") or ()}
    for init in inits:
        init_name = str(init.get("name"))
        prefix = f"init-{init_name}-"
        if init_name in rendered_inits:
            container_patches(
                out,
                obj,
                target,
                pod_path,
                "initContainers",
                init,
                rendered_inits[init_name],
                security,
                prefix,
                prefix,
            )
            continue
        merge = nest(pod_path, {"initContainers": [init]})
        why = f"not expressible as a spec field: init container {init_name}"
        written = out.add(f"init-{init_name}", target, merge, why)
        trail.went(obj, f"initContainers[{init_name}]", f"patch {written}")
    rest = {k: v for k, v in pod.items() if k not in ("containers", "initContainers", "volumes")}
    if "securityContext" in rest:
        out.concern(
            obj,
            "template.spec.securityContext",
            "pod-security-context",
            target,
            (*pod_path, "securityContext"),
            rest.pop("securityContext"),
            rendered_pod.get("securityContext", MISSING),
        )
    out.each(obj, "template.spec.", target, pod_path, rest, rendered_pod, "pod")
    if service is not None:
        _service(out, service, service_label, base["Service"])
    if account is not None:
        _account(out, account, base["ServiceAccount"])
    return out


def _get(obj: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for part in path:
        obj = obj.get(part) or {}
    return obj


def _volumes(
    out: Patches,
    obj: str,
    kind: str,
    pod_path: tuple[str, ...],
    pod: dict[str, Any],
    rendered_pod: dict[str, Any],
    main: dict[str, Any],
    inits: list[dict[str, Any]],
) -> None:
    """Volumes the spec renders but not quite (a mode), and volumes it cannot express."""
    rendered = {v["name"]: v for v in rendered_pod["volumes"]}
    for volume in pod.get("volumes") or ():
        name = str(volume.get("name"))
        shown = f"template.spec.volumes[{name}]"
        if name in rendered:
            found = differing(volume, rendered[name])
            if found is not MISSING:
                merge = nest(pod_path, {"volumes": [{"name": name, **found}]})
                why = reason(found, rendered[name], f"volume {name.removeprefix('vol-')}")
                written = out.add(f"volume-{name.removeprefix('vol-')}", kind, merge, why)
                out.trail.went(obj, shown, f"patch {written}")
            continue
        part: dict[str, Any] = {"volumes": [volume]}
        for group, containers in (("containers", [main]), ("initContainers", inits)):
            entries = []
            for c in containers:
                mounts = [m for m in c.get("volumeMounts") or () if m.get("name") == name]
                if mounts:
                    c["volumeMounts"] = [m for m in c["volumeMounts"] if m.get("name") != name]
                    if not c["volumeMounts"]:
                        del c["volumeMounts"]
                    entries.append({"name": c.get("name"), "volumeMounts": mounts})
            if entries:
                part[group] = entries
        source = next((k for k in volume if k != "name"), "volume")
        why = f"not expressible as a spec field: volume {name} ({source})"
        written = out.add(f"volume-{name}", kind, nest(pod_path, part), why)
        out.trail.went(obj, shown, f"patch {written}")


def _service(out: Patches, service: dict[str, Any], label: str, rendered: dict[str, Any]) -> None:
    meta = service.get("metadata") or {}
    if meta.get("labels"):
        out.concern(
            label,
            "metadata.labels",
            "service-labels",
            "Service",
            ("metadata", "labels"),
            meta["labels"],
            rendered["metadata"]["labels"],
        )
    spec = service.get("spec") or {}
    for key in ASSIGNED["Service"]:
        if key in spec and not (key == "clusterIP" and spec[key] == "None"):
            del spec[key]
            out.trail.went(label, f"spec.{key}", "dropped: the cluster assigns it")
    for entry in spec.pop("ports", None) or ():
        number = entry.get("port")
        target = entry.get("targetPort", number)
        why = f"not expressible as a spec field: a second Service port ({number}) on {target}"
        merge = {"spec": {"ports": [entry]}}
        written = out.add(f"service-port-{number}", "Service", merge, why)
        out.trail.went(label, f"spec.ports[{entry.get('name') or number}]", f"patch {written}")
    out.each(label, "spec.", "Service", ("spec",), spec, rendered["spec"], "Service", "service-")


def _account(out: Patches, account: Manifest, rendered: dict[str, Any]) -> None:
    body = dict(account.body)
    label = account.label
    meta = body.get("metadata") or {}
    for key in ("labels", "annotations"):
        if meta.get(key):
            out.concern(
                label,
                f"metadata.{key}",
                f"account-{key}",
                "ServiceAccount",
                ("metadata", key),
                meta[key],
                rendered["metadata"].get(key, MISSING),
            )
    if "automountServiceAccountToken" in body:
        asked = body["automountServiceAccountToken"] is True
        to = "spec.serviceAccountToken" if asked else "rendered as it is (the spec's default)"
        out.trail.went(label, "automountServiceAccountToken", to)
    rest = {
        k: v
        for k, v in body.items()
        if k not in ("apiVersion", "kind", "metadata", "automountServiceAccountToken")
    }
    for key in list(rest):
        out.concern(
            label,
            key,
            f"account-{kebab(key)}",
            "ServiceAccount",
            (key,),
            rest[key],
            rendered.get(key, MISSING),
            DEFAULTS.get("account"),
        )
