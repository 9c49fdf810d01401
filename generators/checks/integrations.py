"""Checks of integrations and webhooks: catalog entries, settings, credentials, wiring clashes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from generators.checks.base import at, at_resolved, second_names, unknown, where
from generators.checks.secrets import may_use, running_users, shared_names
from generators.diagnostics import Diagnostic, codes
from generators.domain.webhooks import CONFIG_PATH as WEBHOOKS_PATH
from generators.model.naming import public_host
from generators.model.platform import Platform, Resolved
from generators.model.uses import INIT_CONTAINER, SecretUse, integration_values, secret_uses
from generators.source.documents import Parsed
from generators.source.located import KeyPath
from generators.spec.catalog import CatalogEntry, Setting
from generators.spec.integration import Integration

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "url": (str,),
    "enum": (str,),
    "integer": (int,),
    "boolean": (bool,),
}


def check_integration_specs(platform: Platform) -> Iterator[Diagnostic]:
    """Each instance names a catalog entry and gives it valid settings and credentials."""
    entries = platform.names("IntegrationCatalogEntry")
    for name, (doc, instance) in sorted(platform.integrations.items()):
        spec = instance.spec
        yield from shared_names(
            platform, doc, instance.metadata.team, spec.access, spec.environments
        )
        if spec.catalog not in platform.catalog:
            if spec.catalog not in entries:
                yield unknown(
                    doc,
                    ("spec", "catalog"),
                    codes.UNKNOWN_INTEGRATION,
                    spec.catalog,
                    entries,
                    "catalog entry",
                    defined="the catalog is templates/integrations/<name>.yaml",
                )
            continue
        entry = platform.catalog[spec.catalog][1]
        yield from _settings(doc, ("spec",), spec.settings, entry)
        yield from _secret_keys(doc, ("spec",), spec.secrets, entry)
        for env, block in sorted(spec.environments.items()):
            base = ("spec", "environments", env)
            yield from _settings(doc, base, block.settings, entry)
            yield from _secret_keys(doc, base, block.secrets, entry)
        yield from _complete(platform, doc, name, instance, entry)


def _settings(
    doc: Parsed, base: tuple[str, ...], given: dict[str, Any], entry: CatalogEntry
) -> Iterator[Diagnostic]:
    known = {s.name: s for s in entry.spec.settings}
    for key, value in sorted(given.items()):
        path = (*base, "settings", key)
        setting = known.get(key)
        if setting is None:
            yield unknown(
                doc,
                path,
                codes.INTEGRATION_SETTING,
                key,
                known,
                "setting",
                message=f"{entry.spec.displayName} has no setting {key!r}",
                key=True,
            )
        elif (problem := _type_problem(setting, value)) is not None:
            yield at(doc, path, codes.INTEGRATION_SETTING, problem, setting.description)


def _type_problem(setting: Setting, value: Any) -> str | None:
    wanted = _TYPES[setting.type]
    if (isinstance(value, bool) and bool not in wanted) or not isinstance(value, wanted):
        article = "an" if setting.type == "integer" else "a"
        return f"setting {setting.name!r} takes {article} {setting.type}"
    if setting.type == "url" and not str(value).startswith(("https://", "http://", "libsql://")):
        return f"setting {setting.name!r} takes a URL (https://...)"
    if setting.type == "enum" and value not in setting.values:
        return f"setting {setting.name!r} takes one of {', '.join(setting.values)}"
    return None


def _secret_keys(
    doc: Parsed, base: tuple[str, ...], given: dict[str, Any], entry: CatalogEntry
) -> Iterator[Diagnostic]:
    known = {k.key for k in entry.spec.secrets}
    for key in sorted(given):
        if key not in known:
            yield unknown(
                doc,
                (*base, "secrets", key),
                codes.INTEGRATION_SECRET,
                key,
                known,
                "credential",
                message=f"{entry.spec.displayName} has no credential {key!r}",
                key=True,
            )


def _complete(
    platform: Platform, doc: Parsed, name: str, instance: Integration, entry: CatalogEntry
) -> Iterator[Diagnostic]:
    """Required settings and credentials are given in every environment that uses it."""
    used_in = sorted(
        {
            env
            for (env, svc), resolved in platform.resolved.items()
            if name in resolved.workload.integrations
            and svc in platform.services
            and platform.deploys(svc, env)
        }
    )
    for env in used_in:
        values = integration_values(platform, name, env)
        assert values is not None
        for setting in entry.spec.settings:
            if setting.required and setting.name not in values.settings:
                yield at(
                    doc,
                    _where_missing(instance, "settings"),
                    codes.INTEGRATION_SETTING,
                    f"{entry.spec.displayName} needs setting {setting.name!r}",
                    f"add `{setting.name}: ...` under `settings` (or under "
                    f"`environments.{env}.settings` for this environment only): "
                    f"{_unsentence(setting.description)}",
                    key=True,
                ).with_environments(env, within=used_in)
        for key in entry.spec.secrets:
            if key.required and key.key not in values.secrets:
                yield at(
                    doc,
                    _where_missing(instance, "secrets"),
                    codes.INTEGRATION_SECRET,
                    f"{entry.spec.displayName} needs credential {key.key!r}",
                    f"add `{key.key}: {{secret: NAME, key: KEY}}` under `secrets` (or under "
                    f"`environments.{env}.secrets`): {_unsentence(key.description)}",
                    key=True,
                ).with_environments(env, within=used_in)


def _where_missing(instance: Integration, field: str) -> tuple[str, ...]:
    """Where to point at a missing entry: the `settings`/`secrets` block, else `spec`."""
    return ("spec", field) if getattr(instance.spec, field) else ("spec",)


def _unsentence(text: str) -> str:
    return text[:1].lower() + text[1:].rstrip(".")


def check_service_integrations(platform: Platform) -> Iterator[Diagnostic]:
    """A service uses integrations that exist and that its team may use."""
    known = platform.names("Integration")
    for resolved, within in running_users(platform):
        for found in _service_integrations(platform, resolved, known):
            yield found.with_environments(resolved.environment, within=within)


def _service_integrations(
    platform: Platform, resolved: Resolved, known: set[str]
) -> Iterator[Diagnostic]:
    name = resolved.service
    team = platform.services[name][1].metadata.team
    for i, used in enumerate(resolved.workload.integrations):
        if used not in known:
            yield unknown(
                resolved,
                ("integrations", i),
                codes.UNKNOWN_INTEGRATION,
                used,
                known,
                "integration",
                defined="instances are defined in platform/integrations/<name>.yaml",
            )
            continue
        if used not in platform.integrations:
            continue
        doc, instance = platform.integrations[used]
        owner = instance.metadata.team
        if not may_use(instance.spec.access, owner, name, team):
            yield at_resolved(
                resolved,
                ("integrations", i),
                codes.ACCESS_DENIED,
                f"service {name!r} (team {team!r}) may not use integration {used!r}, owned "
                f"by team {owner!r}",
                f"ask team {owner!r} to add {team!r} to `access.teams` or {name!r} to "
                f"`access.services` in {where(doc)}",
            )
    yield from _clashes(platform, resolved)


def _clashes(platform: Platform, resolved: Resolved) -> Iterator[Diagnostic]:
    """Two sources may not set one env var, and secret files may not shadow config files.

    A clash with the spec's own `env` points there (the line to rename); between two
    generated sources, at the second.
    """
    workload = resolved.workload
    seen: dict[str, str] = dict.fromkeys(workload.env, "env")
    # Where each generated var is written is worked out only for a clash: locating
    # parses the file a second time, which a valid platform never needs.
    generated: list[tuple[str, str, Callable[[], KeyPath]]] = [
        (use.env, use.via, partial(_secret_path, use))
        for use in secret_uses(platform, resolved)
        if use.env is not None
        and use.via != "env"
        and not use.via.startswith((INIT_CONTAINER, "dependency "))  # checks/dependencies.py
    ]
    for i, used in enumerate(workload.integrations):
        values = integration_values(platform, used, resolved.environment)
        for var, _ in values.plain_env() if values is not None else ():
            generated.append((var, f"integration {used}", partial(_integration_path, i)))
    for var, via, locate in generated:
        first = seen.setdefault(var, via)
        if first == via:  # the same source twice (a duplicate name is reported apart)
            continue
        if first == "env":
            yield at_resolved(
                resolved,
                ("env", var),
                codes.ENV_CLASH,
                f"env var {var} is also set by {via}",
                f"rename this one, or drop it and let {via} set it",
            )
        elif via.startswith("integration "):
            yield at_resolved(
                resolved,
                locate(),
                codes.ENV_CLASH,
                f"env var {var} is set by {via} and by {first}",
                "use one of them: two integrations that set the same variable cannot both "
                "be wired into one service",
            )
    mounted: dict[str, str] = {f.path: "a config file" for f in workload.configFiles}
    if workload.webhooks.incoming or workload.webhooks.outgoing:
        mounted.setdefault(WEBHOOKS_PATH, "the webhook settings")
    for i, file in enumerate(workload.secretFiles):
        if file.path in mounted:
            yield at_resolved(
                resolved,
                ("secretFiles", i, "path"),
                codes.ENV_CLASH,
                f"{file.path} is both {mounted[file.path]} and a secret file",
                "mount one of them elsewhere",
            )
        mounted.setdefault(file.path, "another secret file")
    if WEBHOOKS_PATH in {f.path for f in workload.configFiles} and (
        workload.webhooks.incoming or workload.webhooks.outgoing
    ):
        index = [f.path for f in workload.configFiles].index(WEBHOOKS_PATH)
        yield at_resolved(
            resolved,
            ("configFiles", index, "path"),
            codes.ENV_CLASH,
            f"{WEBHOOKS_PATH} is where the webhook settings are mounted",
            "mount the config file elsewhere",
        )


def _secret_path(use: SecretUse) -> KeyPath:
    return (*use.key_path, "secret")


def _integration_path(index: int) -> KeyPath:
    return ("integrations", index)


def check_webhooks(platform: Platform) -> Iterator[Diagnostic]:
    """Incoming webhooks need a web service with a public host; names and paths are unique."""
    for resolved, within in running_users(platform):
        for found in _webhooks(resolved):
            yield found.with_environments(resolved.environment, within=within)


def _webhooks(resolved: Resolved) -> Iterator[Diagnostic]:
    workload = resolved.workload
    hooks = workload.webhooks
    named = [(("webhooks", "incoming", i, "name"), h.name) for i, h in enumerate(hooks.incoming)]
    named += [(("webhooks", "outgoing", i, "name"), h.name) for i, h in enumerate(hooks.outgoing)]
    yield from second_names(
        resolved,
        named,
        codes.WEBHOOK,
        "webhook",
        "webhook names are unique per service (they name env vars)",
    )
    paths: dict[str, str] = {}
    for i, hook in enumerate(hooks.incoming):
        base = ("webhooks", "incoming", i)
        if workload.type != "web" or not workload.ports:
            yield at_resolved(
                resolved,
                (*base, "path"),
                codes.WEBHOOK,
                "incoming webhooks need a web service with a port",
                "make the service `type: web` with a port, or move the endpoint",
            )
        elif (
            workload.expose.hosts
            and not workload.expose.tls
            and workload.expose.visibility != "public"
        ):
            yield at_resolved(
                resolved,
                (*base, "path"),
                codes.PUBLIC_WITHOUT_TLS,
                f"incoming webhook {hook.name!r} is exposed without TLS: its signed "
                "payloads cross the internet in clear text",
                "set `expose.tls: true`",
            )
        elif not workload.expose.hosts:
            yield at_resolved(
                resolved,
                (*base, "path"),
                codes.WEBHOOK,
                f"incoming webhook {hook.name!r} needs a public host to be reached on",
                "add `expose.hosts` (the service may stay `visibility: internal`: only "
                "the webhook paths are then exposed)",
            )
        if hook.path in paths:
            yield at_resolved(
                resolved,
                (*base, "path"),
                codes.WEBHOOK,
                f"webhooks {paths[hook.path]!r} and {hook.name!r} share the path {hook.path}",
                "give each webhook its own path: the route and the settings go by path",
            )
        paths.setdefault(hook.path, hook.name)
        if hook.provider == "generic" and hook.signatureHeader is None:
            yield at_resolved(
                resolved,
                (*base, "provider"),
                codes.WEBHOOK,
                "a generic webhook needs `signatureHeader`: the header carrying the HMAC",
                "add e.g. `signatureHeader: X-Signature-256`",
            )
        elif hook.provider != "generic" and hook.signatureHeader is not None:
            yield at_resolved(
                resolved,
                (*base, "signatureHeader"),
                codes.WEBHOOK,
                f"`signatureHeader` is fixed for {hook.provider} webhooks",
                "remove it: the platform knows the header each provider signs with",
            )


def check_webhook_hosts(platform: Platform) -> Iterator[Diagnostic]:
    """A webhook path may not take over another service's route on the same host.

    Routes match path prefixes and webhooks exact paths, and an exact match wins: a
    webhook under another service's prefix would steal that service's requests.
    """
    claims: dict[tuple[str, str], list[tuple[str, str, bool]]] = {}
    for (env, name), resolved in sorted(platform.resolved.items()):
        if name not in platform.services or not platform.deploys(name, env):
            continue
        expose = resolved.workload.expose
        domain = platform.environments[env][1].spec.baseDomain
        for host in expose.hosts:
            fqdn = public_host(host, domain)
            if expose.visibility == "public":
                claims.setdefault((env, fqdn), []).extend((name, p, False) for p in expose.paths)
            hooks = resolved.workload.webhooks.incoming
            claims.setdefault((env, fqdn), []).extend((name, h.path, True) for h in hooks)
    for (env, fqdn), owners in sorted(claims.items()):
        for name, path, exact in owners:
            if not exact:
                continue
            # Two services on one prefix is the host check's to report (PL502), once.
            own = {p for n, p, e in owners if n == name and not e}
            for other, claimed, other_exact in owners:
                covers = path == claimed if other_exact else _under(path, claimed)
                if other != name and covers and claimed not in own:
                    resolved = platform.resolved[(env, name)]
                    index = [h.path for h in resolved.workload.webhooks.incoming].index(path)
                    yield at_resolved(
                        resolved,
                        ("webhooks", "incoming", index, "path"),
                        codes.HOST_COLLISION,
                        f"webhook path {path} on {fqdn} is served by service {other!r} ({claimed})",
                        "pick a path outside the other service's routes, or another host",
                    )
                    break


def _under(path: str, prefix: str) -> bool:
    """Whether an Ingress `Prefix` rule for ``prefix`` matches ``path`` (by segments)."""
    return prefix == "/" or path == prefix or path.startswith(prefix.rstrip("/") + "/")
