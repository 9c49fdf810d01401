"""The Service kind: one deployable workload owned by a team."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import (
    Kind,
    LabelKey,
    LabelValue,
    Ref,
    SecretRef,
    StrictModel,
    partial,
)
from generators.spec.ci import Source
from generators.spec.delivery import DEFAULT_DELIVERY, Delivery
from generators.spec.observability import Alerts, Logs, Metrics, SLOSpec
from generators.spec.patches import Patch, PatchName
from generators.spec.pods import (
    IMAGE_PATTERN,
    EnvName,
    InitContainer,
    PodSettings,
    Port,
    PortRef,
    Probe,
    Probes,
    Resources,
    Security,
    Volume,
)
from generators.spec.resources import ResourceDependency
from generators.spec.secret import Date
from generators.spec.webhooks import Webhooks

Lifecycle = Literal["planning", "development", "staging", "production", "maintenance", "retired"]
WorkloadType = Literal["web", "worker", "cron", "job"]


def _dependency_tag(value: object) -> str:
    return "resource" if isinstance(value, dict) else "service"


#: A `dependsOn` entry: a service's name, or a typed resource `{type, class}`.
Dependency = Annotated[
    Annotated[Ref, Tag("service")] | Annotated[ResourceDependency, Tag("resource")],
    Discriminator(_dependency_tag),
]


class ServiceMetadata(StrictModel):
    """Who a service is and who owns it."""

    name: str = Field(description="Service name; must equal the file name without `.yaml`.")
    team: Ref = Field(description="Owning team: the `metadata.name` of a Team spec.")
    lifecycle: Lifecycle = Field(
        default="development",
        description="Lifecycle stage. Retired services may not be depended on.",
    )
    retireAfter: Date | None = Field(
        default=None,
        description="With `lifecycle: retired`: until this day it stays, scaled to zero "
        "(a rollback is one line); from it on, nothing of it is rendered.",
    )
    description: str = Field(default="", description="One line saying what the service does.")
    labels: dict[LabelKey, LabelValue] = Field(
        default_factory=dict, description="Extra labels added to every rendered object."
    )
    annotations: dict[LabelKey, str] = Field(
        default_factory=dict, description="Extra annotations added to every rendered object."
    )

    @model_validator(mode="after")
    def _retire_after_when_retired(self) -> Self:
        if self.retireAfter is not None and self.lifecycle != "retired":
            raise PydanticCustomError(
                "invalid_combination",
                "`retireAfter` is for `lifecycle: retired` (this one is {stage!r})",
                {"stage": self.lifecycle},
            )
        return self


class Scaling(StrictModel):
    """Either a fixed replica count, or autoscaling between `min` and `max`."""

    replicas: int | None = Field(default=None, ge=0, description="Fixed number of replicas.")
    min: int | None = Field(default=None, ge=1, description="Autoscaling: fewest replicas.")
    max: int | None = Field(default=None, ge=1, description="Autoscaling: most replicas.")
    targetCPU: int | None = Field(
        default=None, ge=1, le=100, description="Autoscaling: target CPU use, % of request."
    )
    targetMemory: int | None = Field(
        default=None, ge=1, le=100, description="Autoscaling: target memory use, % of request."
    )

    @model_validator(mode="after")
    def _one_mode(self) -> Self:
        autoscaling = [n for n in ("min", "max", "targetCPU", "targetMemory") if getattr(self, n)]
        if self.replicas is not None and autoscaling:
            raise PydanticCustomError(
                "invalid_combination",
                "`replicas` and autoscaling ({fields}) exclude each other",
                {"fields": ", ".join(autoscaling)},
            )
        missing = [n for n in ("min", "max") if getattr(self, n) is None]
        if autoscaling and missing:
            raise PydanticCustomError(
                "invalid_combination",
                "autoscaling needs `{missing}` as well",
                {"missing": "` and `".join(missing)},
            )
        if autoscaling and self.targetCPU is None and self.targetMemory is None:
            raise PydanticCustomError(
                "invalid_combination", "autoscaling needs `targetCPU` and/or `targetMemory`"
            )
        return self


class Expose(StrictModel):
    """How the service is reached: inside the cluster only, or from the internet."""

    visibility: Literal["internal", "public"] = Field(
        default="internal", description="`internal`: cluster only. `public`: an ingress route."
    )
    hosts: list[Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]] = Field(
        default_factory=list,
        description="Public hosts. A bare label (`shop`) gets the environment's base domain; "
        "a name with dots is used as written.",
    )
    paths: list[Annotated[str, Field(pattern=r"^/")]] = Field(
        default_factory=lambda: ["/"], description="Path prefixes routed to the service."
    )
    port: PortRef | None = Field(
        default=None, description="Port name or number to route to; default the first port."
    )
    tls: bool = Field(default=True, description="Serve the public hosts over HTTPS.")
    type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = Field(
        default="ClusterIP",
        description="The Service's type. `LoadBalancer` or `NodePort` also expose its ports "
        "outside the cluster (besides any ingress route), where the environment allows it.",
    )
    loadBalancerSourceRanges: list[
        Annotated[str, Field(pattern=r"^[0-9a-fA-F:.]+/[0-9]{1,3}$")]
    ] = Field(
        default_factory=list,
        description="Client address ranges (CIDR) a `LoadBalancer` admits; default any.",
    )
    externalTrafficPolicy: Literal["Cluster", "Local"] | None = Field(
        default=None,
        description="`Local` keeps client addresses and skips the extra hop between nodes "
        "(for `NodePort` and `LoadBalancer`); default the cluster's (`Cluster`).",
    )
    serviceAnnotations: dict[LabelKey, str] = Field(
        default_factory=dict,
        description="Annotations on the Service object only, e.g. a cloud load balancer's "
        "`service.beta.kubernetes.io/aws-load-balancer-type: nlb`.",
    )


class ConfigFile(StrictModel):
    """A file mounted read-only into the container, from a ConfigMap."""

    path: str = Field(
        pattern=r"^(/[-._a-zA-Z0-9]+)+$",
        max_length=253,
        description="Absolute path of the mounted file (letters, digits, '-', '.', '_').",
    )
    content: str = Field(description="The file's content. Secrets do not belong here.")


EnvValue = Annotated[
    str | int | bool | SecretRef,
    Field(
        description="A literal, a `${...}` reference such as `${services.api.url}`, or "
        "`{secret: NAME, key: KEY}` to take the value from a Secret spec."
    ),
]


class SecretFile(StrictModel):
    """A file mounted read-only into the container from a key of a Secret spec."""

    path: str = Field(
        pattern=r"^(/[-._a-zA-Z0-9]+)+$",
        max_length=253,
        description="Absolute path of the mounted file.",
    )
    secret: Ref = Field(description="Name of the Secret spec.")
    key: str = Field(min_length=1, description="Key inside that secret.")


class Workload(StrictModel):
    """What to run and how: the part of a service spec an environment may override."""

    type: WorkloadType = Field(
        default="web",
        description="`web`: serves traffic; `worker`: no Service; `cron`: runs on `schedule`; "
        "`job`: runs once to completion.",
    )
    schedule: str | None = Field(
        default=None, description="Cron schedule (5 fields, UTC), for `type: cron` only."
    )
    image: str = Field(
        pattern=IMAGE_PATTERN,
        description="Container image. The tag is pinned per environment in its `images` map.",
    )
    command: list[str] | None = Field(default=None, description="Replaces the image entrypoint.")
    args: list[str] | None = Field(default=None, description="Arguments to the entrypoint.")
    ports: list[Port] = Field(default_factory=list, description="Ports the container serves.")
    env: dict[EnvName, EnvValue] = Field(
        default_factory=dict, description="Environment variables; values may use `${...}`."
    )
    resources: Resources = Field(
        default_factory=Resources, description="CPU and memory requests and limits."
    )
    scaling: Scaling | None = Field(
        default=None, description="Replica count or autoscaling; default from the environment."
    )
    probes: Probes = Field(default_factory=Probes, description="Liveness/readiness/startup.")
    expose: Expose = Field(default_factory=Expose, description="Internal or public exposure.")
    dependsOn: list[Dependency] = Field(
        default_factory=list,
        description="Services this one calls, by name (opens network policy), and resources "
        "it needs, `{type, class}` (postgres, redis, ...), which each environment provides "
        "and wires in as env vars.",
    )
    configFiles: list[ConfigFile] = Field(
        default_factory=list, description="Files mounted into the container."
    )
    secretFiles: list[SecretFile] = Field(
        default_factory=list, description="Files mounted from Secret specs."
    )
    integrations: list[Ref] = Field(
        default_factory=list,
        description="Integration instances used (platform/integrations/<name>.yaml): their "
        "settings and credentials are injected as env vars, their hosts opened for egress.",
    )
    webhooks: Webhooks = Field(
        default_factory=Webhooks, description="Incoming webhook endpoints and subscriptions."
    )
    metrics: Metrics | None = Field(
        default=None, description="Where Prometheus scrapes metrics (ServiceMonitor/PodMonitor)."
    )
    alerts: Alerts = Field(
        default_factory=Alerts, description="Default alert thresholds and custom alerts."
    )
    slos: list[SLOSpec] = Field(
        default_factory=list, description="Service level objectives (burn-rate alerts)."
    )
    logs: Logs = Field(default_factory=Logs, description="Log format and retention class.")
    serviceAccountToken: bool = Field(
        default=False,
        description="Mount the service account token (only for pods that call the Kubernetes API).",
    )
    security: Security = Field(
        default_factory=Security,
        description="Pod security. The default meets the `restricted` Pod Security Standard.",
    )
    volumes: list[Volume] = Field(
        default_factory=list,
        description="Directories mounted into the container besides `/tmp`: scratch space, "
        "persistent claims, existing ConfigMaps.",
    )
    initContainers: list[InitContainer] = Field(
        default_factory=list,
        description="Containers run in order before the service's own starts (wait for a "
        "dependency, prepare a volume); they get the same hardened security context.",
    )
    pod: PodSettings = Field(
        default_factory=PodSettings,
        description="Pod-template labels and annotations, shutdown grace, container name.",
    )
    delivery: Delivery = Field(
        default_factory=lambda: DEFAULT_DELIVERY,
        description="How a new version replaces the old: rolling (default), recreate, "
        "canary or blueGreen, with its analysis (docs/delivery.md).",
    )
    patches: dict[PatchName, Patch] = Field(
        default_factory=dict,
        description="The escape hatch: changes to the rendered objects, by name. An "
        "environment's block adds, replaces (same name) or removes (`null`) patches.",
    )

    @property
    def calls(self) -> list[str]:
        """The services named in ``dependsOn`` (its typed resources left out)."""
        return [d for d in self.dependsOn if isinstance(d, str)]


class ServiceSpec(Workload):
    """The workload, plus its per-environment overrides and where its code lives."""

    source: Source | None = Field(
        default=None,
        description="Where the code lives and its stack: generates the service's CI workflow.",
    )

    environments: dict[str, partial(Workload)] = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="Per-environment overrides, keyed by environment name. Maps merge into "
        "the spec deeply, lists replace, and `null` removes a key.",
    )


class Service(StrictModel):
    """A Service spec file: `platform/services/<name>.yaml`."""

    apiVersion: Literal["platform/v1"] = Field(description="Spec format version.")
    kind: Literal["Service"] = Field(description="Always `Service`.")
    metadata: ServiceMetadata = Field(description="Name, owner and lifecycle.")
    spec: ServiceSpec = Field(description="The workload and its per-environment overrides.")


KIND = Kind(name="Service", model=Service, directory="platform/services")


__all__ = [
    "IMAGE_PATTERN",
    "EnvName",
    "Expose",
    "Port",
    "PortRef",
    "Probe",
    "Probes",
    "Resources",
    "Security",
    "Service",
    "Workload",
]
