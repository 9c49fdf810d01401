"""The pod-level parts of a Service spec: ports, probes, volumes, init containers, security."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import LabelKey, LabelValue, Quantity, SecretRef, StrictModel

PortRef = Annotated[
    Annotated[int, Field(ge=1, le=65535)] | Annotated[str, Field(min_length=1, max_length=15)],
    Field(description="A port number (1-65535), or the name of a declared port."),
]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=253)]
#: A DNS-1123 label: container and volume names.
DnsLabel = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)]
MountPath = Annotated[
    str,
    Field(
        pattern=r"^(/[-._a-zA-Z0-9]+)+$",
        max_length=253,
        description="Absolute path in the container (letters, digits, '-', '.', '_').",
    ),
]
# Image references: registry/path[:tag][@digest], as the distribution spec allows.
IMAGE_PATTERN = (
    r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._/-][a-z0-9]+)*)*"
    r"(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$"
)


class ResourceAmounts(StrictModel):
    """CPU and memory for one container."""

    cpu: Quantity | None = Field(default=None, description="CPU, in cores or millicores (`250m`).")
    memory: Quantity | None = Field(default=None, description="Memory in bytes (`256Mi`, `1Gi`).")


class Resources(StrictModel):
    """Requests and limits. Limits default to the request for memory and 2x for CPU."""

    requests: ResourceAmounts = Field(
        default_factory=ResourceAmounts,
        description="What the scheduler reserves. Default: the environment's defaults, else "
        "the limit if one is set, else 100m CPU and 128Mi memory.",
    )
    limits: ResourceAmounts = Field(
        default_factory=ResourceAmounts,
        description="Hard caps. Omitted: memory = its request, CPU = twice its request.",
    )


class Port(StrictModel):
    """A named port the container listens on, and how its Service offers it."""

    name: str = Field(
        pattern=r"^[a-z]([-a-z0-9]*[a-z0-9])?$",
        max_length=15,
        description="Port name (IANA_SVC_NAME: lowercase, at most 15 characters), e.g. `http`.",
    )
    port: int = Field(ge=1, le=65535, description="Container port number.")
    protocol: Literal["TCP", "UDP", "SCTP"] = Field(default="TCP", description="L4 protocol.")
    servicePort: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="The port the Service listens on, which clients connect to (e.g. 80 in "
        "front of container port 8080). Default: the container port.",
    )
    nodePort: int | None = Field(
        default=None,
        ge=30000,
        le=32767,
        description="A fixed node port, for `expose.type: NodePort` or `LoadBalancer`. "
        "Default: the cluster assigns one.",
    )
    appProtocol: str | None = Field(
        default=None,
        pattern=r"^([a-z0-9.-]+/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        description="The application protocol (e.g. `kubernetes.io/h2c` for cleartext gRPC), "
        "for load balancers and meshes that route by it.",
    )

    @property
    def offered(self) -> int:
        """The port number the Service offers."""
        return self.servicePort if self.servicePort is not None else self.port


class HttpGet(StrictModel):
    """Probe by HTTP GET; any 2xx or 3xx answer passes."""

    path: str = Field(pattern=r"^/", description="Request path, e.g. `/healthz`.")
    port: PortRef = Field(default="http", description="Port number or name.")
    scheme: Literal["HTTP", "HTTPS"] = Field(
        default="HTTP", description="`HTTPS` skips certificate verification, as the kubelet does."
    )
    headers: dict[
        Annotated[str, Field(pattern=r"^[-A-Za-z0-9!#$%&'*+.^_`|~]+$", max_length=256)], str
    ] = Field(
        default_factory=dict,
        description="Request headers sent with the probe, name to value (e.g. a `Host` or "
        "a health-check marker the application logs apart).",
    )


class TcpSocket(StrictModel):
    """Probe by opening a TCP connection."""

    port: PortRef = Field(description="Port number or name.")


class Grpc(StrictModel):
    """Probe by the gRPC health-checking protocol."""

    port: int = Field(ge=1, le=65535, description="Port number (gRPC probes take numbers only).")
    service: str | None = Field(default=None, description="Service name sent in the request.")


class Exec(StrictModel):
    """Probe by running a command in the container; exit 0 passes."""

    command: list[str] = Field(min_length=1, description="Command and its arguments.")


class Probe(StrictModel):
    """One health check: exactly one of `http`, `tcp`, `grpc` or `exec`, plus timings."""

    http: HttpGet | None = Field(default=None, description="HTTP GET check.")
    tcp: TcpSocket | None = Field(default=None, description="TCP connect check.")
    grpc: Grpc | None = Field(default=None, description="gRPC health check.")
    exec: Exec | None = Field(default=None, description="Command check.")
    initialDelaySeconds: int | None = Field(default=None, ge=0, description="Wait before first.")
    periodSeconds: int | None = Field(default=None, ge=1, description="Seconds between checks.")
    timeoutSeconds: int | None = Field(default=None, ge=1, description="Seconds per check.")
    failureThreshold: int | None = Field(default=None, ge=1, description="Failures to fail.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [n for n in ("http", "tcp", "grpc", "exec") if getattr(self, n) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "invalid_combination",
                "a probe needs exactly one of http, tcp, grpc or exec (found {found})",
                {"found": ", ".join(given) or "none"},
            )
        return self


class Probes(StrictModel):
    """Health checks Kubernetes runs against the container."""

    liveness: Probe | None = Field(default=None, description="Restart the container on failure.")
    readiness: Probe | None = Field(default=None, description="Withhold traffic on failure.")
    startup: Probe | None = Field(default=None, description="Hold other probes until it passes.")


class EmptyDir(StrictModel):
    """A scratch directory that lives as long as the pod."""

    memory: bool = Field(
        default=False, description="Back it with memory (tmpfs); it counts against the limit."
    )
    sizeLimit: Quantity | None = Field(
        default=None, description="Most it may hold (`1Gi`); the pod is evicted past it."
    )


class ClaimVolume(StrictModel):
    """A PersistentVolumeClaim: an existing one by name, or one the service owns."""

    claimName: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        max_length=253,
        description="An existing claim to mount. Omit it to have the platform render a claim "
        "named `<service>-<volume>` of `size`.",
    )
    size: Quantity | None = Field(default=None, description="Size of the claim rendered here.")
    storageClass: str | None = Field(
        default=None, description="StorageClass of the rendered claim; default the cluster's."
    )
    accessMode: Literal["ReadWriteOnce", "ReadWriteOncePod", "ReadOnlyMany", "ReadWriteMany"] = (
        Field(default="ReadWriteOnce", description="Access mode of the rendered claim.")
    )

    @model_validator(mode="after")
    def _one_claim(self) -> Self:
        if (self.claimName is None) == (self.size is None):
            raise PydanticCustomError(
                "invalid_combination",
                "a claim needs exactly one of `claimName` (an existing claim) or `size` "
                "(one rendered for the service)",
            )
        return self


class ConfigMapVolume(StrictModel):
    """An existing ConfigMap (not managed by the platform), mounted as a directory."""

    name: str = Field(
        pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        max_length=253,
        description="Name of the ConfigMap, in the service's namespace.",
    )
    items: dict[str, Annotated[str, Field(pattern=r"^[^/].*$")]] = Field(
        default_factory=dict,
        description="Only these keys, each at a relative path (key to path). Default: every key.",
    )
    optional: bool = Field(default=False, description="Start the pod even if it is missing.")


class Volume(StrictModel):
    """A directory mounted into the container: exactly one of `emptyDir`, `claim`, `configMap`."""

    name: str = Field(
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        max_length=59,  # rendered as `vol-<name>`, a DNS label of at most 63
        description="Volume name, unique within the service (at most 59 characters).",
    )
    path: MountPath = Field(description="Where it is mounted in the container.")
    readOnly: bool = Field(default=False, description="Mount it read-only.")
    emptyDir: EmptyDir | None = Field(
        default=None, description="A writable scratch directory (a cache's `/data`)."
    )
    claim: ClaimVolume | None = Field(
        default=None, description="A PersistentVolumeClaim: data that outlives the pod."
    )
    configMap: ConfigMapVolume | None = Field(
        default=None, description="An existing ConfigMap's keys as files."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [n for n in ("emptyDir", "claim", "configMap") if getattr(self, n) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "invalid_combination",
                "a volume needs exactly one of emptyDir, claim or configMap (found {found})",
                {"found": ", ".join(given) or "none"},
            )
        return self


class InitContainer(StrictModel):
    """A container that runs to completion before the service's container starts."""

    name: DnsLabel = Field(description="Container name, unique within the pod.")
    image: str = Field(
        pattern=IMAGE_PATTERN,
        description="Image, pinned with a tag or digest here (environments pin only the "
        "service's own image).",
    )
    command: list[str] | None = Field(default=None, description="Replaces the image entrypoint.")
    args: list[str] | None = Field(default=None, description="Arguments to the entrypoint.")
    env: dict[EnvName, str | int | bool | SecretRef] = Field(
        default_factory=dict,
        description="Environment variables, like the service's own: literals, `${...}` "
        "references, or `{secret: NAME, key: KEY}` from a Secret spec the service may use.",
    )
    volumes: list[DnsLabel] | None = Field(
        default=None,
        description="Names of the service's `volumes` to mount, at their paths. Default: all.",
    )
    resources: Resources = Field(
        default_factory=Resources,
        description="Requests and limits, defaulted like the service's own (not from it).",
    )


class PodSettings(StrictModel):
    """Metadata and lifetime of the pods, apart from the objects' own metadata."""

    labels: dict[LabelKey, LabelValue] = Field(
        default_factory=dict,
        description="Labels on the pod template only (e.g. a mesh's `sidecar.istio.io/inject`); "
        "they may not replace the labels the platform selects pods by.",
    )
    annotations: dict[LabelKey, str] = Field(
        default_factory=dict,
        description="Annotations on the pod template only (e.g. `linkerd.io/inject: enabled`).",
    )
    terminationGracePeriodSeconds: int | None = Field(
        default=None,
        ge=0,
        le=86400,
        description="Seconds a pod has to shut down after SIGTERM before it is killed "
        "(Kubernetes' default is 30).",
    )
    containerName: DnsLabel | None = Field(
        default=None, description="Name of the service's container; default the service name."
    )


class Security(StrictModel):
    """Pod security settings; anything below `restricted` is reported as a warning."""

    profile: Literal["restricted", "baseline"] = Field(
        default="restricted",
        description="`restricted`: non-root, seccomp RuntimeDefault, no privilege escalation, "
        "no capabilities. `baseline` lifts the non-root and seccomp requirements.",
    )
    readOnlyRootFilesystem: bool = Field(
        default=True,
        description="Root filesystem read-only; /tmp and the `volumes` stay writable.",
    )
    runAsUser: int = Field(default=10001, ge=1, description="User ID the container runs as.")
