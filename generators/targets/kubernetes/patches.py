"""A service's `spec.patches`: applied to its rendered objects, and the result checked.

A patch is a JSON Patch (RFC 6902, the `jsonpatch` package) or a partial object merged
strategic-merge style onto one object the Kubernetes target renders for the service.
Patches apply in name order. :func:`verify_patches` is the pipeline's `verify` stage:
it renders every patched service, reports a patch that targets nothing or fails, checks
each patched object strictly against the Kubernetes OpenAPI schema (kubernetes-validate)
and warns when a patch lowers the pods' security below what the spec renders.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonpatch
import jsonpointer
import orjson

from generators.diagnostics import Diagnostic, codes
from generators.source.located import KeyPath, dotted
from generators.spec.patches import Patch
from generators.targets.kubernetes.schema import KUBERNETES_VERSION, schema_errors

#: List fields whose items merge by a key, as Kubernetes' strategic merge does
#: (`x-kubernetes-patch-merge-key`); other lists replace whole. `ports` is decided by
#: its items: a container's merge by `containerPort`, a Service's by `port`.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "imagePullSecrets": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
}
#: What identifies an object: a patch may not change it.
IDENTITY = (("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace"))


class PatchFailed(Exception):
    """A patch that cannot apply; ``path`` is where in the patch, below its name."""

    def __init__(self, message: str, path: KeyPath = (), hint: str = "") -> None:
        super().__init__(message)
        self.message, self.path, self.hint = message, path, hint


@dataclass(frozen=True)
class Step:
    """One patch applied: the object it changed, before and after."""

    patch: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class Applied:
    """A service's objects after its patches, and what each patch did."""

    objects: list[dict[str, Any]]
    steps: tuple[Step, ...]
    #: (patch name, the failure) for each patch that could not apply.
    failures: tuple[tuple[str, PatchFailed], ...]


def apply_patches(
    service: str, patches: Mapping[str, Patch], objects: Sequence[dict[str, Any]]
) -> Applied:
    """Apply ``patches`` (in name order) to copies of ``objects``; nothing is mutated."""
    out = list(objects)
    steps = []
    failures = []
    for name in sorted(patches):
        patch = patches[name]
        try:
            index = _target(service, patch, out)
            before, out[index] = out[index], _apply(patch, out[index])
        except PatchFailed as failure:
            failures.append((name, failure))
            continue
        steps.append(Step(name, before, out[index]))
    return Applied(out, tuple(steps), tuple(failures))


def _target(service: str, patch: Patch, objects: Sequence[dict[str, Any]]) -> int:
    kind, name = patch.target.kind, patch.target.name or service
    for index, obj in enumerate(objects):
        if obj["kind"] == kind and obj["metadata"]["name"] == name:
            return index
    same = [o["metadata"]["name"] for o in objects if o["kind"] == kind]
    if same:
        field, hint = ("target", "name"), f"its {kind} objects: " + ", ".join(same)
    else:
        kinds = sorted({o["kind"] for o in objects})
        field, hint = ("target", "kind"), "it renders these kinds here: " + ", ".join(kinds)
    raise PatchFailed(
        f"the patch targets {kind}/{name}, which the service does not render here", field, hint
    )


def _apply(patch: Patch, obj: dict[str, Any]) -> dict[str, Any]:
    result: Any = obj
    if patch.merge is not None:
        result = strategic_merge(obj, patch.merge, ("merge",))
    else:
        # One copy, then each operation in place (jsonpatch would copy per operation).
        result = orjson.loads(orjson.dumps(obj))
        for index, operation in enumerate(patch.jsonPatch or ()):
            try:
                result = jsonpatch.JsonPatch([operation.as_json()]).apply(result, in_place=True)
            except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
                raise PatchFailed(
                    f"operation {index} ({operation.op} {operation.path}) fails: {exc}",
                    ("jsonPatch", index),
                    "paths are JSON Pointers into the rendered object (`platform render` "
                    "shows it); `add` creates the last part only, `-` appends to a list",
                ) from None
            if not isinstance(result, dict):
                raise PatchFailed(
                    f"operation {index} ({operation.op} {operation.path}) replaces the "
                    "whole object",
                    ("jsonPatch", index),
                    "point the operation at a field inside the object",
                )
    for key in IDENTITY:
        if _get(result, key) != _get(obj, key):
            raise PatchFailed(
                f"the patch changes the object's {'.'.join(key)}",
                ("jsonPatch",) if patch.jsonPatch is not None else ("merge",),
                "a patch changes an object, not which object it is; rename the service "
                "or change the spec instead",
            )
    return dict(result)


def strategic_merge(base: Any, patch: Any, at: KeyPath = ()) -> Any:
    """``patch`` merged onto ``base``: maps merge, keyed lists merge, ``None`` removes."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    out = dict(base) if isinstance(base, Mapping) else {}
    for key, value in patch.items():
        here = (*at, key)
        if value is None:
            out.pop(key, None)
        elif isinstance(value, list) and (merge_key := _merge_key(key, value, out.get(key))):
            base_list = out.get(key)
            out[key] = _merge_list(
                base_list if isinstance(base_list, list) else [], value, merge_key, here
            )
        else:
            out[key] = strategic_merge(out.get(key), value, here)
    return out


def _merge_key(field: str, items: list[Any], base: Any) -> str | None:
    if field == "ports":
        present = [*items, *(base if isinstance(base, list) else [])]
        if any(isinstance(i, Mapping) and "containerPort" in i for i in present):
            return "containerPort"
        return "port"
    return MERGE_KEYS.get(field)


def _merge_list(base: list[Any], items: list[Any], key: str, at: KeyPath) -> list[Any]:
    out = list(base)
    for position, item in enumerate(items):
        if not isinstance(item, Mapping) or key not in item:
            raise PatchFailed(
                f"item {position} of `{at[-1]}` has no `{key}` to merge by",
                (*at, position),
                f"give each item its `{key}`; items of `{at[-1]}` merge with the rendered "
                f"ones by `{key}`",
            )
        found = next(
            (i for i, o in enumerate(out) if isinstance(o, Mapping) and o.get(key) == item[key]),
            None,
        )
        if item.get("$patch") == "delete":
            if found is None:
                raise PatchFailed(
                    f"`$patch: delete` of {key} {item[key]!r}, which `{at[-1]}` does not have",
                    (*at, position),
                    "remove the item from the patch",
                )
            del out[found]
        elif found is None:
            out.append(strategic_merge({}, item, (*at, position)))
        else:
            out[found] = strategic_merge(out[found], item, (*at, position))
    return out


def _get(obj: Any, path: KeyPath) -> Any:
    for part in path:
        obj = obj.get(part) if isinstance(obj, Mapping) else None
    return obj


def weakened(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What a patch lowered of the pods' security: the findings of ``after`` not in ``before``."""
    old = set(_findings(before))
    return [finding for finding in _findings(after) if finding not in old]


def _map(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one (a patch may put anything anywhere)."""
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _pod_spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = _map(obj.get("spec"))
    if obj.get("kind") == "CronJob":
        spec = _map(_map(spec.get("jobTemplate")).get("spec"))
    return _map(_map(spec.get("template")).get("spec"))


def _findings(obj: Mapping[str, Any]) -> Iterator[str]:
    """Everything about a pod below the restricted Pod Security Standard."""
    pod = _pod_spec(obj)
    if not pod:
        return
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(host):
            yield f"`{host}: true` shares the node's namespaces"
    if any("hostPath" in volume for volume in _items(pod.get("volumes"))):
        yield "a hostPath volume reaches into the node's filesystem"
    pod_context = _map(pod.get("securityContext"))
    if pod_context.get("runAsUser") == 0:
        yield "the pod runs as root (runAsUser 0)"
    if pod_context.get("runAsNonRoot") is not True:
        yield "the pod no longer requires a non-root user (runAsNonRoot)"
    if _map(pod_context.get("seccompProfile")).get("type") not in ("RuntimeDefault", "Localhost"):
        yield "the pod has no RuntimeDefault seccomp profile"
    for group in ("initContainers", "containers"):
        for container in _items(pod.get(group)):
            name = container.get("name", "?")
            context = _map(container.get("securityContext"))
            if context.get("privileged"):
                yield f"container {name!r} is privileged"
            if context.get("allowPrivilegeEscalation") is not False:
                yield f"container {name!r} may escalate privileges"
            if context.get("runAsUser") == 0:
                yield f"container {name!r} runs as root (runAsUser 0)"
            capabilities = _map(context.get("capabilities"))
            added = capabilities.get("add")
            if added:
                listed = ", ".join(map(str, added)) if isinstance(added, list) else str(added)
                yield f"container {name!r} adds capabilities ({listed})"
            drop = capabilities.get("drop")
            if not isinstance(drop, list) or "ALL" not in drop:
                yield f"container {name!r} no longer drops ALL capabilities"
            if context.get("readOnlyRootFilesystem") is not True:
                yield f"container {name!r} has a writable root filesystem"


def diagnostics(resolved: Any, applied: Applied) -> Iterator[Diagnostic]:
    """The problems of one service's patches in one environment, located in its spec.

    Each patch answers for what it changed: a schema error or a lowered security
    setting is reported at the patch whose step brought it in.
    """

    def at(name: str, path: KeyPath, code: Any, message: str, hint: str) -> Diagnostic:
        location, full, _ = resolved.origin(("patches", name, *path), key=not path)
        return Diagnostic(
            code, message, location, dotted(full), hint, environments=(resolved.environment,)
        )

    for name, failure in applied.failures:
        yield at(name, failure.path, codes.BAD_PATCH, failure.message, failure.hint)
    for step in applied.steps:
        label = f"{step.after['kind']}/{step.after['metadata']['name']}"
        for pointer, problem in schema_errors(step.after, step.before):
            yield at(
                step.patch,
                (),
                codes.BAD_PATCH,
                f"after the patch, {label} is not valid Kubernetes: {pointer}: {problem}",
                f"fix the patch so the object matches the Kubernetes {KUBERNETES_VERSION} "
                "API (`kubectl explain` shows each field)",
            )
        lowered = weakened(step.before, step.after)
        if lowered:
            yield at(
                step.patch,
                (),
                codes.WEAKENED_SECURITY,
                f"the patch lowers {label}'s pod security: " + "; ".join(lowered),
                "keep it only if the workload cannot run otherwise, and say why in `reason`; "
                "a namespace enforcing `restricted` rejects such pods",
            )
