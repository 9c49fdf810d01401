"""The dependency graph: which service calls which, and the integrations and resources each uses.

Per environment, from the resolved specs (an environment's block may add or drop a
dependency), over the services that run there. A typed dependency is drawn as the
environment provides it: a managed instance of its own, or the shared or external one
its consumers have in common. Printed as text, as Graphviz DOT (a cluster per team), or
as SVG by Graphviz's `dot` where it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from generators.errors import UsageError
from generators.model.dependencies import Binding, bindings, resource_name
from generators.model.platform import Platform
from generators.spec.resources import Managed


@dataclass(frozen=True)
class Graph:
    """One environment's services, their teams, and the edges between them."""

    environment: str
    #: Service -> its team.
    services: dict[str, str]
    #: (caller, called service), sorted.
    calls: tuple[tuple[str, str], ...]
    #: (service, integration instance), sorted.
    uses: tuple[tuple[str, str], ...]
    #: (service, dependency name, resource node, its label): typed dependencies, sorted.
    resources: tuple[tuple[str, str, str, str], ...] = ()


def build(platform: Platform, environment: str) -> Graph:
    """The graph of the services deployed to ``environment``."""
    services = {
        name: platform.services[name][1].metadata.team
        for (env, name) in sorted(platform.resolved)
        if env == environment and name in platform.services and platform.deploys(name, env)
    }
    calls, uses, resources = set(), set(), set()
    for name in services:
        resolved = platform.resolved[(environment, name)]
        workload = resolved.workload
        calls |= {(name, target) for target in workload.calls if target in services}
        uses |= {(name, instance) for instance in workload.integrations}
        resources |= {
            (name, binding.dependency.key, *_resource_node(binding))
            for binding in bindings(platform, resolved)
        }
    return Graph(
        environment,
        services,
        tuple(sorted(calls)),
        tuple(sorted(uses)),
        tuple(sorted(resources)),
    )


def _resource_node(binding: Binding) -> tuple[str, str]:
    """A managed instance is its consumer's own; a shared or external one is common."""
    dependency, provider = binding.dependency, binding.provider
    what = f"{dependency.type} {dependency.class_}"
    if isinstance(provider, Managed):
        node = resource_name(binding.service, dependency.key)
        return node, f"{what}, managed instance {node}"
    return f"{provider.provider}:{dependency.type}:{dependency.class_}", (
        f"{what}, {provider.provider} at {provider.host}"
    )


def text(graph: Graph) -> str:
    """Each service (with its team), what it calls, what calls it, and its integrations."""
    called_by: dict[str, list[str]] = {}
    for caller, called in graph.calls:
        called_by.setdefault(called, []).append(caller)
    out = [f"{graph.environment}: {len(graph.services)} services, {len(graph.calls)} calls"]
    if graph.resources:
        out[0] += f", {len(graph.resources)} resources"
    for name, team in graph.services.items():
        out.append(f"{name} ({team})")
        out += [f"  → {called}" for caller, called in graph.calls if caller == name]
        out += [f"  ← {caller}" for caller in called_by.get(name, [])]
        out += [f"  ⇢ {instance} (integration)" for user, instance in graph.uses if user == name]
        out += [f"  ⇢ {key}: {label}" for user, key, _, label in graph.resources if user == name]
    return "\n".join(out) + "\n"


def dot(graph: Graph) -> str:
    """Graphviz DOT: a box per service in a cluster per team; integrations, resources.

    Integrations are ellipses, resources (typed dependencies) cylinders.
    """
    teams: dict[str, list[str]] = {}
    for name, team in graph.services.items():
        teams.setdefault(team, []).append(name)
    lines = [
        f'digraph "{graph.environment}" {{',
        "  rankdir=LR;",
        '  graph [fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"];',
        '  edge [color="#555555"];',
    ]
    for index, (team, names) in enumerate(sorted(teams.items())):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f'    label="{_escape(team)}"; style=dashed; color="#999999";')
        lines += [f'    "{_escape(name)}";' for name in names]
        lines.append("  }")
    for instance in sorted({instance for _, instance in graph.uses}):
        ident = _escape(f"integration:{instance}")
        lines.append(
            f'  "{ident}" [label="{_escape(instance)}", shape=ellipse, fillcolor="#fdf1e0"];'
        )
    for node, label in sorted({(node, label) for _, _, node, label in graph.resources}):
        lines.append(
            f'  "{_escape("resource:" + node)}" [label="{_escape(label)}", shape=cylinder, '
            'fillcolor="#e8f5e9"];'
        )
    lines += [f'  "{_escape(a)}" -> "{_escape(b)}";' for a, b in graph.calls]
    lines += [
        f'  "{_escape(a)}" -> "{_escape("integration:" + b)}" [style=dashed];'
        for a, b in graph.uses
    ]
    lines += [
        f'  "{_escape(a)}" -> "{_escape("resource:" + node)}" [style=dashed];'
        for a, _, node, _ in graph.resources
    ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg(graph: Graph) -> str:
    """The graph drawn by Graphviz's `dot`.

    Raises:
        UsageError: when Graphviz is not installed, or `dot` fails.
    """
    binary = shutil.which("dot")
    if binary is None:
        raise UsageError(
            message="Graphviz's `dot` is not installed, so there is no SVG",
            hint="install Graphviz (Debian: `apt-get install graphviz`), or use "
            "`--format dot` and draw it elsewhere",
        )
    done = subprocess.run(
        [binary, "-Tsvg"], input=dot(graph), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise UsageError(message=f"`dot` failed: {done.stderr.strip()[:500]}")
    return done.stdout


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
