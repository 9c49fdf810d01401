"""`platform graph`: the checked platform's dependency graph, in the format asked for."""

from __future__ import annotations

from pathlib import Path

from generators.diagnostics.suggest import did_you_mean
from generators.domain import graph
from generators.errors import UsageError
from generators.ops.secret_reports import valid


def draw(root: Path, environment: str | None, fmt: str) -> str:
    """The graph of ``environment`` (default: the first of the promotion chain) as ``fmt``.

    Raises:
        SpecErrors: when the specs have errors.
        UsageError: for an unknown environment, or SVG without Graphviz.
    """
    platform = valid(root).platform
    known = sorted(platform.environments)
    if environment is None:
        environment = min(known, key=lambda e: platform.environments[e][1].spec.order)
    elif environment not in known:
        raise UsageError(
            message=f"unknown environment {environment!r}",
            hint=did_you_mean(environment, known, what="environments"),
        )
    built = graph.build(platform, environment)
    return {"text": graph.text, "dot": graph.dot, "svg": graph.svg}[fmt](built)
