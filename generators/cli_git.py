"""`platform diff`, `hydrate`, `history`, `rollback`: thin click commands over git work."""

from __future__ import annotations

import os
import sys

import click

from generators import diff_report, diffing, report
from generators.cli_common import _root, root_option

EXIT_OK, EXIT_INVALID, EXIT_DRIFT = 0, 1, 2


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@click.command()
@click.option(
    "--base",
    metavar="REF",
    help="Revision to compare with. Default: the merge-base with the default branch "
    "(origin/HEAD, origin/main, main or master).",
)
@click.option(
    "--env",
    "environments",
    multiple=True,
    metavar="ENV",
    help="Only this environment (repeatable). Default: all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="markdown: a pull-request comment within GitHub's size limit.",
)
@click.option("--exit-code", is_flag=True, help="Exit 2 when anything changes (as render --check).")
@root_option
@click.pass_context
def diff(
    ctx: click.Context,
    base: str | None,
    environments: tuple[str, ...],
    fmt: str,
    exit_code: bool,
    root: object,
) -> int:
    """Show what the working tree's specs change in the rendered output, per environment.

    The base revision is compiled straight from git's object database (no checkout; the
    working tree is untouched), with this compiler, so the diff is the specs' doing.
    Added, removed and changed objects by kind, namespace and name, field by field;
    secret values are never printed. The impact (newly public services, secrets,
    permissions, alert routing, removed services, requested resources) comes first.

    \b
    Example:
      platform diff
      platform diff --base origin/main --env production
      platform diff --format markdown > comment.md   # in CI, for the PR comment
    """
    del root
    root_dir = _root(ctx)
    try:
        result = diffing.diff(root_dir, ctx.params["base"], environments)
    except diffing.HeadInvalid as invalid:
        validation = invalid.rendering.validation
        click.echo(
            report.render(
                validation.diagnostics,
                fmt="human",
                root=root_dir,
                files=len(validation.files),
                color=_color(),
            ),
            nl=False,
        )
        click.echo("Nothing to compare: fix the errors above first.")
        return EXIT_INVALID
    click.echo(diff_report.render(result, fmt, color=_color() and fmt == "text"), nl=False)
    return EXIT_DRIFT if exit_code and not result.empty else EXIT_OK
