"""The Environment kind: a cluster and its defaults (dev, staging, production, ...)."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import Kind, Ref, StrictModel
from generators.spec.cost import PriceTable
from generators.spec.resources import Offers
from generators.spec.service import Resources

ImageTag = Annotated[
    str,
    Field(
        pattern=r"^([\w][\w.-]{0,127}|sha256:[a-f0-9]{64})$",
        description="An image tag (`1.4.2`) or digest (`sha256:...`). Quote numeric tags.",
    ),
]


class EnvironmentMetadata(StrictModel):
    """The environment's identity."""

    name: str = Field(description="Environment name; must equal the file name without `.yaml`.")


class Cluster(StrictModel):
    """The cluster an environment deploys to."""

    name: str = Field(min_length=1, description="Cluster name as Argo CD knows it.")
    server: str = Field(
        default="https://kubernetes.default.svc",
        pattern=r"^https://\S+$",
        description="API server URL (Argo CD destination).",
    )


class Defaults(StrictModel):
    """Defaults for every service in the environment, below each service's own spec."""

    resources: Resources = Field(
        default_factory=Resources, description="Default requests and limits."
    )
    replicas: int = Field(default=1, ge=0, description="Replicas when a service sets no scaling.")


class GatewayRef(StrictModel):
    """A Gateway API Gateway that HTTPRoutes attach to."""

    name: str = Field(min_length=1, description="Gateway name.")
    namespace: str = Field(min_length=1, description="Namespace of the Gateway.")


class Routing(StrictModel):
    """How public traffic enters the environment's cluster."""

    kind: Literal["ingress", "gateway"] = Field(
        default="ingress",
        description="`ingress`: networking.k8s.io/v1 Ingress; `gateway`: Gateway API HTTPRoute.",
    )
    ingressClass: str = Field(default="nginx", description="IngressClass of the Ingresses.")
    clusterIssuer: str = Field(
        default="letsencrypt",
        description="cert-manager ClusterIssuer that issues TLS certificates for Ingresses.",
    )
    controllerNamespace: str = Field(
        default="ingress-nginx",
        description="Namespace of the ingress controller or gateway pods; network policies "
        "let traffic in from there.",
    )
    gateway: GatewayRef | None = Field(
        default=None, description="The Gateway HTTPRoutes attach to (for `kind: gateway`)."
    )
    loadBalancers: bool = Field(
        default=True,
        description="Whether services may use `expose.type: LoadBalancer` here (each one "
        "is a cloud load balancer, billed, and reachable from outside the cluster).",
    )
    nodePorts: bool = Field(
        default=True,
        description="Whether services may use `expose.type: NodePort` here (a port open "
        "on every node).",
    )

    @model_validator(mode="after")
    def _gateway_named(self) -> Self:
        if self.kind == "gateway" and self.gateway is None:
            raise PydanticCustomError(
                "invalid_combination", "`kind: gateway` needs `gateway: {name, namespace}`"
            )
        return self


class Sync(StrictModel):
    """How Argo CD keeps the environment in sync with the rendered tree."""

    automated: bool | None = Field(
        default=None,
        description="Sync on every change. Default: on, except for protected environments.",
    )
    prune: bool = Field(default=True, description="Delete objects no longer rendered.")
    selfHeal: bool = Field(default=True, description="Undo changes made in the cluster.")


class GitOps(StrictModel):
    """Where Argo CD finds the rendered tree."""

    repoURL: str = Field(
        pattern=r"^(https://|ssh://|git@)\S+$", description="Git URL of this repository."
    )
    targetRevision: str = Field(default="main", description="Branch, tag or commit to sync.")
    hydrateBranch: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*([./][A-Za-z0-9][A-Za-z0-9_-]*)*$",
        description="Branch `platform hydrate` commits this environment's rendered tree to; "
        "its Applications then sync `<env>/<app>` from that branch instead of `rendered/`.",
    )
    argocdNamespace: str = Field(default="argocd", description="Namespace Argo CD runs in.")
    sync: Sync = Field(default_factory=Sync, description="Automated sync, prune, self-heal.")


class ServiceAccountRef(StrictModel):
    """A ServiceAccount the secret store authenticates as."""

    name: str = Field(min_length=1, description="ServiceAccount name.")
    namespace: str | None = Field(
        default=None, description="Its namespace (for a ClusterSecretStore)."
    )


class VaultStore(StrictModel):
    """HashiCorp Vault's KV engine, with Kubernetes auth."""

    server: str = Field(pattern=r"^https://\S+$", description="Vault address.")
    path: str = Field(default="secret", min_length=1, description="KV mount path.")
    version: Literal["v1", "v2"] = Field(default="v2", description="KV engine version.")
    role: str = Field(min_length=1, description="Vault role of the Kubernetes auth method.")
    mountPath: str = Field(default="kubernetes", description="Mount of the Kubernetes auth method.")
    serviceAccount: ServiceAccountRef | None = Field(
        default=None, description="ServiceAccount whose token logs in; default the operator's."
    )


class AwsStore(StrictModel):
    """AWS Secrets Manager or Parameter Store."""

    service: Literal["SecretsManager", "ParameterStore"] = Field(
        default="SecretsManager", description="Which AWS service."
    )
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$", description="AWS region.")
    role: str | None = Field(
        default=None,
        pattern=r"^arn:aws[-a-z]*:iam::[0-9]{12}:role/\S+$",
        description="Role to assume.",
    )
    serviceAccount: ServiceAccountRef | None = Field(
        default=None, description="IRSA: ServiceAccount whose token is exchanged for credentials."
    )


class GcpStore(StrictModel):
    """Google Cloud Secret Manager, with Workload Identity."""

    projectID: str = Field(min_length=1, description="Project holding the secrets.")
    clusterName: str | None = Field(default=None, description="GKE cluster (Workload Identity).")
    clusterLocation: str | None = Field(default=None, description="GKE cluster location.")
    serviceAccount: ServiceAccountRef | None = Field(
        default=None, description="ServiceAccount bound to a Google service account."
    )


class SecretStoreSpec(StrictModel):
    """An External Secrets store: exactly one of `vault`, `aws` or `gcp`."""

    kind: Literal["ClusterSecretStore", "SecretStore"] = Field(
        default="ClusterSecretStore",
        description="`ClusterSecretStore`: one for the cluster; `SecretStore`: one per "
        "namespace that uses it.",
    )
    vault: VaultStore | None = Field(default=None, description="HashiCorp Vault.")
    aws: AwsStore | None = Field(default=None, description="AWS Secrets Manager.")
    gcp: GcpStore | None = Field(default=None, description="Google Secret Manager.")

    @model_validator(mode="after")
    def _one_provider(self) -> Self:
        given = [n for n in ("vault", "aws", "gcp") if getattr(self, n) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "invalid_combination",
                "a store needs exactly one of vault, aws or gcp (found {found})",
                {"found": ", ".join(given) or "none"},
            )
        return self


class Sealing(StrictModel):
    """The environment's Sealed Secrets controller."""

    certificate: str = Field(
        pattern=r"^environments/[-._/a-zA-Z0-9]+\.(pem|crt)$",
        description="Path, from the repository root and under environments/, of the "
        "controller's public certificate (`kubeseal --fetch-cert`); public, committed.",
    )
    controllerName: str = Field(
        default="sealed-secrets-controller", description="Controller name (kubeseal flag)."
    )
    controllerNamespace: str = Field(
        default="kube-system", description="Controller namespace (kubeseal flag)."
    )


class SecretsSettings(StrictModel):
    """How secrets reach this environment's cluster."""

    sealing: Sealing | None = Field(
        default=None, description="Sealed Secrets controller; needed for `sealed` secrets."
    )
    stores: dict[Ref, SecretStoreSpec] = Field(
        default_factory=dict, description="External Secrets stores by name."
    )
    rbac: bool = Field(
        default=False,
        description="Render a Role per service that may read only the Secrets it uses.",
    )
    rotationGrace: Annotated[str, Field(pattern=r"^[1-9][0-9]{0,3}[hdw]$")] = Field(
        default="14d",
        description="How long past due a secret may be before a protected environment fails.",
    )


class AlertmanagerRef(StrictModel):
    """The environment's Alertmanager (Prometheus Operator), which loads the routing."""

    namespace: str = Field(default="monitoring", description="Namespace of the Alertmanager.")
    configSecret: str = Field(
        default="alertmanager-platform",
        pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
        description="Secret the rendered configuration goes to; the Alertmanager's "
        "`spec.configSecret` names it.",
    )


class Monitoring(StrictModel):
    """How this environment's Prometheus and Alertmanager find the rendered objects."""

    ruleLabels: dict[str, str] = Field(
        default_factory=lambda: {"release": "kube-prometheus-stack"},
        description="Labels on every PrometheusRule, matching the Prometheus `ruleSelector`.",
    )
    monitorLabels: dict[str, str] = Field(
        default_factory=lambda: {"release": "kube-prometheus-stack"},
        description="Labels on every ServiceMonitor and PodMonitor, matching the Prometheus "
        "`serviceMonitorSelector` and `podMonitorSelector`.",
    )
    alertmanager: AlertmanagerRef = Field(
        default_factory=AlertmanagerRef, description="Where alert routing is rendered to."
    )
    prometheus: str = Field(
        default="http://prometheus-operated.monitoring.svc:9090",
        pattern=r"^https?://\S+$",
        description="The Prometheus that canary and blue-green analyses query (Argo "
        "Rollouts' AnalysisTemplates), as the Rollouts controller reaches it.",
    )


class Retention(StrictModel):
    """How long each retention class keeps logs (Loki durations)."""

    short: Annotated[str, Field(pattern=r"^[1-9][0-9]{0,4}[hdw]$")] = Field(
        default="7d", description="Debug-level services, batch noise."
    )
    standard: Annotated[str, Field(pattern=r"^[1-9][0-9]{0,4}[hdw]$")] = Field(
        default="30d", description="Most services."
    )
    long: Annotated[str, Field(pattern=r"^[1-9][0-9]{0,4}[hdw]$")] = Field(
        default="365d", description="Audit-relevant services (payments, ledger)."
    )


class LogStore(StrictModel):
    """The environment's Loki: the tenant its logs go to, and the retention per class."""

    tenant: str | None = Field(
        default=None, description="Loki tenant (X-Scope-OrgID). Default: the environment name."
    )
    namespace: str = Field(
        default="loki", description="Namespace of Loki, where its runtime config is rendered."
    )
    retention: Retention = Field(default_factory=Retention, description="Period per class.")


class EnvironmentSpec(StrictModel):
    """Where and how services of this environment run."""

    cluster: Cluster = Field(description="Target cluster.")
    baseDomain: str = Field(
        pattern=r"^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        max_length=200,
        description="Domain appended to bare public host labels, e.g. `dev.acme.io`.",
    )
    namespaceStrategy: Literal["per-team", "per-environment", "per-team-environment"] = Field(
        default="per-team-environment",
        description="Namespace per team (`<team>`), per environment (`<env>`), or both "
        "(`<team>-<env>`).",
    )
    order: int = Field(
        ge=0, description="Position in the promotion chain: lower promotes to the next higher."
    )
    protected: bool = Field(
        default=False, description="Changes need manual sync and an approver (production)."
    )
    defaults: Defaults = Field(default_factory=Defaults, description="Service defaults.")
    images: dict[Ref, ImageTag] = Field(
        default_factory=dict, description="Image tag pinned per service name."
    )
    routing: Routing = Field(default_factory=Routing, description="Ingress or Gateway API.")
    gitops: GitOps | None = Field(
        default=None, description="Argo CD settings; without them no Applications are rendered."
    )
    secrets: SecretsSettings = Field(
        default_factory=SecretsSettings, description="Sealing, secret stores, RBAC, rotation."
    )
    monitoring: Monitoring = Field(
        default_factory=Monitoring, description="Labels the environment's Prometheus selects."
    )
    logs: LogStore = Field(default_factory=LogStore, description="Log store and retention.")
    resources: Offers = Field(
        default_factory=dict,
        description="What services' typed dependencies get here: resource type -> class "
        "-> a `managed` instance per consumer (a Crossplane claim), a `shared` instance in "
        "the cluster, or an `external` endpoint (docs/dependencies.md).",
    )
    cost: PriceTable = Field(
        default_factory=PriceTable,
        description="Prices for `platform cost` and the cost delta in `platform diff`.",
    )


class Environment(StrictModel):
    """An Environment spec file: `environments/<name>.yaml`."""

    apiVersion: Literal["platform/v1"] = Field(description="Spec format version.")
    kind: Literal["Environment"] = Field(description="Always `Environment`.")
    metadata: EnvironmentMetadata = Field(description="The environment's name.")
    spec: EnvironmentSpec = Field(description="Cluster, domain and defaults.")


KIND = Kind(name="Environment", model=Environment, directory="environments")
