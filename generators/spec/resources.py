"""Typed dependencies: what a service needs (a postgres, a bucket) and what an environment offers.

A service asks for `{type: postgres, class: small}` in `dependsOn`; each environment
says, under `spec.resources`, how it provides each class of each type: a
platform-managed instance per consumer (a Crossplane claim), a shared instance in the
cluster, or an external endpoint. The service gets the same connection env vars
whichever it is, with every credential taken from a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from generators.spec.base import LabelKey, LabelValue, Ref, StrictModel

ResourceType = Literal["postgres", "mysql", "redis", "mongodb", "s3", "queue"]
#: A class of a resource type an environment offers (`small`, `ha`, ...).
ClassName = Annotated[
    str,
    Field(
        pattern=r"^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$",
        description="A class the environments offer for this type, e.g. `small` or `ha`.",
    ),
]
DependencyName = Annotated[
    str,
    Field(
        pattern=r"^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$",
        description="Names the dependency: its env vars' prefix (`orders-db` -> "
        "`ORDERS_DB_URL`) and its managed instance (`<service>-<name>`).",
    ),
]
#: A key of a secret (see spec/secret.py's SecretKeyName; a looser form suffices here,
#: the secret checks compare it with the secret's keys).
KeyName = Annotated[str, Field(min_length=1, max_length=253, pattern=r"^[-._a-zA-Z0-9]+$")]
DnsName = Annotated[
    str,
    Field(
        pattern=r"^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
        max_length=253,
        description="Host name the service connects to.",
    ),
]
Port = Annotated[int, Field(ge=1, le=65535)]


@dataclass(frozen=True)
class Part:
    """One connection value of a resource type, and the env var it becomes."""

    #: Its name in `keys` and `settings` (`host`, `password`, `database`, ...).
    name: str
    #: The env var's suffix after the prefix (`HOST` -> `ORDERS_DB_HOST`).
    env: str
    #: `endpoint` (host, port), `credential` (always from a secret) or `setting`.
    role: Literal["endpoint", "credential", "setting"]
    #: The key a Crossplane connection secret holds it under, by convention.
    connection_key: str


_HOST = Part("host", "HOST", "endpoint", "endpoint")
_PORT = Part("port", "PORT", "endpoint", "port")
_USER = Part("username", "USER", "credential", "username")
_PASSWORD = Part("password", "PASSWORD", "credential", "password")
_DATABASE = Part("database", "DATABASE", "setting", "database")


@dataclass(frozen=True)
class TypeInfo:
    """What a resource type connects with: its default port, its parts, its URL."""

    port: int
    parts: tuple[Part, ...]
    #: The URL composed from the parts (`{HOST}` is the part's env var), by TLS or not;
    #: None for a type whose clients take the parts alone.
    url: tuple[str, str] | None
    #: The port when TLS is on, where the protocol moves to another one (AMQPS).
    tls_port: int | None = None

    def part(self, name: str) -> Part | None:
        """The part called ``name``, if the type has one."""
        return next((p for p in self.parts if p.name == name), None)


_SQL = (_HOST, _PORT, _USER, _PASSWORD, _DATABASE)
TYPES: dict[str, TypeInfo] = {
    "postgres": TypeInfo(
        5432,
        _SQL,
        (
            "postgresql://{USER}:{PASSWORD}@{HOST}:{PORT}/{DATABASE}?sslmode=require",
            "postgresql://{USER}:{PASSWORD}@{HOST}:{PORT}/{DATABASE}?sslmode=disable",
        ),
    ),
    "mysql": TypeInfo(
        3306,
        _SQL,
        (
            "mysql://{USER}:{PASSWORD}@{HOST}:{PORT}/{DATABASE}?ssl-mode=REQUIRED",
            "mysql://{USER}:{PASSWORD}@{HOST}:{PORT}/{DATABASE}",
        ),
    ),
    "mongodb": TypeInfo(
        27017,
        _SQL,
        (
            "mongodb://{USER}:{PASSWORD}@{HOST}:{PORT}/{DATABASE}?tls=true",
            "mongodb://{USER}:{PASSWORD}@{HOST}:{PORT}/{DATABASE}",
        ),
    ),
    "redis": TypeInfo(
        6379,
        (_HOST, _PORT, _PASSWORD),
        ("rediss://:{PASSWORD}@{HOST}:{PORT}", "redis://:{PASSWORD}@{HOST}:{PORT}"),
    ),
    "queue": TypeInfo(
        5672,
        (_HOST, _PORT, _USER, _PASSWORD, Part("vhost", "VHOST", "setting", "vhost")),
        (
            "amqps://{USER}:{PASSWORD}@{HOST}:{PORT}/{VHOST}",
            "amqp://{USER}:{PASSWORD}@{HOST}:{PORT}/{VHOST}",
        ),
        tls_port=5671,
    ),
    "s3": TypeInfo(
        443,
        (
            _HOST,
            _PORT,
            Part("bucket", "BUCKET", "setting", "bucket"),
            Part("region", "REGION", "setting", "region"),
            Part("access-key-id", "ACCESS_KEY_ID", "credential", "access-key-id"),
            Part("secret-access-key", "SECRET_ACCESS_KEY", "credential", "secret-access-key"),
        ),
        ("https://{HOST}:{PORT}", "http://{HOST}:{PORT}"),
    ),
}
#: Every part name any type has, and `url` (a ready URL a secret may hold instead).
PART_NAMES = frozenset({p.name for t in TYPES.values() for p in t.parts} | {"url"})


class ResourceDependency(StrictModel):
    """A resource the service needs, provided by each environment it runs in."""

    type: ResourceType = Field(
        description="`postgres`, `mysql`, `redis`, `mongodb`, `s3` (an object store "
        "bucket) or `queue` (AMQP, e.g. RabbitMQ)."
    )
    class_: ClassName = Field(
        default="small",
        alias="class",
        description="The size or availability class, as the environments define it under "
        "`spec.resources.<type>` (e.g. `small`, `ha`).",
    )
    name: DependencyName | None = Field(
        default=None,
        description="Names the dependency (default: its type): the env vars' prefix and "
        "the managed instance's name. Needed to depend on two of one type.",
    )

    @property
    def key(self) -> str:
        """The dependency's name, its type's when not given."""
        return self.name or self.type

    @property
    def prefix(self) -> str:
        """Its env vars' prefix: `orders-db` -> `ORDERS_DB`."""
        return self.key.upper().replace("-", "_")


class Claim(StrictModel):
    """The Crossplane claim the platform renders for each consumer of a managed class."""

    apiVersion: str = Field(
        pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/v[0-9]+((alpha|beta)[0-9]+)?$",
        description="The claim's API group and version, from your XRD (e.g. "
        "`platform.acme.io/v1alpha1`).",
    )
    kind: str = Field(
        pattern=r"^[A-Z][A-Za-z0-9]{0,62}$",
        description="The claim kind your XRD names (`claimNames.kind`), e.g. `PostgreSQLInstance`.",
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="The claim's `spec.parameters` (your XRD's schema)."
    )
    compositionLabels: dict[LabelKey, LabelValue] = Field(
        default_factory=dict,
        description="Labels that select the Composition (`spec.compositionSelector.matchLabels`).",
    )


class _Provided(StrictModel):
    """What every provider says: how its secret's keys map, and whether TLS is on."""

    keys: dict[KeyName, KeyName] = Field(
        default_factory=dict,
        description="Connection part -> key in the secret, where it differs from the "
        "default (the part's name; for a managed claim, Crossplane's `endpoint`, `port`, "
        "`username`, `password`). Map `url` to take a ready URL instead of composing one.",
    )
    tls: bool = Field(
        default=True,
        description="Whether connections use TLS (decides the URL's scheme or parameter).",
    )


class Managed(_Provided):
    """A platform-managed instance per consumer: a Crossplane claim in its namespace."""

    provider: Literal["managed"] = Field(description="Always `managed` here.")
    claim: Claim = Field(description="The claim to render; its connection secret is wired.")


class _Endpoint(_Provided):
    """An instance the platform does not create: where it is, and whose credentials."""

    host: DnsName = Field(description="Host name the service connects to.")
    port: Port | None = Field(default=None, description="Port; default the type's own.")
    secret: Annotated[str, Field(pattern=r"^[a-z0-9{]([-a-z0-9{}]*[a-z0-9}])?$")] = Field(
        description="Secret spec holding the credentials; `{service}` is replaced by the "
        "consuming service's name, for one login per service (e.g. `{service}-pg`).",
        max_length=63,
    )
    settings: dict[KeyName, str] = Field(
        default_factory=dict,
        description="Non-secret parts (`database`, `bucket`, `region`, `vhost`); "
        "`{service}` is replaced by the consuming service's name.",
    )


class Shared(_Endpoint):
    """A shared instance running in the cluster, used by many services."""

    provider: Literal["shared"] = Field(description="Always `shared` here.")
    namespace: Ref = Field(description="Namespace it runs in: egress is opened to it only.")
    selector: dict[LabelKey, LabelValue] = Field(
        default_factory=dict,
        description="Labels of its pods, to narrow egress to them (default: the whole namespace).",
    )


class External(_Endpoint):
    """An endpoint outside the cluster (a cloud database, a bucket's API)."""

    provider: Literal["external"] = Field(description="Always `external` here.")


Provider = Annotated[Managed | Shared | External, Field(discriminator="provider")]
#: An environment's offer: type -> class -> how it is provided.
Offers = dict[ResourceType, dict[ClassName, Provider]]
