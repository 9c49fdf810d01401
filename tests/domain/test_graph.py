"""`platform graph`: the dependency graph as text, DOT and SVG (generators/domain/graph.py)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generators import pipeline
from generators.domain import graph
from tests.conftest import REPO, invoke


def example(environment: str) -> graph.Graph:
    return graph.build(pipeline.validate_platform(REPO).platform, environment)


def test_the_graph_follows_each_environment() -> None:
    production, dev = example("production"), example("dev")
    assert ("web", "session-cache") in production.calls
    assert ("checkout-api", "stripe") in production.uses
    # catalog-migrate is a job in development: it runs in dev only.
    assert "catalog-migrate" in dev.services
    assert "catalog-migrate" not in production.services
    assert production.services["checkout-api"] == "payments"


def test_text_lists_calls_both_ways() -> None:
    text = graph.text(example("production"))
    block = text.split("checkout-api (payments)\n")[1].split("\n\n")[0]
    assert "  → catalog-api" in block
    assert "  ← web" in block
    assert "  ⇢ stripe (integration)" in block


def test_the_command_writes_dot_and_refuses_an_unknown_environment(tmp_path: Path) -> None:
    out = tmp_path / "graph.dot"
    done = invoke("graph", "--env", "production", "--format", "dot", "--output", str(out))
    assert done.exit_code == 0, done.stderr
    dot = out.read_text()
    assert dot.startswith('digraph "production" {')
    assert '"web" -> "checkout-api";' in dot
    assert '"checkout-api" -> "integration:stripe" [style=dashed];' in dot
    wrong = invoke("graph", "--env", "prod")
    assert wrong.exit_code == 3
    assert "did you mean 'production'" in wrong.stderr.lower()


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz is not installed (.ci/run installs it)"
)
def test_the_svg_shows_every_service_and_integration() -> None:
    done = invoke("graph", "--env", "production", "--format", "svg")
    assert done.exit_code == 0, done.stderr
    titles = {html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", done.stdout)}
    built = example("production")
    assert set(built.services) <= titles
    assert {f"integration:{i}" for _, i in built.uses} <= titles
    drawn = subprocess.run(
        ["dot", "-Tsvg"], input=graph.dot(built), text=True, capture_output=True, check=False
    )
    assert drawn.returncode == 0, drawn.stderr
