"""Every workload of the input mapped, `dependsOn` between them inferred, the spec texts."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from generators import emit
from generators.errors import UsageError
from generators.ops.importer.manifests import WORKLOAD_KINDS, group, read
from generators.ops.importer.order import ordered
from generators.ops.importer.report import Report, Row, ServiceReport
from generators.ops.importer.workload import Imported, map_group

SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/service.schema.json\n"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_HOST_PORT = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(:[0-9]{1,5})?$")


@dataclass(frozen=True)
class Imports:
    """The specs an import makes (path -> text) and its report."""

    specs: dict[str, str]
    report: Report


def spec_text(document: dict[str, object]) -> str:
    """A spec file's text: the schema line, then the document."""
    return SCHEMA_LINE + emit.dump(document)


def import_manifests(
    paths: Sequence[Path],
    *,
    team: str | None = None,
    lifecycle: str = "production",
    known: Collection[str] = (),
) -> Imports:
    """Map every workload of the files (or directories) into a Service spec.

    ``known`` are the platform's services: a workload that calls one by name depends
    on it, as on the services imported with it. The result depends only on the
    objects, not on the files' order: objects are sorted before they are mapped.

    Raises:
        UsageError: for input that cannot be read or imported (the message names the file).
    """
    groups, skipped = group(read(paths))
    if not groups:
        raise UsageError(
            message="the input holds no workload to import",
            hint=f"pass manifests with a {', '.join(WORKLOAD_KINDS)}",
        )
    imported = [map_group(g, team, lifecycle) for g in groups]
    seen: dict[str, Imported] = {}
    for item in imported:
        if item.name in seen:
            first = seen[item.name].report.sources[0]
            raise UsageError(
                message=f"two workloads would be service {item.name!r}: {first} in "
                f"{seen[item.name].namespace} and {item.report.sources[0]} in {item.namespace}",
                hint="service names are platform-wide: import one of them, or rename it",
            )
        seen[item.name] = item
    _depends(imported, known)
    services = [
        ServiceReport(
            name=item.name,
            file=item.report.file,
            sources=item.report.sources,
            rows=_by_object(item),
            patches=item.report.patches,
            notes=tuple(item.trail.notes),
        )
        for item in sorted(imported, key=lambda i: i.name)
    ]
    specs = {s.file: spec_text(seen[s.name].document) for s in services}
    return Imports(specs, Report(services=tuple(services), skipped=tuple(skipped)))


def _by_object(item: Imported) -> tuple[Row, ...]:
    """The rows of the workload, then of its Service, ServiceAccount and ConfigMaps."""
    rank = {label: index for index, label in enumerate(item.report.sources)}
    return tuple(sorted(item.trail.rows, key=lambda r: rank.get(r.object, len(rank))))


def _depends(imported: list[Imported], known: Collection[str]) -> None:
    """`dependsOn` from the addresses of other imported services that a service uses.

    The platform's network policies admit only declared dependents, so a service that
    calls another by its Service's name needs it in `dependsOn`. An edge that would
    close a cycle (which `dependsOn` may not have) is left out, and said so.
    """
    hosts: dict[tuple[str, str], str] = {("", name): name for name in known}
    for item in imported:
        for index, host in enumerate(item.hosts):
            hosts[(item.namespace if index == 0 else "", host)] = item.name
    graph: dict[str, set[str]] = {item.name: set() for item in imported}
    for item in sorted(imported, key=lambda i: i.name):
        found: dict[str, str] = {}
        for where, value in item.values:
            for host in _hosts(value, whole=".env." in where):
                target = hosts.get((item.namespace, host)) or hosts.get(("", host))
                if target is not None and target != item.name:
                    found.setdefault(target, f"{where} ({value})")
        for target in sorted(found):
            if _reaches(graph, target, item.name):
                item.trail.note(
                    f"{target} is not added to dependsOn ({found[target]}): it depends on "
                    f"{item.name} already, and dependsOn may not form a cycle"
                )
                continue
            graph[item.name].add(target)
            item.trail.went(item.report.sources[0], found[target], f"spec.dependsOn: {target}")
        if graph[item.name]:
            item.document["spec"]["dependsOn"] = sorted(graph[item.name])
            item.document = ordered(item.document)


def _hosts(value: str, whole: bool) -> list[str]:
    """Host names in a value: URLs and host:port anywhere, a bare name as a whole value."""
    out = []
    for token in re.split(r"[\s,;'\"()=]+", value.strip()):
        rest = _SCHEME.sub("", token)
        schemed = rest != token
        rest = rest.split("@", 1)[-1].split("/", 1)[0]
        match = _HOST_PORT.match(rest)
        if match is None:
            continue
        if match.group(3) or schemed or (whole and token == value.strip()):
            out.append(match.group(1))
    return out


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    todo, seen = [start], set()
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo += sorted(graph.get(node, ()))
    return False
