"""Secret objects: SealedSecrets, ExternalSecrets and their stores, and per-service RBAC.

Per environment, in ``<env>/_secrets/manifests.yaml`` (one Argo CD application synced
after the namespaces and before the services): for every secret a service uses, one
object per namespace it is used in — a SealedSecret (ciphertext copied from the spec,
never re-sealed) or an ExternalSecret — plus the SecretStores (per namespace) or
ClusterSecretStores (once) they read from. With ``secrets.rbac``, each service's app
gets a Role that may read only the Secrets it uses, bound to its ServiceAccount.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generators.domain.layout import SECRETS_APP, app_path
from generators.domain.secrets.sealing import SCOPE_ANNOTATIONS
from generators.spec.environment import SecretStoreSpec
from generators.targets.base import (
    Output,
    Target,
    environment_labels,
    environment_metadata,
    metadata,
)
from generators.targets.context import Deployed, EnvContext, SecretObject

ESO_API = "external-secrets.io/v1"


class SecretsTarget(Target):
    """Renders the secret objects of one environment."""

    name = "secrets"

    def render(self, context: EnvContext) -> Iterator[Output]:
        """Stores first, then one object per secret and namespace, then RBAC."""
        path = app_path(context.name, SECRETS_APP)
        yield from ((path, obj) for obj in self.stores(context))
        for secret in context.secrets:
            if secret.source.sealed is not None:
                yield path, self.sealed_secret(context, secret)
            else:
                yield path, self.external_secret(context, secret)
        if context.spec.secrets.rbac:
            for service in context.services:
                names = sorted({s for _, s, _ in service.secret_env + service.secret_files})
                if names:
                    where = app_path(context.name, service.name)
                    yield where, self.role(context, service, names)
                    yield where, self.role_binding(context, service)

    def labels(self, context: EnvContext, secret: SecretObject) -> dict[str, str]:
        """Who owns the secret, and that the compiler manages it."""
        return {**environment_labels(context), "platform/team": secret.team}

    def sealed_secret(self, context: EnvContext, secret: SecretObject) -> dict[str, Any]:
        """A SealedSecret whose metadata gives the controller the label it was sealed with."""
        sealed = secret.source.sealed
        assert sealed is not None
        meta: dict[str, Any] = {
            "name": secret.name,
            "namespace": secret.namespace,
            "labels": self.labels(context, secret),
        }
        annotations = {}
        if sealed.scope in SCOPE_ANNOTATIONS:
            annotations[SCOPE_ANNOTATIONS[sealed.scope]] = "true"
            meta["annotations"] = annotations
        template_meta: dict[str, Any] = {
            "name": secret.name,
            "namespace": secret.namespace,
            "labels": self.labels(context, secret),
        }
        if annotations:
            template_meta["annotations"] = dict(annotations)
        return {
            "apiVersion": "bitnami.com/v1alpha1",
            "kind": "SealedSecret",
            "metadata": meta,
            "spec": {
                "encryptedData": dict(sorted(sealed.encryptedData.items())),
                "template": {"metadata": template_meta, "type": secret.type},
            },
        }

    def external_secret(self, context: EnvContext, secret: SecretObject) -> dict[str, Any]:
        """An ExternalSecret reading each key from the environment's store."""
        external = secret.source.external
        assert external is not None
        store = context.spec.secrets.stores[external.store]
        data = []
        for key, ref in sorted(external.data.items()):
            remote: dict[str, Any] = {"key": ref.key}
            if ref.property is not None:
                remote["property"] = ref.property
            if ref.version is not None:
                remote["version"] = ref.version
            data.append({"secretKey": key, "remoteRef": remote})
        return {
            "apiVersion": ESO_API,
            "kind": "ExternalSecret",
            "metadata": {
                "name": secret.name,
                "namespace": secret.namespace,
                "labels": self.labels(context, secret),
            },
            "spec": {
                "refreshInterval": secret.refresh,
                "secretStoreRef": {"name": external.store, "kind": store.kind},
                "target": {
                    "name": secret.name,
                    "creationPolicy": "Owner",
                    "template": {"type": secret.type},
                },
                "data": data,
            },
        }

    def stores(self, context: EnvContext) -> Iterator[dict[str, Any]]:
        """The stores the environment's external secrets read: each where it is needed."""
        wanted: set[tuple[str, str | None]] = set()
        for secret in context.secrets:
            external = secret.source.external
            if external is None:
                continue
            store = context.spec.secrets.stores[external.store]
            cluster_wide = store.kind == "ClusterSecretStore"
            wanted.add((external.store, None if cluster_wide else secret.namespace))
        users: dict[str, set[str]] = {}
        for secret in context.secrets:
            if secret.source.external is not None:
                users.setdefault(secret.source.external.store, set()).add(secret.namespace)
        for name, space in sorted(wanted, key=lambda w: (w[0], w[1] or "")):
            obj = self.store(context, name, space, context.spec.secrets.stores[name])
            if space is None:
                # Only the namespaces whose secrets use it may read through it.
                obj["spec"]["conditions"] = [{"namespaces": sorted(users[name])}]
            yield obj

    def store(
        self, context: EnvContext, name: str, space: str | None, spec: SecretStoreSpec
    ) -> dict[str, Any]:
        """A SecretStore (in ``space``) or a ClusterSecretStore."""
        meta = environment_metadata(context, name, space)
        return {
            "apiVersion": ESO_API,
            "kind": spec.kind,
            "metadata": meta,
            "spec": {"provider": provider(spec, cluster_wide=space is None)},
        }

    def role(self, context: EnvContext, service: Deployed, names: list[str]) -> dict[str, Any]:
        """Read access to exactly the Secrets the service uses."""
        return {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": metadata(service, context.name, f"{service.name}-secrets"),
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["secrets"],
                    "resourceNames": names,
                    "verbs": ["get"],
                }
            ],
        }

    def role_binding(self, context: EnvContext, service: Deployed) -> dict[str, Any]:
        """Binds the service's Role to its ServiceAccount."""
        return {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": metadata(service, context.name, f"{service.name}-secrets"),
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": f"{service.name}-secrets",
            },
            "subjects": [
                {"kind": "ServiceAccount", "name": service.name, "namespace": service.namespace}
            ],
        }


def provider(spec: SecretStoreSpec, *, cluster_wide: bool) -> dict[str, Any]:
    """The store's ``spec.provider`` block, in External Secrets' field names."""

    def account(ref: Any) -> dict[str, Any]:
        out = {"name": ref.name}
        if cluster_wide and ref.namespace is not None:
            out["namespace"] = ref.namespace
        return out

    if spec.vault is not None:
        vault = spec.vault
        kubernetes: dict[str, Any] = {"mountPath": vault.mountPath, "role": vault.role}
        if vault.serviceAccount is not None:
            kubernetes["serviceAccountRef"] = account(vault.serviceAccount)
        return {
            "vault": {
                "server": vault.server,
                "path": vault.path,
                "version": vault.version,
                "auth": {"kubernetes": kubernetes},
            }
        }
    if spec.aws is not None:
        aws = spec.aws
        out: dict[str, Any] = {"service": aws.service, "region": aws.region}
        if aws.role is not None:
            out["role"] = aws.role
        if aws.serviceAccount is not None:
            out["auth"] = {"jwt": {"serviceAccountRef": account(aws.serviceAccount)}}
        return {"aws": out}
    gcp = spec.gcp
    assert gcp is not None
    gcpsm: dict[str, Any] = {"projectID": gcp.projectID}
    if gcp.serviceAccount is not None:
        identity: dict[str, Any] = {"serviceAccountRef": account(gcp.serviceAccount)}
        if gcp.clusterLocation is not None:
            identity["clusterLocation"] = gcp.clusterLocation
        if gcp.clusterName is not None:
            identity["clusterName"] = gcp.clusterName
        gcpsm["auth"] = {"workloadIdentity": identity}
    return {"gcpsm": gcpsm}
