"""`platform diff`, `hydrate`, `history`, `rollback`: thin click commands over git work."""

from __future__ import annotations

import json

import click

from generators import diff_report, diffing, hydrate, revisions
from generators.cli_common import (
    EXIT_DRIFT,
    EXIT_INVALID,
    EXIT_OK,
    _root,
    color,
    echo_diagnostics,
    root_option,
)


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
        echo_diagnostics(validation.diagnostics, root_dir, len(validation.files))
        click.echo("Nothing to compare: fix the errors above first.")
        return EXIT_INVALID
    click.echo(diff_report.render(result, fmt, color=color() and fmt == "text"), nl=False)
    return EXIT_DRIFT if exit_code and not result.empty else EXIT_OK


@click.command("hydrate")
@click.option(
    "--env",
    "environments",
    multiple=True,
    metavar="ENV",
    help="Environment to hydrate (repeatable). Default: every one with `gitops.hydrateBranch`.",
)
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
    root: object,
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
    del root
    root_dir = _root(ctx)
    try:
        done = hydrate.hydrate(root_dir, environments, branch, source)
    except hydrate.SourceInvalid as invalid:
        echo_diagnostics(invalid.diagnostics, root_dir, invalid.files)
        click.echo(f"Nothing was committed: the specs at {source} have errors.")
        return EXIT_INVALID
    for item in done:
        if item.commit is None:
            click.echo(f"{item.branch}: {item.environment} is up to date with {item.source[:12]}")
        else:
            click.echo(
                f"{item.branch}: committed {item.commit[:12]} ({item.environment} from "
                f"{item.source[:12]}, {item.files} files)"
            )
    return EXIT_OK


_HEADINGS = ("COMMIT", "DATE", "AUTHOR", "CHANGED", "SUMMARY")


@click.command("history")
@click.argument("service")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many commits.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@root_option
@click.pass_context
def history_command(
    ctx: click.Context, service: str, limit: int | None, fmt: str, root: object
) -> int:
    """The commits that changed SERVICE's spec or its rendered output, newest first.

    \b
    Example:
      platform history checkout-api
      platform history web --limit 5 --format json
    """
    del root
    entries = revisions.history(_root(ctx), service, limit)
    if fmt == "json":
        rows = [
            {
                "commit": e.commit,
                "author": e.author,
                "date": e.date.isoformat(),
                "summary": e.summary,
                "spec": e.spec,
                "rendered": list(e.rendered),
            }
            for e in entries
        ]
        click.echo(json.dumps(rows, indent=2))
        return EXIT_OK
    if not entries:
        click.echo(
            f"No commit changed {service!r} (platform/services/{service}.yaml or its output)."
        )
        return EXIT_OK
    table: list[tuple[str, str, str, str, str]] = []
    for e in entries:
        parts = (["spec"] if e.spec else []) + (
            [f"rendered ({', '.join(e.rendered)})"] if e.rendered else []
        )
        table.append((e.commit[:12], f"{e.date:%Y-%m-%d}", e.author, ", ".join(parts), e.summary))
    widths = [max(len(r[i]) for r in [*table, _HEADINGS]) for i in range(4)]
    for row in [_HEADINGS, *table]:
        click.echo(
            "  ".join(f"{cell:<{w}}" for cell, w in zip(row[:4], widths, strict=True))
            + "  "
            + row[4]
        )
    return EXIT_OK


@click.command("rollback")
@click.argument("service")
@click.option("--to", "revision", required=True, metavar="REV", help="Revision to restore from.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Format of the diff printed at the end (markdown: for the pull request).",
)
@root_option
@click.pass_context
def rollback_command(
    ctx: click.Context, service: str, revision: str, fmt: str, root: object
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
    del root
    root_dir = _root(ctx)
    done = revisions.rollback(root_dir, service, revision)
    outcome = done.outcome
    assert outcome is not None
    if outcome.errors:
        echo_diagnostics(outcome.diagnostics, root_dir, outcome.specs)
        click.echo(
            f"Nothing was changed: {service} as of {done.revision[:12]} does not validate "
            "with today's platform (fix the errors above in a follow-up, or pick another REV)."
        )
        return EXIT_INVALID
    if not done.restored:
        click.echo(f"{service} already matches {done.revision[:12]}: nothing to restore.")
        return EXIT_OK
    click.echo(f"Restored from {done.revision[:12]}: {', '.join(done.restored)}", err=True)
    result = diffing.diff(root_dir, "HEAD")
    click.echo(diff_report.render(result, fmt, color=color() and fmt == "text"), nl=False)
    return EXIT_OK
