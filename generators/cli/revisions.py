"""`platform diff`, `hydrate`, `history`, `rollback` and `promote`: commands over revisions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from generators.cli.common import (
    EXIT_DRIFT,
    EXIT_INVALID,
    EXIT_OK,
    color,
    env_option,
    format_option,
    platform_root,
    root_option,
    table,
)
from generators.diagnostics import SpecErrors

#: What `--format` of the commands that print a diff offers.
DIFF_FORMATS = ("text", "markdown", "json")


@click.command()
@click.option(
    "--base",
    metavar="REF",
    help="Revision to compare with. Default: the merge-base with the default branch "
    "(origin/HEAD, origin/main, main or master).",
)
@env_option("Only this environment (repeatable). Default: all.")
@format_option(DIFF_FORMATS, help="markdown: a pull-request comment within GitHub's size limit.")
@click.option("--exit-code", is_flag=True, help="Exit 2 when anything changes (as render --check).")
@root_option
@click.pass_context
def diff(
    ctx: click.Context,
    base: str | None,
    environments: tuple[str, ...],
    fmt: str,
    exit_code: bool,
    root: Path | None,
) -> int:
    """Show what the working tree's specs change in the rendered output, per environment.

    The base revision is compiled straight from git's object database (no checkout; the
    working tree is untouched), with this compiler, so the diff is the specs' doing.
    Added, removed and changed objects by kind, namespace and name, field by field;
    secret values are never printed. The impact (newly public services, secrets,
    permissions, alert routing, removed services, requested resources) comes first.
    When the working tree's specs do not validate (exit 1), markdown and json say so
    in their own form: the pull request gets a comment listing the first problems.

    \b
    Example:
      platform diff
      platform diff --base origin/main --env production
      platform diff --format markdown > comment.md   # in CI, for the PR comment
    """
    from generators.diff import compare, report  # each command loads what it uses

    try:
        result = compare.compare(platform_root(ctx), base, environments)
    except SpecErrors as invalid:
        shown = report.invalid(invalid.diagnostics, invalid.files, fmt)
        if shown is None:  # text: every problem, as `platform validate` prints them
            raise
        click.echo(shown, nl=False)  # a PR comment (or data) all the same
        return EXIT_INVALID
    click.echo(report.render(result, fmt, color=color() and fmt == "text"), nl=False)
    return EXIT_DRIFT if exit_code and not result.empty else EXIT_OK


@click.command("hydrate")
@env_option("Environment to hydrate (repeatable). Default: every one with `gitops.hydrateBranch`.")
@click.option("--branch", help="Branch to commit to. Default: the environment's hydrateBranch.")
@click.option(
    "--source", default="HEAD", show_default=True, help="Commit whose specs are rendered."
)
@root_option
@click.pass_context
def hydrate_command(
    ctx: click.Context,
    environments: tuple[str, ...],
    branch: str | None,
    source: str,
    root: Path | None,
) -> int:
    """Commit an environment's rendered tree into a branch (working tree untouched).

    The source commit is rendered from git's object database; the branch gets
    `<env>/<app>/manifests.yaml`, plus `hydrator.metadata` and `README.md` naming the
    source commit and the compiler. Nothing is committed when the tree is unchanged.
    Push the branch yourself (`git push origin BRANCH`).

    \b
    Example:
      platform hydrate --env production --branch hydrated/production
      platform hydrate            # every environment with gitops.hydrateBranch
    """
    from generators.ops import hydrate

    for item in hydrate.hydrate(platform_root(ctx), environments, branch, source):
        click.echo(item.summary())
    return EXIT_OK


@click.command("history")
@click.argument("service")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many commits.")
@format_option(("table", "json"))
@root_option
@click.pass_context
def history_command(
    ctx: click.Context, service: str, limit: int | None, fmt: str, root: Path | None
) -> int:
    """The commits that changed SERVICE's spec or its rendered output, newest first.

    \b
    Example:
      platform history checkout-api
      platform history web --limit 5 --format json
    """
    from generators.ops import revisions

    entries = revisions.history(platform_root(ctx), service, limit)
    if fmt == "json":
        click.echo(json.dumps([entry.to_dict() for entry in entries], indent=2))
    elif not entries:
        click.echo(
            f"No commit changed {service!r} (platform/services/{service}.yaml or its output)."
        )
    else:
        click.echo(table([revisions.Entry.HEADINGS, *(entry.row() for entry in entries)]))
    return EXIT_OK


@click.command("rollback")
@click.argument("service")
@click.option("--to", "revision", required=True, metavar="REV", help="Revision to restore from.")
@format_option(
    DIFF_FORMATS, help="Format of the diff printed at the end (markdown: for the pull request)."
)
@root_option
@click.pass_context
def rollback_command(
    ctx: click.Context, service: str, revision: str, fmt: str, root: Path | None
) -> int:
    """Restore SERVICE's spec and image pins from REV, validate, render, print the diff.

    The spec file and each environment's `images.<service>` pin are written as they
    were at REV (other edits to the environment files, and their comments, stay);
    then the platform is validated and rendered. If it does not validate, every file
    is put back. The diff against HEAD is what to put in the pull request.

    \b
    Example:
      platform history checkout-api
      platform rollback checkout-api --to 3f2a9c1 --format markdown > pr.md
    """
    from generators.diff import report
    from generators.ops import revisions

    done = revisions.rollback(platform_root(ctx), service, revision)
    if done.diff is None:
        click.echo(f"{service} already matches {done.revision[:12]}: nothing to restore.")
        return EXIT_OK
    click.echo(f"Restored from {done.revision[:12]}: {', '.join(done.restored)}", err=True)
    click.echo(report.render(done.diff, fmt, color=color() and fmt == "text"), nl=False)
    return EXIT_OK


@click.command("promote")
@click.argument("service", required=False)
@click.option("--from", "source", required=True, metavar="ENV", help="Environment to copy from.")
@click.option("--to", "target", required=True, metavar="ENV", help="Environment to pin.")
@click.option("--skip", is_flag=True, help="Go past environments between the two on purpose.")
@click.option(
    "--all", "train", is_flag=True, help="Every service that runs in both: a release train."
)
@click.option(
    "--with",
    "overrides",
    multiple=True,
    metavar="PATH",
    help="An override of SERVICE's block for --from to copy too, e.g. env.FEATURE_X (repeatable).",
)
@format_option(
    DIFF_FORMATS, help="Format of the diff printed at the end (markdown: for the pull request)."
)
@root_option
@click.pass_context
def promote_command(
    ctx: click.Context,
    service: str | None,
    source: str,
    target: str,
    skip: bool,
    train: bool,
    overrides: tuple[str, ...],
    fmt: str,
    root: Path | None,
) -> int:
    """Pin SERVICE in one environment to the image that runs in the one before.

    The image is the source environment's pin, and only if the committed rendered tree
    runs it there. The target must be the next environment of the promotion chain the
    service runs in (`--skip` to go past one). The platform is then validated and
    rendered; if it does not validate, nothing is changed. The diff against HEAD is
    what to put in the pull request.

    `--with PATH` copies an override of the service's block for the source environment
    (`spec.environments.<from>.PATH`) into its block for the target, with the image.

    With `--all` instead of SERVICE, every service that runs in both environments is
    promoted in one change (a release train); a table says what moved, and why the
    others stayed.

    \b
    Example:
      platform promote checkout-api --from staging --to production --format markdown > pr.md
      platform promote web --from staging --to production --with env.NEW_CHECKOUT
      platform promote --all --from staging --to production
    """
    from generators.diff import report
    from generators.ops import promote

    if train == (service is not None):
        raise click.UsageError("name one SERVICE, or pass --all for every service")
    if train and overrides:
        raise click.UsageError("--with copies one service's overrides: name the SERVICE")
    if train:
        moved = promote.promote_all(platform_root(ctx), source, target, skip=skip)
        click.echo(promote.train_table(moved), err=True, nl=False)
        if moved.diff is not None:
            click.echo(report.render(moved.diff, fmt, color=color() and fmt == "text"), nl=False)
        return EXIT_OK
    assert service is not None
    done = promote.promote(
        platform_root(ctx), service, source, target, skip=skip, overrides=overrides
    )
    if done.diff is None:
        click.echo(f"{service} already runs {done.tag} in {target}: nothing to promote.")
        return EXIT_OK
    was = f" (was {done.previous})" if done.previous and done.previous != done.tag else ""
    also = f", with {', '.join(done.overrides)}" if done.overrides else ""
    click.echo(f"Promoted {service} {done.tag} from {source} to {target}{was}{also}.", err=True)
    click.echo(report.render(done.diff, fmt, color=color() and fmt == "text"), nl=False)
    return EXIT_OK


#: This file's commands.
COMMANDS = (diff, hydrate_command, history_command, rollback_command, promote_command)
