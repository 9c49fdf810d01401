"""Checks that names point at specs that exist, are unique and do not form cycles.

These checks read the raw data of every document with a readable envelope, not only
of the valid ones: a spec with an unrelated schema error still has its references
checked, so one run reports everything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from generators.checks.base import at, unknown, unknown_hint, where
from generators.diagnostics import Diagnostic, Location, codes
from generators.model.interpolation import Reference, references
from generators.model.platform import Platform
from generators.source.documents import Parsed, canonical_first
from generators.source.located import KeyPath, dotted
from generators.spec.service import Workload


def check_duplicate_names(platform: Platform) -> Iterator[Diagnostic]:
    """Two specs of one kind may not share a name (e.g. in two sub-directories).

    The spec at its kind's canonical path (``<directory>/<name>.yaml``) is the one that
    counts; every other copy is reported.
    """
    first: dict[tuple[str, str], Parsed] = {}
    for doc in sorted(platform.documents, key=canonical_first):
        other = first.setdefault((doc.kind.name, doc.name), doc)
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
    for doc in _services(platform):
        team = raw(doc, ("metadata", "team"))
        if isinstance(team, str) and team not in teams:
            yield unknown(
                doc,
                ("metadata", "team"),
                codes.UNKNOWN_TEAM,
                team,
                teams,
                "team",
                defined="teams are defined in platform/teams/<name>.yaml",
            )


def check_dependencies(platform: Platform) -> Iterator[Diagnostic]:
    """``dependsOn`` names existing, non-retired services, each once.

    Both the spec's list and each environment block's list are checked.
    """
    names = platform.names("Service")
    for doc in _services(platform):
        for path, targets in _dependency_lists(doc):
            seen: set[str] = set()
            for index, target in targets:
                item = (*path, index)
                if target == doc.name:
                    yield at(
                        doc,
                        item,
                        codes.DEPENDENCY_CYCLE,
                        f"service {target!r} depends on itself",
                        "remove it from dependsOn",
                    )
                elif target in seen:
                    yield at(
                        doc,
                        item,
                        codes.DUPLICATE_DEPENDENCY,
                        f"{target!r} is listed twice",
                        "remove the second entry",
                    )
                elif target not in names:
                    yield unknown(
                        doc, item, codes.UNKNOWN_SERVICE, target, names - {doc.name}, "service"
                    )
                elif (stage := _lifecycle(platform, target)) == "retired":
                    yield at(
                        doc,
                        item,
                        codes.RETIRED_DEPENDENCY,
                        f"depends on {target!r}, which is retired",
                        "remove the dependency, or move the service out of `retired`",
                    )
                elif stage == "maintenance":
                    yield at(
                        doc,
                        item,
                        codes.MAINTENANCE_DEPENDENCY,
                        f"depends on {target!r}, which is in maintenance",
                        "plan a replacement: maintenance services get fixes only",
                    )
                seen.add(target)


def check_dependency_cycles(platform: Platform) -> Iterator[Diagnostic]:
    """``dependsOn`` forms no cycle, in the spec or in any environment.

    Each cycle is reported once, at its first edge; a cycle that only some
    environments' blocks create names those environments.
    """
    base: dict[str, list[str]] = {}
    for doc in sorted(_services(platform), key=canonical_first):
        base.setdefault(doc.name, [t for _, t in _base_dependencies(doc)])
    found: dict[tuple[str, ...], set[str]] = {cycle: set() for cycle in find_cycles(base)}
    for env in sorted(platform.environments):
        graph = dict(base)
        for (env_name, service), resolved in platform.resolved.items():
            if env_name == env:
                graph[service] = resolved.workload.calls
        for cycle in find_cycles(graph):
            if cycle not in found or found[cycle]:
                found.setdefault(cycle, set()).add(env)
    for cycle, envs in sorted(found.items()):
        first, second = cycle[0], cycle[1 % len(cycle)]
        shown = " → ".join((*cycle, cycle[0]))
        message = f"dependency cycle: {shown}"
        hint = (
            "break the cycle: remove one of these dependsOn entries, or move the shared "
            "part into a service both can depend on"
        )
        if not envs:
            doc = _service_doc(platform, first)
            item = next(i for i, t in _base_dependencies(doc) if t == second)
            yield at(doc, ("spec", "dependsOn", item), codes.DEPENDENCY_CYCLE, message, hint)
            continue
        env = min(envs)
        resolved = platform.resolved[(env, first)]
        edge = list(resolved.workload.dependsOn).index(second)
        location, path, _ = resolved.origin(("dependsOn", edge))
        yield Diagnostic(
            codes.DEPENDENCY_CYCLE,
            message,
            location,
            dotted(path),
            hint,
            environments=tuple(sorted(envs)),
        )


def find_cycles(graph: Mapping[str, list[str]]) -> list[tuple[str, ...]]:
    """Every cycle met by a depth-first walk, each rotated to start at its smallest name.

    The walk is iterative, so dependency chains of any length are fine.
    """
    cycles: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(graph):
        if start in state:
            continue
        path: list[str] = [start]
        stack = [iter(graph.get(start, []))]
        state[start] = 1
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
            elif target not in graph or target == path[-1]:
                continue  # unknown services and self-references are reported elsewhere
            elif state.get(target) == 1:
                cycle = path[path.index(target) :]
                low = cycle.index(min(cycle))
                cycles.add(tuple(cycle[low:] + cycle[:low]))
            elif target not in state:
                state[target] = 1
                path.append(target)
                stack.append(iter(graph.get(target, [])))
    return sorted(cycles)


def check_override_environments(platform: Platform) -> Iterator[Diagnostic]:
    """Override blocks name environments that exist."""
    environments = platform.names("Environment")
    for doc in _services(platform):
        blocks = raw(doc, ("spec", "environments"))
        for env in blocks if isinstance(blocks, Mapping) else ():
            if env not in environments:
                yield unknown(
                    doc,
                    ("spec", "environments", env),
                    codes.UNKNOWN_ENVIRONMENT,
                    env,
                    environments,
                    "environment",
                    message=f"override for unknown environment {env!r}",
                    defined="environments are environments/<name>.yaml",
                    key=True,
                )


def check_image_pins(platform: Platform) -> Iterator[Diagnostic]:
    """An environment pins image tags only for services that exist."""
    names = platform.names("Service")
    for doc, env in platform.environments.values():
        for service in env.spec.images:
            if service not in names:
                yield unknown(
                    doc,
                    ("spec", "images", service),
                    codes.UNKNOWN_SERVICE,
                    service,
                    names,
                    "service",
                    message=f"image pinned for unknown service {service!r}",
                    key=True,
                )


def check_env_references(platform: Platform) -> Iterator[Diagnostic]:
    """``${...}`` references in env values are well formed and name other services.

    The services they use must be in ``dependsOn`` in every environment they run in.
    """
    names = platform.names("Service")
    for doc in _services(platform):
        for path, value in _env_values(doc):
            for ref in references(value):
                if ref.error:
                    code, message, hint = codes.BAD_REFERENCE, ref.error, ref.hint
                elif ref.service == doc.name:
                    code, message = codes.BAD_REFERENCE, f"{ref.text} refers to the service itself"
                    hint = "use localhost and the port directly"
                elif ref.service is not None and ref.service not in names:
                    code = codes.UNKNOWN_SERVICE
                    message = f"{ref.text} refers to unknown service {ref.service!r}"
                    hint = unknown_hint(ref.service, names - {doc.name}, "service")
                else:
                    continue  # locating is for problems only: it costs a second parse
                location = _reference_location(doc, path, ref)
                yield Diagnostic(code, message, location, dotted(path), hint)
    for (env, service), resolved in sorted(platform.resolved.items()):
        if service in platform.services and platform.deploys(service, env):
            yield from _unresolvable(platform, env, service)
        declared = set(resolved.workload.calls)
        for setting_path, setting in env_settings(resolved.workload):
            for ref in references(setting):
                used = ref.service
                if used is None or used in declared or used == service or used not in names:
                    continue
                location, path, _ = resolved.origin(setting_path)
                doc = _service_doc(platform, service)
                yield Diagnostic(
                    codes.UNDECLARED_DEPENDENCY,
                    f"{ref.text} uses service {used!r}, which dependsOn does not list",
                    _reference_location(doc, path, ref, location),
                    dotted(path),
                    f"add {used!r} to dependsOn so the network policy lets the traffic through",
                    environments=(env,),
                )


def _unresolvable(platform: Platform, env: str, service: str) -> Iterator[Diagnostic]:
    """References to services that do not run here, or have no port to reach."""
    resolved = platform.resolved[(env, service)]
    doc = _service_doc(platform, service)
    for setting_path, setting in env_settings(resolved.workload):
        for ref in references(setting):
            used = ref.service
            if used is None or used == service or used not in platform.services:
                continue
            target = platform.resolved.get((env, used))
            if target is None or not platform.deploys(used, env):
                problem = f"{ref.text} cannot resolve: {used!r} does not run in {env!r}"
                hint = f"check {used!r}'s lifecycle stage, or drop the reference here"
            elif target.workload.type != "web":
                kind = target.workload.type
                problem = f"{ref.text} cannot resolve: {used!r} is a {kind}, with no Service"
                hint = f"only web services can be reached; make {used!r} `type: web`"
            elif ref.parts[2] in ("url", "port", "address") and not target.workload.ports:
                problem = f"{ref.text} cannot resolve: {used!r} has no ports"
                hint = f"declare a port on {used!r}"
            else:
                continue
            location, path, _ = resolved.origin(setting_path)
            yield Diagnostic(
                codes.BAD_REFERENCE,
                problem,
                _reference_location(doc, path, ref, location),
                dotted(path),
                hint,
                environments=(env,),
            )


def raw(doc: Parsed, path: KeyPath) -> Any:
    """The value at ``path`` in a document's data, or ``None``."""
    current: Any = doc.source.data
    for part in path:
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            return None
    return current


def _services(platform: Platform) -> list[Parsed]:
    return [d for d in platform.documents if d.kind.name == "Service"]


def _service_doc(platform: Platform, name: str) -> Parsed:
    return platform.canonical[("Service", name)]


def _lifecycle(platform: Platform, name: str) -> Any:
    doc = platform.canonical.get(("Service", name))
    return raw(doc, ("metadata", "lifecycle")) if doc is not None else None


def _blocks(doc: Parsed) -> list[KeyPath]:
    """The spec and each environment block: the places a workload field can be set."""
    blocks = raw(doc, ("spec", "environments"))
    envs = sorted(blocks) if isinstance(blocks, Mapping) else []
    return [("spec",), *(("spec", "environments", env) for env in envs)]


def _base_dependencies(doc: Parsed) -> list[tuple[int, str]]:
    targets = raw(doc, ("spec", "dependsOn"))
    return (
        [(i, t) for i, t in enumerate(targets) if isinstance(t, str)]
        if isinstance(targets, list)
        else []
    )


def _dependency_lists(doc: Parsed) -> Iterator[tuple[KeyPath, list[tuple[int, str]]]]:
    for block in _blocks(doc):
        path = (*block, "dependsOn")
        targets = raw(doc, path)
        if isinstance(targets, list):
            yield path, [(i, t) for i, t in enumerate(targets) if isinstance(t, str)]


def env_settings(workload: Workload) -> Iterator[tuple[KeyPath, str]]:
    """Every string env value of a resolved workload (its own and its init containers')."""
    for var, value in workload.env.items():
        if isinstance(value, str):
            yield ("env", var), value
    for index, init in enumerate(workload.initContainers):
        for var, setting in init.env.items():
            if isinstance(setting, str):
                yield ("initContainers", index, "env", var), setting


def _env_values(doc: Parsed) -> Iterator[tuple[KeyPath, str]]:
    for block in _blocks(doc):
        env = raw(doc, (*block, "env"))
        for var, value in env.items() if isinstance(env, Mapping) else ():
            if isinstance(value, str):
                yield (*block, "env", var), value
        inits = raw(doc, (*block, "initContainers"))
        for index, init in enumerate(inits) if isinstance(inits, list) else ():
            env = init.get("env") if isinstance(init, Mapping) else None
            for var, value in env.items() if isinstance(env, Mapping) else ():
                if isinstance(value, str):
                    yield (*block, "initContainers", index, "env", var), value


def _reference_location(
    doc: Parsed, path: KeyPath, ref: Reference, location: Location | None = None
) -> Location:
    """The position of the reference itself, also inside multi-line (block) values."""
    location = location or doc.source.locate(path)
    for offset in range(1 + ref.offset // 2 + 50):
        line = location.line + offset
        text = doc.source.line_text(line)
        column = text.find(ref.text, location.col - 1 if offset == 0 else 0)
        if column >= 0:
            return replace(location, line=line, col=column + 1)
        if line > len(doc.source.text.splitlines()):
            break
    return location
