"""Who uses which secret and integration, per environment: shared by the checks and the targets.

A service takes secret values in five ways: an env var `{secret, key}`, a secret file,
a webhook's signing secret, the credentials of an integration it uses, and those of a
typed dependency its environment provides from a Secret spec. Each use
keeps where it was written, so a check can point at it, and what it injects, so a
target can wire it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from generators.diagnostics import Location
from generators.model.dependencies import bindings
from generators.model.naming import webhook_env
from generators.model.platform import Platform, Resolved
from generators.source.documents import Parsed
from generators.source.located import KeyPath
from generators.spec.base import SecretRef
from generators.spec.catalog import CatalogEntry
from generators.spec.integration import Integration
from generators.spec.resources import Managed
from generators.spec.webhooks import IncomingWebhook, OutgoingWebhook

PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}")
#: How a use by an init container is named (``via``): its env vars are its own.
INIT_CONTAINER = "init container "


@dataclass(frozen=True)
class SecretUse:
    """One use of one key of a secret by a service.

    Where it was written is worked out only when asked (a check found a problem):
    locating reads the file's positions, which a valid run never needs.
    """

    service: str
    secret: str
    key: str
    #: Env var the value is injected as, or None for a file.
    env: str | None
    #: Mounted file path, or None for an env var.
    path: str | None
    #: What brought the use: "env", "file", "webhook <name>", "integration <name>",
    #: "init container <name>" (whose env var is the init container's, not the service's).
    via: str
    #: Locates a key path below the reference: the `{secret, key}` mapping's fields.
    locate: Callable[[KeyPath], tuple[Location, KeyPath]]

    @property
    def location(self) -> Location:
        """Where the secret's name is written."""
        return self.locate(("secret",))[0]

    @property
    def key_location(self) -> Location:
        """Where the key is written."""
        return self.locate(("key",))[0]

    @property
    def key_path(self) -> KeyPath:
        """The reference's key path in its file."""
        return self.locate(("secret",))[1][:-1]


@dataclass(frozen=True)
class IntegrationValues:
    """An integration instance's effective values in one environment."""

    name: str
    entry: CatalogEntry
    settings: Mapping[str, Any]
    secrets: Mapping[str, SecretRef]
    #: Catalog secret key -> key path in the instance file that maps it.
    secret_paths: Mapping[str, KeyPath]

    def fill(self, template: str) -> str:
        """``template`` with each ``{setting}`` replaced by the setting's value."""
        return PLACEHOLDER.sub(lambda m: _text(self.settings.get(m.group(1), m.group(0))), template)

    def plain_env(self) -> list[tuple[str, str]]:
        """The non-secret env vars: settings, health-check URL and rate limit."""
        spec = self.entry.spec
        out = [
            (s.env, _text(self.settings[s.name])) for s in spec.settings if s.name in self.settings
        ]
        out.append((f"{spec.envPrefix}_HEALTH_URL", self.fill(spec.healthCheck.url)))
        limit = spec.rateLimit
        out.append((f"{spec.envPrefix}_RATE_LIMIT", f"{limit.requests}/{limit.per}"))
        return out

    def egress(self) -> list[tuple[str, int]]:
        """Hosts (with `{setting}` filled) and ports the clients connect to."""
        return [(self.fill(e.host), e.port) for e in self.entry.spec.egress]


def integration_values(platform: Platform, name: str, environment: str) -> IntegrationValues | None:
    """The instance's settings (catalog defaults < top level < environment block) and secrets."""
    if name not in platform.integrations:
        return None
    _, instance = platform.integrations[name]
    entry = platform.catalog.get(instance.spec.catalog)
    if entry is None:
        return None
    return _values(instance, entry[1], environment)


def _values(instance: Integration, entry: CatalogEntry, environment: str) -> IntegrationValues:
    spec = instance.spec
    block = spec.environments.get(environment)
    settings: dict[str, Any] = {
        s.name: s.default for s in entry.spec.settings if s.default is not None
    }
    settings.update(spec.settings)
    secrets = dict(spec.secrets)
    paths: dict[str, KeyPath] = {key: ("spec", "secrets", key) for key in spec.secrets}
    if block is not None:
        settings.update(block.settings)
        secrets.update(block.secrets)
        paths.update(
            {k: ("spec", "environments", environment, "secrets", k) for k in block.secrets}
        )
    return IntegrationValues(instance.metadata.name, entry, settings, secrets, paths)


def secret_uses(platform: Platform, resolved: Resolved) -> Iterator[SecretUse]:
    """Every secret key a resolved service uses, with where it was written."""
    workload, name = resolved.workload, resolved.service
    for var, value in sorted(workload.env.items()):
        if isinstance(value, SecretRef):
            yield _use(resolved, value, ("env", var), env=var, via="env")
    for i, init in enumerate(workload.initContainers):
        for var, value in sorted(init.env.items()):
            if isinstance(value, SecretRef):
                at = ("initContainers", i, "env", var)
                yield _use(resolved, value, at, env=var, via=INIT_CONTAINER + init.name)
    for i, file in enumerate(workload.secretFiles):
        ref = SecretRef(secret=file.secret, key=file.key)
        yield _use(resolved, ref, ("secretFiles", i), path=file.path, via="file")
    hooks: list[tuple[str, int, IncomingWebhook | OutgoingWebhook]] = [
        *(("incoming", i, hook) for i, hook in enumerate(workload.webhooks.incoming)),
        *(("outgoing", i, hook) for i, hook in enumerate(workload.webhooks.outgoing)),
    ]
    for direction, i, hook in hooks:
        if hook.signingSecret is not None:  # always, for an incoming one
            path: KeyPath = ("webhooks", direction, i, "signingSecret")
            env, via = webhook_env(hook.name), f"webhook {hook.name}"
            yield _use(resolved, hook.signingSecret, path, env=env, via=via)
    for used in workload.integrations:
        values = integration_values(platform, used, resolved.environment)
        if values is None:
            continue
        doc = platform.integrations[used][0]
        for key in values.entry.spec.secrets:
            mapped = values.secrets.get(key.key)
            if mapped is None:
                continue
            base = values.secret_paths[key.key]

            def locate(sub: KeyPath, doc: Parsed = doc, base: KeyPath = base) -> Any:
                return doc.source.locate((*base, *sub)), (*base, *sub)

            yield SecretUse(
                name, mapped.secret, mapped.key, key.env, None, f"integration {used}", locate
            )
    yield from _dependency_uses(platform, resolved)


def _dependency_uses(platform: Platform, resolved: Resolved) -> Iterator[SecretUse]:
    """The credentials of typed dependencies an environment provides from a Secret spec.

    Located in the environment's file, where the secret and its keys are named; a
    managed instance's connection secret is the claim's, not a spec's, and has no use.
    """
    doc = platform.environments[resolved.environment][0]
    for binding in bindings(platform, resolved):
        if isinstance(binding.provider, Managed):
            continue
        keys, base = binding.provider.keys, binding.offer_path
        for part, how, key in binding.sources():
            if how != "secret":
                continue

            def locate(
                sub: KeyPath, base: KeyPath = base, mapped: bool = part in keys, part: str = part
            ) -> Any:
                # `{secret, key}`'s fields: the secret's name, and the key's mapping if any.
                path = (*base, "keys", part) if sub == ("key",) and mapped else (*base, "secret")
                return doc.source.locate(path), path

            var, via = binding.env_var(part), f"dependency {binding.dependency.key}"
            yield SecretUse(resolved.service, binding.secret, key, var, None, via, locate)


def _use(
    resolved: Resolved,
    ref: SecretRef,
    at: KeyPath,
    *,
    env: str | None = None,
    path: str | None = None,
    via: str,
) -> SecretUse:
    def locate(sub: KeyPath) -> tuple[Location, KeyPath]:
        location, full, _ = resolved.origin((*at, *sub))
        return location, full

    return SecretUse(resolved.service, ref.secret, ref.key, env, path, via, locate)


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
