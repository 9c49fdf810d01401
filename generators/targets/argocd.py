"""Argo CD objects: AppProjects and Applications (per service; namespaces; secrets), per env.

They live in ``_argocd/<env>/manifests.yaml``, to be synced by one root Application (app of apps) in
the management cluster. Each Application points at ``rendered/<env>/<service>``, a
directory of plain YAML files.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generators.domain.layout import (
    ARGOCD_APP,
    NAMESPACES_APP,
    OBSERVABILITY_APP,
    SECRETS_APP,
    app_path,
)
from generators.targets.base import Output, Target, environment_metadata
from generators.targets.context import Deployed, EnvContext
from generators.targets.kubernetes.rollouts import AB_ROUTE

# Namespaces first, then the services (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/).
NAMESPACES_WAVE = "-10"
SECRETS_WAVE = "-5"


class ArgoCDTarget(Target):
    """Renders the Argo CD projects and applications of one environment."""

    name = "argocd"

    def render(self, context: EnvContext) -> Iterator[Output]:
        """Nothing without the environment's `gitops` settings.

        Names join the parts with a dot (`<service>.<env>`, `<team>.<env>`): service,
        team and environment names are DNS labels without dots, so no two can clash.
        """
        if context.spec.gitops is None:
            return
        path = self.path(context)
        yield path, self.platform_project(context)
        yield path, self.namespaces_application(context)
        if context.secrets:
            yield path, self.secrets_application(context)
        if context.services:
            yield path, self.observability_application(context)
        for team, space in context.namespaces.items():
            yield path, self.project(context, team, space)
        for service in context.services:
            app = self.application(
                context,
                name=f"{service.name}.{context.name}",
                project=f"{service.team}.{context.name}",
                app=service.name,
                namespace=service.namespace,
            )
            yield path, self.with_traffic_router(context, service, app)

    def with_traffic_router(
        self, context: EnvContext, service: Deployed, app: dict[str, Any]
    ) -> dict[str, Any]:
        """A canary routed by the Gateway API plugin: Argo CD leaves the route's weights.

        The plugin moves traffic by rewriting the HTTPRoute's backend weights while a
        canary runs, and adds an A/B test's header route; without this, a self-healing
        sync would put the route back as rendered.
        """
        workload = service.workload
        strategy = workload.delivery.strategy
        routed = (
            strategy in ("canary", "abTest")
            and workload.type == "web"
            and workload.expose.visibility == "public"
            and context.spec.routing.kind == "gateway"
        )
        if not routed:
            return app
        app["spec"]["ignoreDifferences"] = [
            {
                "group": "gateway.networking.k8s.io",
                "kind": "HTTPRoute",
                "name": service.name,
                "namespace": service.namespace,
                "jqPathExpressions": [".spec.rules[].backendRefs[].weight"]
                + (
                    # The A/B test's header route, which the plugin adds and removes.
                    [f'.spec.rules[] | select((.name // "") | startswith("{AB_ROUTE}"))']
                    if strategy == "abTest"
                    else []
                ),
            }
        ]
        app["spec"]["syncPolicy"]["syncOptions"].append("RespectIgnoreDifferences=true")
        return app

    def path(self, context: EnvContext) -> str:
        """``_argocd/<env>/manifests.yaml``."""
        return app_path(ARGOCD_APP, context.name)

    def platform_project_name(self, context: EnvContext) -> str:
        """The project of the environment-wide objects."""
        return context.name

    def platform_project(self, context: EnvContext) -> dict[str, Any]:
        """Environment-wide objects: Namespaces, secret stores and the secrets themselves."""
        gitops = context.spec.gitops
        assert gitops is not None
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "AppProject",
            "metadata": self.meta(context, self.platform_project_name(context)),
            "spec": {
                "description": f"Namespaces of environment {context.name}",
                "sourceRepos": [gitops.repoURL],
                "destinations": [{"server": context.spec.cluster.server, "namespace": "*"}],
                "clusterResourceWhitelist": [
                    {"group": "", "kind": "Namespace"},
                    {"group": "external-secrets.io", "kind": "ClusterSecretStore"},
                ],
                "namespaceResourceWhitelist": [
                    {"group": "", "kind": "ConfigMap"},
                    # The Alertmanager configuration (it holds no credentials).
                    {"group": "", "kind": "Secret"},
                    {"group": "bitnami.com", "kind": "SealedSecret"},
                    {"group": "external-secrets.io", "kind": "ExternalSecret"},
                    {"group": "external-secrets.io", "kind": "SecretStore"},
                ],
            },
        }

    def project(self, context: EnvContext, team: str, space: str) -> dict[str, Any]:
        """A team's project: its own namespace in this environment's cluster only."""
        gitops = context.spec.gitops
        assert gitops is not None
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "AppProject",
            "metadata": self.meta(context, f"{team}.{context.name}"),
            "spec": {
                "description": f"Services of team {team} in {context.name}",
                "sourceRepos": [gitops.repoURL],
                "destinations": [{"server": context.spec.cluster.server, "namespace": space}],
                "clusterResourceWhitelist": [],
                "namespaceResourceWhitelist": [{"group": "*", "kind": "*"}],
            },
        }

    def namespaces_application(self, context: EnvContext) -> dict[str, Any]:
        """The environment's Namespaces, synced before everything else."""
        app = self.application(
            context,
            name=context.name,
            project=self.platform_project_name(context),
            app=NAMESPACES_APP,
            namespace=None,
        )
        app["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": NAMESPACES_WAVE}
        return app

    def secrets_application(self, context: EnvContext) -> dict[str, Any]:
        """The environment's secret objects, synced after the namespaces, before services."""
        app = self.application(
            context,
            # `<svc>.<env>` names clash with it only for an environment named "secrets".
            name=f"{context.name}.secrets",
            project=self.platform_project_name(context),
            app=SECRETS_APP,
            namespace=None,
        )
        app["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": SECRETS_WAVE}
        return app

    def observability_application(self, context: EnvContext) -> dict[str, Any]:
        """The environment's observability settings: log retention, alert routing."""
        return self.application(
            context,
            name=f"{context.name}.observability",
            project=self.platform_project_name(context),
            app=OBSERVABILITY_APP,
            namespace=None,
        )

    def application(
        self, context: EnvContext, *, name: str, project: str, app: str, namespace: str | None
    ) -> dict[str, Any]:
        """An Application syncing ``rendered/<env>/<app>`` as plain YAML."""
        gitops = context.spec.gitops
        assert gitops is not None
        sync = gitops.sync
        automated = sync.automated if sync.automated is not None else not context.spec.protected
        destination: dict[str, Any] = {"server": context.spec.cluster.server}
        if namespace is not None:
            destination["namespace"] = namespace
        policy: dict[str, Any] = {}
        if automated:
            policy["automated"] = {"prune": sync.prune, "selfHeal": sync.selfHeal}
        policy["syncOptions"] = ["ServerSideApply=true"]
        meta = self.meta(context, name)
        # Deleting the Application (a service removed) deletes what it deployed.
        meta["finalizers"] = ["resources-finalizer.argocd.argoproj.io"]
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": meta,
            "spec": {
                "project": project,
                "source": self.source(context, app),
                "destination": destination,
                "syncPolicy": policy,
            },
        }

    def source(self, context: EnvContext, app: str) -> dict[str, Any]:
        """`rendered/<env>/<app>` on the target revision, or `<env>/<app>` on the hydrate branch."""
        gitops = context.spec.gitops
        assert gitops is not None
        if gitops.hydrateBranch is not None:
            revision, path = gitops.hydrateBranch, f"{context.name}/{app}"
        else:
            revision, path = gitops.targetRevision, f"{context.output_path}/{context.name}/{app}"
        return {
            "repoURL": gitops.repoURL,
            "targetRevision": revision,
            "path": path,
            "directory": {"recurse": False},
        }

    def meta(self, context: EnvContext, name: str) -> dict[str, Any]:
        """Metadata of an Argo CD object in Argo CD's namespace."""
        gitops = context.spec.gitops
        assert gitops is not None
        return environment_metadata(context, name, gitops.argocdNamespace)
