"""The Secret kind: a credential per environment, sealed in git or held in an external store.

The value never appears in a spec: a sealed secret holds Sealed Secrets ciphertext
(written by `platform secrets seal`), an external one names a key in a secret store
(External Secrets Operator). Who may use it, and how often it rotates, is declared here.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generators.spec.base import Kind, Ref, StrictModel
from generators.spec.catalog import Duration

#: A key of a Kubernetes Secret's data.
SecretKeyName = Annotated[
    str,
    Field(
        # Any run of these characters but `.` and `..` (no look-ahead in pydantic's regex).
        pattern=r"^([-_a-zA-Z0-9]|\.[-_a-zA-Z0-9]|[-_a-zA-Z0-9][-._a-zA-Z0-9]|[-._a-zA-Z0-9]{3,})$",
        max_length=253,
        description="Key in the Secret: letters, digits, '-', '_', '.' (not `.` or `..`).",
    ),
]
Fingerprint = Annotated[
    str,
    Field(
        pattern=r"^sha256:[0-9a-f]{64}$",
        description="SHA-256 fingerprint of the sealing certificate (written by `secrets seal`).",
    ),
]
#: A date, written `2026-11-28` (a YAML date) or quoted.
Date = Annotated[dt.date, Field(strict=False, description="A date, `YYYY-MM-DD`.")]


class SecretMetadata(StrictModel):
    """The secret's identity and owner."""

    name: str = Field(
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        max_length=63,
        description="Secret name; the Kubernetes Secret gets this name. Equals the file name.",
    )
    team: Ref = Field(description="Owning team: decides who else may use it.")


class Access(StrictModel):
    """Who may use a secret or an integration besides its owning team's services."""

    teams: list[Ref] = Field(default_factory=list, description="Teams whose services may use it.")
    services: list[Ref] = Field(
        default_factory=list, description="Single services of other teams that may use it."
    )


class RotationPolicy(StrictModel):
    """How often the secret is rotated, and how fresh the cluster's copy stays."""

    period: Duration | None = Field(
        default=None,
        description="Rotation period. Default: the integration catalog entry's, else 90d.",
    )
    refreshInterval: Annotated[str, Field(pattern=r"^[1-9][0-9]{0,4}[smh]$")] = Field(
        default="1h",
        description="External secrets: how often the operator re-reads the store "
        "(ExternalSecret `refreshInterval`).",
    )


class Sealed(StrictModel):
    """Sealed Secrets ciphertext for one environment, written by `platform secrets seal`."""

    scope: Literal["strict", "namespace-wide", "cluster-wide"] = Field(
        default="strict",
        description="`strict`: only this name in this namespace can decrypt; "
        "`namespace-wide`: any name in the namespace; `cluster-wide`: anywhere.",
    )
    namespace: str | None = Field(
        default=None, description="Namespace the values were sealed for (not for cluster-wide)."
    )
    name: str | None = Field(
        default=None,
        description="Secret name the values were sealed for (strict scope; written by "
        "`secrets seal`). A renamed secret must be resealed.",
    )
    certificate: Fingerprint
    sealedAt: Date = Field(description="When the newest value was sealed (rotation age).")
    encryptedData: dict[SecretKeyName, str] = Field(
        min_length=1, description="Key -> ciphertext (base64). Never plaintext."
    )


class RemoteRef(StrictModel):
    """Where one key lives in the external store."""

    key: str = Field(min_length=1, description="Remote secret name or path, e.g. `payments/db`.")
    property: str | None = Field(
        default=None, description="Property of a JSON secret, e.g. `password`."
    )
    version: str | None = Field(default=None, description="Remote version; default the latest.")


class External(StrictModel):
    """The secret's keys in an External Secrets store, for one environment."""

    store: Ref = Field(description="A store declared in the environment's `secrets.stores`.")
    rotatedAt: Date = Field(description="When the remote value was last rotated.")
    data: dict[SecretKeyName, RemoteRef] = Field(
        min_length=1, description="Key in the Kubernetes Secret -> where it lives remotely."
    )


class SecretEnvironment(StrictModel):
    """Where the secret's value comes from in one environment: exactly one of the two."""

    sealed: Sealed | None = Field(default=None, description="Ciphertext committed here.")
    external: External | None = Field(default=None, description="A key in a secret store.")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.sealed is None) == (self.external is None):
            raise PydanticCustomError(
                "invalid_combination", "give exactly one of `sealed` or `external`"
            )
        return self

    @property
    def keys(self) -> set[str]:
        """The keys the secret has in this environment."""
        if self.sealed is not None:
            return set(self.sealed.encryptedData)
        assert self.external is not None
        return set(self.external.data)

    @property
    def changed(self) -> dt.date:
        """The last sealing or rotation date."""
        return self.sealed.sealedAt if self.sealed is not None else self.external.rotatedAt  # type: ignore[union-attr]


class SecretSpec(StrictModel):
    """The secret's value sources, access and rotation."""

    description: str = Field(default="", description="What the secret is for.")
    type: Literal["Opaque", "kubernetes.io/basic-auth", "kubernetes.io/tls"] = Field(
        default="Opaque", description="Type of the Kubernetes Secret."
    )
    access: Access = Field(default_factory=Access, description="Who else may use it.")
    rotation: RotationPolicy = Field(
        default_factory=RotationPolicy, description="Rotation period and refresh."
    )
    environments: dict[str, SecretEnvironment] = Field(
        default_factory=dict, description="Value source per environment name."
    )


class Secret(StrictModel):
    """A Secret spec file: `platform/secrets/<name>.yaml`."""

    apiVersion: Literal["platform/v1"] = Field(description="Spec format version.")
    kind: Literal["Secret"] = Field(description="Always `Secret`.")
    metadata: SecretMetadata = Field(description="Name and owning team.")
    spec: SecretSpec = Field(description="Sources per environment, access, rotation.")


KIND = Kind(name="Secret", model=Secret, directory="platform/secrets")
