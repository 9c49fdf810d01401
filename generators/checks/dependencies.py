"""Typed dependencies: each is offered where its service runs, and each offer is complete.

The service side (`dependsOn: [{type, class}]`) is checked per environment the service
runs in, as the environment resolves it; the environment side (`spec.resources`) once
per offer. A binding's secret is checked with every other secret use (checks/secrets.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from generators.checks.base import at, at_resolved, unknown
from generators.checks.secrets import deployed_in
from generators.diagnostics import Diagnostic, codes
from generators.diagnostics.suggest import did_you_mean
from generators.model.dependencies import Binding, bindings, connection_secret, resource_name
from generators.model.naming import DNS_LABEL_MAX
from generators.model.platform import Platform, Resolved
from generators.model.uses import integration_values
from generators.source.documents import Parsed
from generators.source.located import KeyPath
from generators.spec.resources import TYPES, Managed, ResourceDependency

#: Where the hints send users to offer a type or class.
OFFERED = "environments/<env>.yaml `spec.resources.<type>.<class>`"


def check_resource_offers(platform: Platform) -> Iterator[Diagnostic]:
    """Each class an environment offers names only its type's parts, and gives all of them."""
    for _, (doc, environment) in sorted(platform.environments.items()):
        for kind, classes in sorted(environment.spec.resources.items()):
            info = TYPES[kind]
            names = [p.name for p in info.parts]
            for name, provider in sorted(classes.items()):
                base = ("spec", "resources", kind, name)
                for part in provider.keys:
                    if info.part(part) is None and part != "url":
                        yield unknown(
                            doc,
                            (*base, "keys", part),
                            codes.RESOURCE_OFFER,
                            part,
                            [*names, "url"],
                            f"{kind} part",
                            key=True,
                        )
                if isinstance(provider, Managed):
                    continue  # every part comes from the claim's connection secret
                yield from _settings(doc, base, kind, provider.settings, provider.keys)


def _settings(
    doc: Parsed, base: KeyPath, kind: str, settings: Mapping[str, str], keys: Mapping[str, str]
) -> Iterator[Diagnostic]:
    info = TYPES[kind]
    for part, value in settings.items():
        found = info.part(part)
        if found is None:
            names = [p.name for p in info.parts if p.role == "setting"]
            yield unknown(
                doc,
                (*base, "settings", part),
                codes.RESOURCE_OFFER,
                part,
                names,
                f"{kind} setting",
                key=True,
            )
        elif found.role == "credential":
            yield at(
                doc,
                (*base, "settings", part),
                codes.RESOURCE_OFFER,
                f"{part} is a credential: it is never written in a spec",
                f"remove it, and keep it in the secret under the key `{keys.get(part, part)}`",
                key=True,
            )
        elif found.role == "endpoint":
            yield at(
                doc,
                (*base, "settings", part),
                codes.RESOURCE_OFFER,
                f"{part} is set by `{part}:` of the offer, not by a setting",
                f"move it up: `{part}: {value}`",
                key=True,
            )
    for needed in info.parts:
        if needed.role == "setting" and needed.name not in settings and needed.name not in keys:
            yield at(
                doc,
                base,
                codes.RESOURCE_OFFER,
                f"this {kind} offer does not say its {needed.name}",
                f"set `settings: {{{needed.name}: ...}}` (`{{service}}` is replaced by each "
                f"consumer's name), or take it from the secret: `keys: {{{needed.name}: KEY}}`",
                key=True,
            )


def check_resource_dependencies(platform: Platform) -> Iterator[Diagnostic]:
    """Each typed dependency is offered where its service runs, with names of its own."""
    secrets = platform.names("Secret")
    for (env, name), resolved in sorted(platform.resolved.items()):
        if name not in platform.services or not platform.deploys(name, env):
            continue
        if not any(isinstance(d, ResourceDependency) for d in resolved.workload.dependsOn):
            continue
        within = deployed_in(platform, name)
        for found in _dependencies(platform, resolved, secrets):
            yield found.with_environments(env, within=within)


def _dependencies(
    platform: Platform, resolved: Resolved, secrets: set[str]
) -> Iterator[Diagnostic]:
    offers = platform.environments[resolved.environment][1].spec.resources
    seen: set[str] = set()
    for index, dependency in enumerate(resolved.workload.dependsOn):
        if not isinstance(dependency, ResourceDependency):
            continue
        item = ("dependsOn", index)
        if dependency.key in seen:
            yield at_resolved(
                resolved,
                (*item, "name") if dependency.name else item,
                codes.RESOURCE_DEPENDENCY,
                f"a second dependency named {dependency.key!r}",
                "give each dependency of one type its own `name:` (it prefixes its env vars)",
            )
            continue
        seen.add(dependency.key)
        # The message names no environment: one offered nowhere is reported once, one
        # missing in some environments says which (the folding adds them).
        classes = offers.get(dependency.type)
        if not classes:
            offered = ", ".join(sorted(offers)) or "no resource types"
            yield at_resolved(
                resolved,
                (*item, "type"),
                codes.RESOURCE_DEPENDENCY,
                f"no {dependency.type} is offered",
                f"the environment offers {offered}; offer one under "
                f"{OFFERED.replace('<type>', dependency.type)}, or drop the dependency in that "
                "environment's block",
            )
        elif dependency.class_ not in classes:
            written = resolved.origin((*item, "class")).present
            guess = did_you_mean(dependency.class_, classes, what=f"{dependency.type} classes")
            yield at_resolved(
                resolved,
                (*item, "class") if written else item,
                codes.RESOURCE_DEPENDENCY,
                f"{dependency.type} class {dependency.class_!r} is not offered"
                + ("" if written else " (the default class)"),
                f"{guess} (classes are offered under {OFFERED.replace('<type>', dependency.type)})",
            )
    bound = bindings(platform, resolved)
    for binding in bound:
        yield from _binding(platform, resolved, binding, bound, secrets)


def _binding(
    platform: Platform,
    resolved: Resolved,
    binding: Binding,
    bound: list[Binding],
    secrets: set[str],
) -> Iterator[Diagnostic]:
    """One bound dependency: its instance's name fits, and its env vars are its own."""
    item = ("dependsOn", binding.index)
    key = binding.dependency.key
    if isinstance(binding.provider, Managed):
        claim = connection_secret(resolved.service, key)
        if len(claim) > DNS_LABEL_MAX:
            yield at_resolved(
                resolved,
                item,
                codes.NAME_TOO_LONG,
                f"the connection secret {claim!r} is {len(claim)} characters, over "
                f"Kubernetes' {DNS_LABEL_MAX}",
                "give the dependency a shorter `name:`",
            )
        if claim in secrets:
            yield at_resolved(
                resolved,
                item,
                codes.RESOURCE_DEPENDENCY,
                f"the managed {binding.dependency.type}'s connection secret {claim!r} "
                "has the name of a Secret spec",
                f"rename the dependency (`name:`), or the secret; the claim is "
                f"{resource_name(resolved.service, key)!r}",
            )
    workload = resolved.workload
    taken = dict.fromkeys(workload.env, "its `env`")
    for used in workload.integrations:
        values = integration_values(platform, used, resolved.environment)
        for var, _ in values.plain_env() if values is not None else ():
            taken.setdefault(var, f"integration {used}")
        for secret_key in values.entry.spec.secrets if values is not None else ():
            taken.setdefault(secret_key.env, f"integration {used}")
    for other in bound:  # the service's other dependencies, bound once by the caller
        if other.index < binding.index and other.dependency.key != key:  # a twin: PL311
            for var in other.env_names():
                taken.setdefault(var, f"dependency {other.dependency.key}")
    for var in binding.env_names():
        if var in taken:
            yield at_resolved(
                resolved,
                item,
                codes.ENV_CLASH,
                f"dependency {key!r} sets {var}, which {taken[var]} sets too",
                f"give the dependency another `name:` (its env vars are "
                f"{binding.dependency.prefix}_*), or rename the other variable",
            )
            break
