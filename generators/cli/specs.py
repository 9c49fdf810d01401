"""`platform validate`, `render` and `schema`: the commands over the specs themselves."""

from __future__ import annotations

from pathlib import Path

import click

from generators.cli.common import (
    EXIT_DRIFT,
    EXIT_OK,
    color,
    echo_diagnostics,
    env_option,
    format_option,
    platform_root,
    root_option,
)
from generators.diagnostics import SpecErrors, formats


@click.command()
@format_option(
    formats.FORMATS,
    help="human: path:line:col with the source line; github: workflow annotations; "
    "json; sarif: SARIF 2.1.0 for code scanning.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@root_option
@click.pass_context
def validate(ctx: click.Context, fmt: str, strict: bool, root: Path | None) -> int:
    """Check every spec and report all problems at once.

    Exit 0 when the specs are valid, 1 when any error (or, with --strict, any
    warning) is found.

    \b
    Example:
      platform validate
      platform validate --format sarif > platform.sarif
    """
    from generators import pipeline  # each command loads what it uses (cli/__init__.py)

    where = platform_root(ctx)
    result = pipeline.validate_platform(where)
    shown = formats.render(
        result.diagnostics,
        fmt=fmt,
        root=where,
        files=len(result.files),
        color=fmt == "human" and color(),
    )
    click.echo(shown, nl=False)
    return result.exit_code(strict=strict)


@click.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 2 if schemas/ is stale.")
@root_option
@click.pass_context
def schema(ctx: click.Context, check: bool, root: Path | None) -> int:
    """Write a JSON Schema per spec kind into schemas/.

    Editors use them through the `# yaml-language-server: $schema=...` line at the top
    of each spec.

    \b
    Example:
      platform schema
      platform schema --check   # in CI: fail when schemas/ is out of date
    """
    from generators.output import schemas

    where = platform_root(ctx)
    if check:
        stale = schemas.stale_schemas(where)
        click.echo(schemas.summary(stale, check=True), nl=False)
        return EXIT_DRIFT if stale else EXIT_OK
    click.echo(schemas.summary(schemas.write_schemas(where), check=False), nl=False)
    return EXIT_OK


@click.command()
@env_option("Render only this environment (repeatable). Default: all.")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 2 and list every missing, extra and differing file.",
)
@root_option
@click.pass_context
def render(
    ctx: click.Context, environments: tuple[str, ...], check: bool, root: Path | None
) -> int:
    """Render every environment into rendered/, atomically.

    A complete render also writes the CI workflows of services whose code lives in
    this repository into .github/workflows/ (docs/ci.md). Nothing is written when the
    specs have errors (exit 1). Stale files the compiler wrote before are removed;
    files it did not write are never touched.

    \b
    Example:
      platform render
      platform render --env staging
      platform render --check   # in CI: fail when rendered/ is stale
    """
    from generators.output import writer

    where = platform_root(ctx)
    outcome = writer.render_to_disk(where, environments, check=check)
    if outcome.errors:
        raise SpecErrors(
            diagnostics=outcome.diagnostics,
            files=outcome.specs,
            root=where,
            message="Nothing was rendered: fix the errors above first.",
        )
    if outcome.diagnostics:  # warnings: shown, and the render goes on
        echo_diagnostics(outcome.diagnostics, where, outcome.specs)
    click.echo(writer.summary(outcome, check=check), nl=False)
    return EXIT_DRIFT if check and outcome.stale else EXIT_OK


#: This file's commands, in the order `platform --help` lists them.
COMMANDS = (validate, schema, render)
