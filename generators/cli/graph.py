"""`platform graph`: the services' dependency graph in one environment."""

from __future__ import annotations

from pathlib import Path

import click

from generators.cli.common import EXIT_OK, format_option, platform_root, root_option


@click.command()
@click.option("--env", "environment", help="The environment. Default: the first of the chain.")
@format_option(("text", "dot", "svg"), help="text; Graphviz DOT; SVG (drawn by Graphviz's dot).")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write it to this file."
)
@root_option
@click.pass_context
def graph(
    ctx: click.Context, environment: str | None, fmt: str, output: Path | None, root: Path | None
) -> int:
    """Show which service calls which (dependsOn) and the integrations each uses.

    \b
    Example:
      platform graph --env production
      platform graph --env production --format svg --output graph.svg
    """
    from generators.ops.graphs import draw

    result = draw(platform_root(ctx), environment, fmt)
    if output is not None:
        output.write_text(result, encoding="utf-8")
        click.echo(f"Wrote {output}")
    else:
        click.echo(result, nl=False)
    return EXIT_OK


#: This file's commands.
COMMANDS = (graph,)
