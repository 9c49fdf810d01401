"""Checks of integrations and webhooks: catalog entries, settings, credentials, wiring clashes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generators import diagnostics as codes
from generators.checks.base import at, at_resolved, where
from generators.checks.secrets import access_refs, may_use
from generators.diagnostics import Diagnostic
from generators.documents import Parsed
from generators.graph import Platform, Resolved
from generators.spec.catalog import CatalogEntry, Setting
from generators.spec.integration import Integration
from generators.suggest import did_you_mean
from generators.wiring import integration_values, secret_uses

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "url": (str,),
    "enum": (str,),
    "integer": (int,),
    "boolean": (bool,),
}


def check_integration_specs(platform: Platform) -> Iterator[Diagnostic]:
    """Each instance names a catalog entry and gives it valid settings and credentials."""
    teams, services = platform.names("Team"), platform.names("Service")
    entries = platform.names("IntegrationCatalogEntry")
    for name, (doc, instance) in sorted(platform.integrations.items()):
        spec = instance.spec
        if instance.metadata.team not in teams:
            yield at(
                doc,
                ("metadata", "team"),
                codes.UNKNOWN_TEAM,
                f"unknown team {instance.metadata.team!r}",
                did_you_mean(instance.metadata.team, teams, what="teams"),
            )
        yield from access_refs(doc, spec.access, teams, services)
        if spec.catalog not in platform.catalog:
            if spec.catalog not in entries:
                yield at(
                    doc,
                    ("spec", "catalog"),
                    codes.UNKNOWN_INTEGRATION,
                    f"unknown catalog entry {spec.catalog!r}",
                    did_you_mean(spec.catalog, entries, what="catalog entries")
                    + " (the catalog is templates/integrations/<name>.yaml)",
                )
            continue
        entry = platform.catalog[spec.catalog][1]
        yield from _settings(doc, ("spec",), spec.settings, entry)
        yield from _secret_keys(doc, ("spec",), spec.secrets, entry)
        for env, block in sorted(spec.environments.items()):
            base = ("spec", "environments", env)
            if env not in platform.names("Environment"):
                yield at(
                    doc,
                    base,
                    codes.UNKNOWN_ENVIRONMENT,
                    f"unknown environment {env!r}",
                    did_you_mean(env, platform.names("Environment"), what="environments"),
                    key=True,
                )
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
            yield at(
                doc,
                path,
                codes.INTEGRATION_SETTING,
                f"{entry.spec.displayName} has no setting {key!r}",
                did_you_mean(key, known, what="settings"),
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
            yield at(
                doc,
                (*base, "secrets", key),
                codes.INTEGRATION_SECRET,
                f"{entry.spec.displayName} has no credential {key!r}",
                did_you_mean(key, known, what="credentials"),
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
                    ("spec",),
                    codes.INTEGRATION_SETTING,
                    f"{entry.spec.displayName} needs setting {setting.name!r} in environment "
                    f"{env!r}",
                    f"add `settings: {{{setting.name}: ...}}` ({setting.description})",
                    key=True,
                ).with_environments(env)
        for key in entry.spec.secrets:
            if key.required and key.key not in values.secrets:
                yield at(
                    doc,
                    ("spec",),
                    codes.INTEGRATION_SECRET,
                    f"{entry.spec.displayName} needs credential {key.key!r} in environment {env!r}",
                    f"add `secrets: {{{key.key}: {{secret: NAME, key: KEY}}}}` ({key.description})",
                    key=True,
                ).with_environments(env)


def check_service_integrations(platform: Platform) -> Iterator[Diagnostic]:
    """A service uses integrations that exist and that its team may use."""
    known = platform.names("Integration")
    for (env, name), resolved in sorted(platform.resolved.items()):
        if name not in platform.services or not platform.deploys(name, env):
            continue
        team = platform.services[name][1].metadata.team
        for i, used in enumerate(resolved.workload.integrations):
            if used not in known:
                yield at_resolved(
                    resolved,
                    ("integrations", i),
                    codes.UNKNOWN_INTEGRATION,
                    f"unknown integration {used!r}",
                    did_you_mean(used, known, what="integrations")
                    + " (instances are defined in platform/integrations/<name>.yaml)",
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
    """Two sources may not set one env var, and secret files may not shadow config files."""
    workload = resolved.workload
    seen: dict[str, str] = dict.fromkeys(workload.env, "the spec's `env`")
    for use in secret_uses(platform, resolved):
        if use.env is None or use.via == "env":
            continue
        if use.env in seen:
            yield Diagnostic(
                codes.ENV_CLASH,
                f"env var {use.env} is set by {use.via} and by {seen[use.env]}",
                use.location,
                hint="rename or remove one of them",
                environments=(resolved.environment,),
            )
        seen.setdefault(use.env, use.via)
    for used in workload.integrations:
        values = integration_values(platform, used, resolved.environment)
        for var, _ in values.plain_env() if values is not None else ():
            if var in seen and seen[var] != f"integration {used}":
                yield at_resolved(
                    resolved,
                    ("integrations", workload.integrations.index(used)),
                    codes.ENV_CLASH,
                    f"env var {var} is set by integration {used} and by {seen[var]}",
                    "rename or remove one of them",
                )
            seen.setdefault(var, f"integration {used}")
    config = {f.path for f in workload.configFiles}
    for i, file in enumerate(workload.secretFiles):
        if file.path in config:
            yield at_resolved(
                resolved,
                ("secretFiles", i, "path"),
                codes.ENV_CLASH,
                f"{file.path} is both a config file and a secret file",
                "mount one of them elsewhere",
            )


def check_webhooks(platform: Platform) -> Iterator[Diagnostic]:
    """Incoming webhooks need a web service with a public host; names and paths are unique."""
    for (env, name), resolved in sorted(platform.resolved.items()):
        if name not in platform.services or not platform.deploys(name, env):
            continue
        workload = resolved.workload
        hooks = workload.webhooks
        names: set[str] = set()
        named = [("incoming", i, h.name) for i, h in enumerate(hooks.incoming)]
        named += [("outgoing", i, h.name) for i, h in enumerate(hooks.outgoing)]
        for direction, i, hook_name in named:
            if hook_name in names:
                yield at_resolved(
                    resolved,
                    ("webhooks", direction, i, "name"),
                    codes.WEBHOOK,
                    f"a second webhook named {hook_name!r}",
                    "webhook names are unique per service (they name env vars)",
                )
            names.add(hook_name)
        paths: set[str] = set()
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
                    resolved, (*base, "path"), codes.WEBHOOK, f"a second webhook on {hook.path}"
                )
            paths.add(hook.path)
            if (hook.provider == "generic") != (hook.signatureHeader is not None):
                yield at_resolved(
                    resolved,
                    (*base, "provider"),
                    codes.WEBHOOK,
                    "`signatureHeader` is required for `provider: generic` and fixed for the "
                    "others",
                    "name the header that carries the HMAC for a generic provider; remove "
                    "it for stripe, github and slack",
                )
