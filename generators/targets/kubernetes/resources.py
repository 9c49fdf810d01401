"""The Crossplane claims of a service's managed dependencies: one instance per consumer."""

from __future__ import annotations

from typing import Any

from generators.model.dependencies import connection_secret, resource_name
from generators.spec.resources import Managed
from generators.targets.base import metadata
from generators.targets.context import Deployed, EnvContext

#: Labels that mark a claim as a typed dependency's (the diff and the tests read them).
RESOURCE_LABEL = "platform/resource-type"
RESOURCE_CLASS_LABEL = "platform/resource-class"
#: A database outlives the line that asked for it: Argo CD neither prunes the claim
#: when the dependency leaves the spec nor deletes it with the Application; removing
#: one (and its data) is a deliberate act (docs/dependencies.md). The claim syncs
#: before the workload, whose pods need its connection secret.
CLAIM_ANNOTATIONS = {
    "argocd.argoproj.io/sync-options": "Prune=false,Delete=false",
    "argocd.argoproj.io/sync-wave": "-1",
}


def claims(context: EnvContext, service: Deployed) -> list[dict[str, Any]]:
    """A claim of the environment's XRD for each managed dependency.

    Its connection details are written to the Secret the service's env vars read.
    """
    out = []
    for binding in service.resources:
        provider = binding.provider
        if not isinstance(provider, Managed):
            continue
        dependency = binding.dependency
        meta = metadata(
            service,
            context.name,
            resource_name(service.name, dependency.key),
            annotations=CLAIM_ANNOTATIONS,
        )
        meta["labels"] = {
            **meta["labels"],
            RESOURCE_LABEL: dependency.type,
            RESOURCE_CLASS_LABEL: dependency.class_,
        }
        spec: dict[str, Any] = {}
        if provider.claim.parameters:
            spec["parameters"] = dict(provider.claim.parameters)
        if provider.claim.compositionLabels:
            spec["compositionSelector"] = {
                "matchLabels": dict(sorted(provider.claim.compositionLabels.items()))
            }
        spec["writeConnectionSecretToRef"] = {
            "name": connection_secret(service.name, dependency.key)
        }
        out.append(
            {
                "apiVersion": provider.claim.apiVersion,
                "kind": provider.claim.kind,
                "metadata": meta,
                "spec": spec,
            }
        )
    return out
