"""`platform cost`: what the platform's services and integrations cost each month."""

from __future__ import annotations

from pathlib import Path

import click

from generators.cli.common import EXIT_OK, format_option, platform_root, root_option, table


@click.command()
@click.option("--env", "environments", multiple=True, help="Only this environment (repeatable).")
@click.option(
    "--by",
    type=click.Choice(("service", "team", "environment")),
    default="service",
    show_default=True,
    help="One row per service and integration in each environment, per team, or per environment.",
)
@format_option(("table", "json", "csv"))
@root_option
@click.pass_context
def cost(
    ctx: click.Context, environments: tuple[str, ...], by: str, fmt: str, root: Path | None
) -> int:
    """Estimate the monthly cost from requests, replicas, storage and integration plans.

    Prices come from each environment's `cost:` block (docs/cost.md). With autoscaling a
    service costs a range, from its fewest to its most replicas.

    \b
    Example:
      platform cost --by team
      platform cost --env production --format csv > cost.csv
    """
    from generators.ops import costs

    result = costs.report(platform_root(ctx), environments, by)
    if fmt == "json":
        click.echo(result.json(), nl=False)
    elif fmt == "csv":
        click.echo(result.csv(), nl=False)
    else:
        click.echo(table(result.table()))
    return EXIT_OK


#: This file's commands.
COMMANDS = (cost,)
