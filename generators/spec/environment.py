"""The Environment kind: a cluster and its defaults (dev, staging, production, ...)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

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


class Environment(StrictModel):
    """An Environment spec file: `environments/<name>.yaml`."""

    apiVersion: Literal["platform/v1"] = Field(description="Spec format version.")
    kind: Literal["Environment"] = Field(description="Always `Environment`.")
    metadata: EnvironmentMetadata = Field(description="The environment's name.")
    spec: EnvironmentSpec = Field(description="Cluster, domain and defaults.")


KIND = Kind(name="Environment", model=Environment, directory="environments")
