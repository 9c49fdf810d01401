"""`platform new`: a service from a template, by a wizard in a terminal or by answers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generators.cli.common import EXIT_OK, platform_root, root_option


@click.command()
@click.argument("template", required=False)
@click.option("--name", help="The new service's name (the same as --set name=…).")
@click.option("--team", help="Its team (the same as --set team=…).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="An answer (repeatable).")
@click.option(
    "--answers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML file of answers (a skeleton's .platform-answers.yaml replays them).",
)
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also create the starter code as a new git repository here (one commit).",
)
@click.option("--tag", default="0.1.0", show_default=True, help="The first image tag pinned.")
@click.option("--dry-run", is_flag=True, help="Show the change and the cost; write nothing.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask to confirm (the wizard only).")
@root_option
@click.pass_context
def new(
    ctx: click.Context,
    template: str | None,
    name: str | None,
    team: str | None,
    sets: tuple[str, ...],
    answers: Path | None,
    repo: Path | None,
    tag: str,
    dry_run: bool,
    yes: bool,
    root: Path | None,
) -> int:
    """Create a service from a template: its spec, its first image pins, its starter code.

    Without answers, on a terminal, a wizard asks for each (template, name, team,
    environments, resources, dependencies, integrations) and shows the change and its
    monthly cost before anything is written. The new service starts in the first
    environments of the promotion chain; production is a later promotion. Nothing is
    written when the platform with it does not validate.

    \b
    Example:
      platform new
      platform new go-api --name orders --team payments --set resources=M --repo ../orders
      platform new worker --answers ../mailer/.platform-answers.yaml --dry-run
    """
    from generators.ops import new as creating
    from generators.ops.wizard import ask
    from generators.pipeline import Memo

    where = platform_root(ctx)
    given = [*sets]
    flags = {k: v for k, v in (("name", name), ("team", team)) if v is not None}
    interactive = sys.stdin.isatty() and answers is None and not (name and team)
    memo: Memo = {}  # the specs parsed once: the facts, then the platform with the new one
    facts = creating.platform_facts(where, memo)  # the questions and the checks use it
    if interactive:
        pairs = [*given, *(f"{k}={v}" for k, v in flags.items())]
        template, given = ask(where, template, pairs, facts)
        flags = {}
    elif template is None:
        raise click.UsageError(
            "name a template (see `platform new --help`), or run it on a terminal"
        )
    result = creating.answered(where, template, given, answers, flags, facts)
    created = creating.create(where, result, tag=tag, repo=repo, dry_run=True, memo=memo)
    click.echo(creating.summary(created))
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return EXIT_OK
    if interactive and not yes and not click.confirm("Write it?", default=True):
        click.echo("Nothing was written.")
        return EXIT_OK
    done = creating.apply(where, result, created, repo=repo)
    click.echo(creating.written(done))
    return EXIT_OK


#: This file's commands.
COMMANDS = (new,)
