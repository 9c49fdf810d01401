"""`platform import`: Service specs written from existing Kubernetes manifests."""

from __future__ import annotations

from pathlib import Path

import click

from generators.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    color,
    format_option,
    platform_root,
    root_option,
)

LIFECYCLES = ("planning", "development", "staging", "production", "maintenance", "retired")


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--team",
    help="Owning team of every imported service. Default: each workload's "
    "app.kubernetes.io/part-of label.",
)
@click.option(
    "--lifecycle",
    type=click.Choice(LIFECYCLES),
    default="production",
    show_default=True,
    help="Lifecycle stage written into the specs (production: rendered in every environment).",
)
@click.option("--dry-run", is_flag=True, help="Print the specs and the report; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite spec files that exist already.")
@format_option(("text", "json"), help="text: a table per service; json: the same as data.")
@root_option
@click.pass_context
def import_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    team: str | None,
    lifecycle: str,
    dry_run: bool,
    force: bool,
    fmt: str,
    root: Path | None,
) -> int:
    """Write the Service specs that reproduce existing Kubernetes manifests.

    Reads Deployments, StatefulSets, CronJobs and Jobs with their Services,
    ServiceAccounts and ConfigMaps (multi-document YAML files, or directories of
    them) and writes platform/services/<name>.yaml for each workload. What no spec
    field expresses becomes a named patch (spec.patches) with its reason; the report
    shows where every field went. The platform is validated with the new specs
    first: nothing is written when it has errors (exit 1), or on --dry-run.

    \b
    Example:
      platform import k8s/*.yaml --team shop --dry-run
      platform import k8s/ --team shop
      platform import k8s/shop.yaml --team shop --force --format json
    """
    from generators.ops import importer  # each command loads what it uses (cli/__init__.py)

    where = platform_root(ctx)
    as_json = fmt == "json"
    outcome = importer.run_import(
        where,
        files,
        team=team,
        lifecycle=lifecycle,
        dry_run=dry_run,
        force=force,
        color=not as_json and color(),
    )
    report = outcome.report
    if as_json:
        if outcome.diagnostics:
            click.echo(outcome.diagnostics, nl=False, err=True)
        click.echo(report.as_json(outcome.specs if dry_run else None), nl=False)
    else:
        if dry_run:
            for path, text in outcome.specs.items():
                click.echo(f"--- # {path}\n{text}", nl=False)
            click.echo("")
        click.echo(report.text())
        if outcome.diagnostics:
            click.echo(outcome.diagnostics)
        click.echo(report.footer(), nl=False)
    return EXIT_INVALID if report.errors else EXIT_OK


#: This file's commands, in the order `platform --help` lists them.
COMMANDS = (import_command,)
