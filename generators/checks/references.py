"""Checks that names point at specs that exist, are unique and do not form cycles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from generators import diagnostics as codes
from generators.checks.base import at, where
from generators.diagnostics import Diagnostic
from generators.documents import Parsed, canonical_first
from generators.graph import Platform
from generators.interpolation import references
from generators.source import dotted
from generators.suggest import did_you_mean


def check_duplicate_names(platform: Platform) -> Iterator[Diagnostic]:
    """Two specs of one kind may not share a name (e.g. in two sub-directories).

    The spec at its kind's canonical path (``<directory>/<name>.yaml``) is the one that
    counts; every other copy is reported.
    """
    first: dict[tuple[str, str], Parsed] = {}
    for doc in sorted(platform.documents, key=canonical_first):
        key = (doc.kind.name, doc.name)
        other = first.setdefault(key, doc)
        if other is not doc:
            yield at(
                doc,
                ("metadata", "name"),
                codes.DUPLICATE_NAME,
                f"{doc.kind.name} {doc.name!r} is already defined in {where(other)}",
                "rename one of them (and its file); names are unique per kind",
            )


def check_owner_teams(platform: Platform) -> Iterator[Diagnostic]:
    """Every service's ``metadata.team`` names a Team spec."""
    teams = platform.names("Team")
    for doc in platform.documents:
        team = getattr(doc.metadata, "team", None)
        if isinstance(team, str) and team not in teams:
            yield at(
                doc,
                ("metadata", "team"),
                codes.UNKNOWN_TEAM,
                f"unknown team {team!r}",
                did_you_mean(team, teams, what="teams")
                + " (teams are defined in platform/teams/<name>.yaml)",
            )


def check_dependencies(platform: Platform) -> Iterator[Diagnostic]:
    """``dependsOn`` names existing services that are not retired."""
    names = platform.names("Service")
    for doc, service in platform.services.values():
        for index, target in enumerate(service.spec.dependsOn):
            path = ("spec", "dependsOn", index)
            if target == service.metadata.name:
                yield at(
                    doc,
                    path,
                    codes.DEPENDENCY_CYCLE,
                    f"service {target!r} depends on itself",
                    "remove it from dependsOn",
                )
            elif target not in names:
                yield at(
                    doc,
                    path,
                    codes.UNKNOWN_SERVICE,
                    f"unknown service {target!r}",
                    did_you_mean(target, names - {doc.name}, what="services"),
                )
            elif target in platform.services:
                stage = platform.services[target][1].metadata.lifecycle
                if stage == "retired":
                    yield at(
                        doc,
                        path,
                        codes.RETIRED_DEPENDENCY,
                        f"depends on {target!r}, which is retired",
                        "remove the dependency, or move the service out of `retired`",
                    )
                elif stage == "maintenance":
                    yield at(
                        doc,
                        path,
                        codes.MAINTENANCE_DEPENDENCY,
                        f"depends on {target!r}, which is in maintenance",
                        "plan a replacement: maintenance services get fixes only",
                    )


def check_dependency_cycles(platform: Platform) -> Iterator[Diagnostic]:
    """``dependsOn`` forms no cycle; each cycle is reported once, at its first edge."""
    graph = {
        name: [d for d in svc.spec.dependsOn if d in platform.services and d != name]
        for name, (_, svc) in platform.services.items()
    }
    reported: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> Iterator[Diagnostic]:
        state[node] = 1
        stack.append(node)
        for target in graph[node]:
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :]
                start = cycle.index(min(cycle))
                canonical = tuple(cycle[start:] + cycle[:start])
                if canonical not in reported:
                    reported.add(canonical)
                    first, second = canonical[0], canonical[1 % len(canonical)]
                    doc, svc = platform.services[first]
                    index = svc.spec.dependsOn.index(second)
                    shown = " → ".join((*canonical, canonical[0]))
                    yield at(
                        doc,
                        ("spec", "dependsOn", index),
                        codes.DEPENDENCY_CYCLE,
                        f"dependency cycle: {shown}",
                        "break the cycle: remove one of these dependsOn entries, or "
                        "move the shared part into a service both can depend on",
                    )
            elif target not in state:
                yield from visit(target)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            yield from visit(name)


def check_override_environments(platform: Platform) -> Iterator[Diagnostic]:
    """Override blocks name environments that exist."""
    environments = platform.names("Environment")
    for doc, service in platform.services.values():
        for env in service.spec.environments:
            if env not in environments:
                yield at(
                    doc,
                    ("spec", "environments", env),
                    codes.UNKNOWN_ENVIRONMENT,
                    f"override for unknown environment {env!r}",
                    did_you_mean(env, environments, what="environments")
                    + " (environments are environments/<name>.yaml)",
                    key=True,
                )


def check_image_pins(platform: Platform) -> Iterator[Diagnostic]:
    """An environment pins image tags only for services that exist."""
    names = platform.names("Service")
    for doc, env in platform.environments.values():
        for service in env.spec.images:
            if service not in names:
                yield at(
                    doc,
                    ("spec", "images", service),
                    codes.UNKNOWN_SERVICE,
                    f"image pinned for unknown service {service!r}",
                    did_you_mean(service, names, what="services"),
                    key=True,
                )


def check_env_references(platform: Platform) -> Iterator[Diagnostic]:
    """``${...}`` references in env values are well formed and name existing services."""
    names = platform.names("Service")
    for doc, service in platform.services.values():
        blocks: list[tuple[tuple[str, ...], dict[str, str | int | bool]]] = [((), service.spec.env)]
        blocks += [
            (("environments", env), dict(override.env or {}))
            for env, override in service.spec.environments.items()
        ]
        for prefix, env in blocks:
            for var, value in env.items():
                if not isinstance(value, str):
                    continue
                path = ("spec", *prefix, "env", var)
                for ref in references(value):
                    location = doc.source.locate(path)
                    line = doc.source.line_text(location.line)
                    column = line.find(ref.text, location.col - 1)
                    if column >= 0:
                        location = replace(location, col=column + 1)
                    if ref.error:
                        yield Diagnostic(
                            codes.BAD_REFERENCE, ref.error, location, dotted(path), ref.hint
                        )
                    elif ref.service is not None and ref.service not in names:
                        yield Diagnostic(
                            codes.UNKNOWN_SERVICE,
                            f"{ref.text} refers to unknown service {ref.service!r}",
                            location,
                            dotted(path),
                            did_you_mean(ref.service, names, what="services"),
                        )
                    elif ref.service is not None and ref.service not in service.spec.dependsOn:
                        yield Diagnostic(
                            codes.UNDECLARED_DEPENDENCY,
                            f"{ref.text} uses service {ref.service!r}, which "
                            "dependsOn does not list",
                            location,
                            dotted(path),
                            f"add {ref.service!r} to spec.dependsOn so the "
                            "network policy lets the traffic through",
                        )
