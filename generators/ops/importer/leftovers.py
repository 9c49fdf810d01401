"""What the spec fields could not express, compared with the render, as named patches.

The mapping removes what it expressed from a copy of each input object. What is left
is compared with the object the platform renders from the new spec: a value it renders
anyway (or Kubernetes' default, where it renders nothing) is dropped; anything else
becomes one `merge` patch per concern on the rendered object.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generators.ops.importer.report import PatchNote, Trail

MISSING: Any = object()
#: List fields whose items are matched by a key (as the patches merge them).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "volumes": "name",
    "env": "name",
    "volumeMounts": "mountPath",
}
#: Kubernetes' defaults, per kind of mapping: dropped where the platform renders nothing.
DEFAULTS: dict[str, dict[str, Any]] = {
    "pod": {
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30,
        "enableServiceLinks": True,
        "hostNetwork": False,
        "hostPID": False,
        "hostIPC": False,
        "shareProcessNamespace": False,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
    },
    "container": {
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "stdin": False,
        "stdinOnce": False,
        "tty": False,
    },
    "probe": {"successThreshold": 1},
    "Deployment": {
        "progressDeadlineSeconds": 600,
        "paused": False,
        "minReadySeconds": 0,
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
        },
    },
    "CronJob": {"suspend": False},
    "Job": {"completions": 1, "parallelism": 1, "suspend": False, "completionMode": "NonIndexed"},
    "Service": {
        "sessionAffinity": "None",
        "internalTrafficPolicy": "Cluster",
        "ipFamilyPolicy": "SingleStack",
        "allocateLoadBalancerNodePorts": True,
        "publishNotReadyAddresses": False,
    },
    "volume": {"defaultMode": 420},
}
#: Fields the cluster assigns: never the application's to keep.
ASSIGNED = {"Service": ("clusterIP", "clusterIPs", "ipFamilies", "healthCheckNodePort")}
PROBE_KEYS = ("livenessProbe", "readinessProbe", "startupProbe")
#: Where an env var's value comes from, as a patch's name says it.
ENV_SOURCES = {
    "secretKeyRef": "secrets",
    "configMapKeyRef": "config-maps",
    "fieldRef": "fields",
    "resourceFieldRef": "resources",
    "value": "values",
}


def differing(value: Any, base: Any, key: str | None = None) -> Any:
    """The part of ``value`` that ``base`` does not already have (MISSING: none)."""
    if isinstance(value, dict):
        known = base if isinstance(base, dict) else {}
        out = {}
        for k, v in value.items():
            found = differing(v, known.get(k, MISSING), k)
            if found is not MISSING:
                out[k] = found
        return out or MISSING
    merge_key = MERGE_KEYS.get(key or "")
    if key == "ports" and isinstance(value, list):
        merge_key = "containerPort" if any("containerPort" in p for p in value) else "port"
    if (
        isinstance(value, list)
        and merge_key
        and all(isinstance(i, dict) and merge_key in i for i in value)
    ):
        items = (
            {i.get(merge_key): i for i in base if isinstance(i, dict)}
            if isinstance(base, list)
            else {}
        )
        out_items = []
        for item in value:
            found = differing(item, items.get(item[merge_key], MISSING))
            if found is not MISSING:
                out_items.append(
                    {
                        k: item[k] if k == merge_key else found[k]
                        for k in item
                        if k == merge_key or k in found
                    }
                )
        return out_items or MISSING
    if value == base or (base is MISSING and value in ({}, [], None)):
        return MISSING
    return value


def reason(found: Any, rendered: Any, shown: str) -> str:
    """Why a leftover is a patch: no spec field has it, or the platform renders it otherwise."""
    paths = list(_leaves(found, rendered))
    fields = ", ".join(sorted({p for p, _ in paths if p}))
    label = f"{shown}.{fields}" if fields and len(paths) <= 3 else shown
    label = label.removeprefix("template.spec.")
    if any(known for _, known in paths):
        rendered_value = _at(rendered, paths[0][0]) if len(paths) == 1 else MISSING
        shown_value = f" ({rendered_value})" if isinstance(rendered_value, str | int) else ""
        return f"the platform renders {label} otherwise{shown_value}"
    return f"not expressible as a spec field: {label}"


def _leaves(found: Any, rendered: Any, at: str = "") -> Iterator[tuple[str, bool]]:
    """Each changed field of ``found`` (dotted, below it), and whether ``rendered`` has it.

    A field the render does not have at all is named whole (``nodeSelector``), not by
    the keys inside it.
    """
    if isinstance(found, dict) and found and isinstance(rendered, dict):
        for key, value in found.items():
            inner = rendered.get(key, MISSING)
            yield from _leaves(value, inner, f"{at}.{key}" if at else key)
        return
    yield at, rendered is not MISSING


def _at(data: Any, dotted_path: str) -> Any:
    for part in dotted_path.split(".") if dotted_path else ():
        data = data.get(part, MISSING) if isinstance(data, dict) else MISSING
    return data


def kebab(text: str) -> str:
    """``nodeSelector`` -> ``node-selector``: a patch name's part."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", text).lower()
    return re.sub(r"[^a-z0-9]+", "-", words).strip("-") or "x"


def nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """``value`` at ``path`` in a partial object."""
    out: Any = value
    for part in reversed(path):
        out = {part: out}
    return dict(out)


@dataclass
class Patches:
    """The patches of one service, named uniquely, and the report's notes on them."""

    service: str
    trail: Trail
    patches: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[PatchNote] = field(default_factory=list)

    def add(self, name: str, kind: str, merge: dict[str, Any], reason: str) -> str:
        """Add a merge patch on the rendered ``kind``; return its (unique) name."""
        base = kebab(name)[:60].strip("-")
        unique, count = base, 2
        while unique in self.patches:
            unique = f"{base[:57]}-{count}"
            count += 1
        self.patches[unique] = {"target": {"kind": kind}, "merge": merge, "reason": reason}
        self.notes.append(PatchNote(unique, kind, reason))
        return unique

    def concern(
        self,
        obj: str,
        shown: str,
        name: str,
        kind: str,
        path: tuple[str, ...],
        value: Any,
        rendered: Any,
        defaults: dict[str, Any] | None = None,
    ) -> None:
        """One field left over: dropped, rendered anyway, or a patch of its own."""
        key = path[-1]
        if defaults is not None and rendered is MISSING and defaults.get(key, MISSING) == value:
            self.trail.went(obj, shown, "dropped: Kubernetes' default")
            return
        found = differing(value, rendered, key)
        if found is MISSING:
            if value not in ({}, [], None):
                self.trail.went(obj, shown, "rendered as it is")
            return
        written = self.add(name, kind, nest(path, found), reason(found, rendered, shown))
        self.trail.went(obj, shown, f"patch {written}")

    def each(
        self,
        obj: str,
        prefix: str,
        kind: str,
        path: tuple[str, ...],
        leftover: dict[str, Any],
        rendered: dict[str, Any],
        defaults: str,
        names: str = "",
    ) -> None:
        """Each key left in ``leftover`` as a concern of its own."""
        table = DEFAULTS.get(defaults, {})
        for key in list(leftover):
            shown = f"{prefix}{key}" if prefix else key
            self.concern(
                obj,
                shown,
                f"{names}{kebab(key)}",
                kind,
                (*path, key),
                leftover[key],
                rendered.get(key, MISSING),
                table,
            )


def container_patches(
    patches: Patches,
    obj: str,
    kind: str,
    pod_path: tuple[str, ...],
    group: str,
    left: dict[str, Any],
    rendered: dict[str, Any],
    pod_security: dict[str, Any],
    prefix: str,
    env_prefix: str,
) -> None:
    """A mapped container's leftovers, a patch per concern (env by where it comes from).

    Patches are named ``<prefix><field>`` (``container-lifecycle``), env patches
    ``<env_prefix>env-from-<source>`` (``env-from-secrets``).
    """
    name = str(left.get("name"))
    where = f"{group}[{name}]"
    path = (*pod_path, group)
    security = left.get("securityContext")
    if isinstance(security, dict):
        for key in ("runAsNonRoot", "runAsUser", "runAsGroup", "seccompProfile"):
            if key in security and security[key] == pod_security.get(key, MISSING):
                del security[key]
                patches.trail.went(obj, f"{where}.securityContext.{key}", "the pod's, as rendered")
        drop = (security.get("capabilities") or {}).pop("drop", None)
        if drop is not None:
            patches.trail.went(
                obj, f"{where}.securityContext.capabilities.drop", "the platform drops ALL"
            )
        for sub in ("capabilities",):
            if security.get(sub) == {}:
                del security[sub]
    by_source: dict[str, list[dict[str, Any]]] = {}
    for entry in left.pop("env", None) or ():
        source = next(iter(entry.get("valueFrom") or {"value": None}), "value")
        by_source.setdefault(str(source), []).append(entry)
    for source, entries in sorted(by_source.items()):
        names = ", ".join(str(e.get("name")) for e in entries)
        shown = f"{where}.env.{names}"
        merge = nest(path, [{"name": name, "env": entries}])
        what = ENV_SOURCES.get(source, kebab(source))
        why = f"not expressible as a spec field: {where}.env {names} (from {what})"
        written = patches.add(f"{env_prefix}env-from-{kebab(what)}", kind, merge, why)
        patches.trail.went(obj, shown, f"patch {written}")
    for key in PROBE_KEYS:
        probe = left.get(key)
        if isinstance(probe, dict) and key in rendered:
            for default, value in DEFAULTS["probe"].items():
                if probe.get(default) == value:
                    del probe[default]
            if not probe:
                del left[key]
    table = DEFAULTS["container"]
    for key in [k for k in left if k != "name"]:
        value = left[key]
        shown = f"{where}.{key}"
        base = rendered.get(key, MISSING)
        if base is MISSING and table.get(key, MISSING) == value:
            patches.trail.went(obj, shown, "dropped: Kubernetes' default")
            continue
        found = differing(value, base, key)
        if found is MISSING:
            if value not in ({}, [], None):
                patches.trail.went(obj, shown, "rendered as it is")
            continue
        merge = nest(path, [{"name": name, key: found}])
        written = patches.add(f"{prefix}{kebab(key)}", kind, merge, reason(found, base, shown))
        patches.trail.went(obj, shown, f"patch {written}")
