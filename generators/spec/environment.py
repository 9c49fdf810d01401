"""The Environment kind: a cluster and its defaults (dev, staging, production, ...)."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import Kind, Ref, StrictModel
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
    argocdNamespace: str = Field(default="argocd", description="Namespace Argo CD runs in.")
    sync: Sync = Field(default_factory=Sync, description="Automated sync, prune, self-heal.")


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


class Environment(StrictModel):
    """An Environment spec file: `environments/<name>.yaml`."""

    apiVersion: Literal["platform/v1"] = Field(description="Spec format version.")
    kind: Literal["Environment"] = Field(description="Always `Environment`.")
    metadata: EnvironmentMetadata = Field(description="The environment's name.")
    spec: EnvironmentSpec = Field(description="Cluster, domain and defaults.")


KIND = Kind(name="Environment", model=Environment, directory="environments")
