"""The Kubernetes target: per service its workload, networking, scaling and policy objects.

Per service and environment, in ``<env>/<service>/manifests.yaml``: ServiceAccount,
ConfigMaps (config files, webhook settings), Deployment or CronJob or Job, Service,
Ingress or HTTPRoute (and one for the webhook paths), HPA, PDB and NetworkPolicies. Per
environment, in ``<env>/_namespaces/``: the Namespaces. The objects are built by
family: :mod:`.workloads`, :mod:`.pods` and :mod:`.network`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generators import workers
from generators.diagnostics import Diagnostic
from generators.domain.layout import NAMESPACES_APP, app_path
from generators.model.platform import Platform
from generators.targets.base import Output, Target, environment_metadata
from generators.targets.context import Deployed, EnvContext, build_context
from generators.targets.kubernetes import network, patches, resources, rollouts, workloads

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
        """Every object of one service, in ``<env>/<service>/manifests.yaml``, patched."""
        objects = self.built_objects(context, service)
        if service.workload.patches:
            applied = patches.apply_patches(service.name, service.workload.patches, objects)
            # `validate` reports failing patches (verify_patches); none reach a render.
            assert not applied.failures, f"{service.name}: {applied.failures}"
            objects = applied.objects
        for obj in objects:
            yield app_path(context.name, service.name), obj

    def built_objects(self, context: EnvContext, service: Deployed) -> list[dict[str, Any]]:
        """Every object of one service as the spec's fields render it, before its patches."""
        workload = service.workload
        config = workloads.config_map(context, service)
        hooks = workloads.webhooks_config(context, service)
        objects = [workloads.service_account(context, service), config, hooks]
        objects += workloads.claims(context, service)
        objects += resources.claims(context, service)
        if hooks is not None:  # the webhook settings roll the pods like config files do
            config = {"data": {**(config or {}).get("data", {}), **hooks["data"]}}
        if workload.type == "cron":
            objects.append(workloads.cron_job(context, service, config))
        elif workload.type == "job":
            objects.append(workloads.job(context, service, config))
        elif workload.delivery.rollout:
            deployment = workloads.deployment(context, service, config)
            objects.append(rollouts.rollout(context, deployment, service))
            if workload.delivery.analysed:
                objects.append(rollouts.analysis_template(context, service))
        else:
            objects.append(workloads.deployment(context, service, config))
        if workload.type == "web":
            objects.append(network.service(context, service))
            if workload.delivery.rollout:
                objects.append(network.second_service(context, service))
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
        return [obj for obj in objects if obj is not None]


#: From this many patched service-environments on, they are checked in forked workers.
PARALLEL_VERIFY_FROM = 200


def verify_patches(platform: Platform) -> list[Diagnostic]:
    """Every patched service rendered, its patches applied, and the result checked.

    Only environments where a deployed service has patches are built, so a platform
    without patches pays nothing; many patched services are checked an environment per
    forked worker, as rendering does.
    """
    patched: dict[str, list[str]] = {}
    for (env, name), resolved in sorted(platform.resolved.items()):
        if resolved.workload.patches and platform.deploys(name, env):
            patched.setdefault(env, []).append(name)
    work = sorted(patched.items())
    found = None
    many = sum(len(names) for _, names in work) >= PARALLEL_VERIFY_FROM
    if len(work) > 1 and many and workers.cores() > 1:
        found = workers.fork_map(_verify_environment, platform, work, processes=4)
    if found is None:
        found = [_verify_environment(platform, item) for item in work]
    return [diagnostic for part in found for diagnostic in part]


def _verify_environment(platform: Platform, work: tuple[str, list[str]]) -> list[Diagnostic]:
    env, names = work
    target = KubernetesTarget()
    context = build_context(platform, env)
    out: list[Diagnostic] = []
    for service in context.services:
        if service.name in names:
            before = target.built_objects(context, service)
            applied = patches.apply_patches(service.name, service.workload.patches, before)
            out += patches.diagnostics(platform.resolved[(env, service.name)], applied)
    return out
