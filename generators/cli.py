"""The ``platform`` command line: flags in, one call, an exit code out."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from generators import __version__, pipeline, report, schema_export
from generators.cli_common import (
    EXIT_BUG,
    EXIT_DRIFT,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    _root,
    echo_diagnostics,
    root_option,
)
from generators.cli_common import color as _color
from generators.cli_git import diff, history_command, hydrate_command, rollback_command
from generators.cli_secrets import secrets
from generators.errors import PlatformError, UsageError

ISSUES_URL = "https://github.com/acme/platform/issues"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="platform")
@root_option
@click.pass_context
def cli(ctx: click.Context, root: Path | None) -> None:
    """Validate platform specs and render what the runtime needs.

    \b
    Example:
      platform validate
      platform --root ../acme-platform validate --format github
    """
    ctx.obj = {"root": root}


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(report.FORMATS),
    default="human",
    show_default=True,
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
    del root  # read through the context by _root, like the group's --root
    root = _root(ctx)
    result = pipeline.validate_platform(root)
    color = fmt == "human" and _color()
    click.echo(
        report.render(result.diagnostics, fmt=fmt, root=root, files=len(result.files), color=color),
        nl=False,
    )
    return result.exit_code(strict=strict)


@cli.command()
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
    del root
    root = _root(ctx)
    if check:
        stale = schema_export.stale_schemas(root)
        for name in stale:
            click.echo(f"stale: {schema_export.SCHEMA_DIR}/{name}")
        if stale:
            click.echo("Run `platform schema` and commit the result.")
            return EXIT_DRIFT
        click.echo("schemas/ is up to date.")
        return EXIT_OK
    changed = schema_export.write_schemas(root)
    for name in changed:
        click.echo(f"wrote {schema_export.SCHEMA_DIR}/{name}")
    click.echo(f"{len(changed)} schema file(s) changed.")
    return EXIT_OK


@cli.command()
@click.option(
    "--env",
    "environments",
    multiple=True,
    metavar="ENV",
    help="Render only this environment (repeatable). Default: all.",
)
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
    del root
    root = _root(ctx)
    outcome = pipeline.render_to_disk(root, environments, check=check)
    if outcome.diagnostics:
        echo_diagnostics(outcome.diagnostics, root, outcome.specs)
    if outcome.errors:
        click.echo("Nothing was rendered: fix the errors above first.")
        return EXIT_INVALID
    click.echo(report.render_outcome(outcome, check=check, out=pipeline.OUTPUT_DIR), nl=False)
    return EXIT_DRIFT if check and outcome.stale else EXIT_OK


cli.add_command(secrets)
cli.add_command(diff)
cli.add_command(hydrate_command)
cli.add_command(history_command)
cli.add_command(rollback_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: the one place where exceptions become messages and exit codes."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code instead of exiting."""
    pipeline.tune_gc()
    try:
        code = cli.main(args=argv, prog_name="platform", standalone_mode=False)
    except click.exceptions.Exit as exc:  # --help, --version
        return int(exc.exit_code)
    except click.ClickException as exc:  # bad flags: usage error
        exc.show()
        return EXIT_USAGE
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except UsageError as exc:
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"hint: {exc.hint}", err=True)
        return exc.exit_code
    except PlatformError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception:  # noqa: BLE001 - a bug: say so, and what to send
        click.echo(
            f"internal error: this is a bug in platform {__version__}, not in your specs.\n"
            f"Please report it at {ISSUES_URL} with the text below.\n",
            err=True,
        )
        click.echo(traceback.format_exc(), err=True)
        return EXIT_BUG
    return code if isinstance(code, int) else EXIT_OK
