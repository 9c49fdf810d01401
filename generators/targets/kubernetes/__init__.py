"""The Kubernetes target: per service its workload, networking, scaling and policy objects.

Per service and environment, in ``<env>/<service>/manifests.yaml``: ServiceAccount,
ConfigMaps (config files, webhook settings), Deployment or CronJob or Job, Service,
Ingress or HTTPRoute (and one for the webhook paths), HPA, PDB and NetworkPolicies. Per
environment, in ``<env>/_namespaces/``: the Namespaces. The objects are built by
family: :mod:`.workloads`, :mod:`.pods` and :mod:`.network`.
"""

from __future__ import annotations

from collections.abc import Iterator

from generators.domain.layout import NAMESPACES_APP, app_path
from generators.targets.base import Output, Target, environment_metadata
from generators.targets.context import Deployed, EnvContext
from generators.targets.kubernetes import network, workloads

# https://kubernetes.io/docs/concepts/security/pod-security-admission/
POD_SECURITY_LABEL = "pod-security.kubernetes.io/enforce"


class KubernetesTarget(Target):
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
            meta = environment_metadata(context, space, None)
            meta["labels"].update(
                {POD_SECURITY_LABEL: level, f"{POD_SECURITY_LABEL}-version": "latest"}
            )
            obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}
            yield app_path(context.name, NAMESPACES_APP), obj

    def service_objects(self, context: EnvContext, service: Deployed) -> Iterator[Output]:
        """Every object of one service, in ``<env>/<service>/manifests.yaml``."""
        workload = service.workload
        config = workloads.config_map(context, service)
        hooks = workloads.webhooks_config(context, service)
        objects = [workloads.service_account(context, service), config, hooks]
        objects += workloads.claims(context, service)
        if hooks is not None:  # the webhook settings roll the pods like config files do
            config = {"data": {**(config or {}).get("data", {}), **hooks["data"]}}
        if workload.type == "cron":
            objects.append(workloads.cron_job(context, service, config))
        elif workload.type == "job":
            objects.append(workloads.job(context, service, config))
        else:
            objects.append(workloads.deployment(context, service, config))
        if workload.type == "web":
            objects.append(network.service(context, service))
            if workload.expose.visibility == "public":
                objects.append(
                    network.http_route(context, service)
                    if context.spec.routing.kind == "gateway"
                    else network.ingress(context, service)
                )
            if workload.webhooks.incoming and workload.expose.hosts:
                objects.append(
                    network.webhook_http_route(context, service)
                    if context.spec.routing.kind == "gateway"
                    else network.webhook_ingress(context, service)
                )
        if workload.type in ("web", "worker"):
            objects += [
                workloads.autoscaler(context, service),
                workloads.disruption_budget(context, service),
            ]
        objects.append(network.network_policy(context, service))
        objects.append(network.egress_policy(context, service))
        for obj in objects:
            if obj is not None:
                yield app_path(context.name, service.name), obj
