"""`platform secrets seal`, `status` and `audit`: thin commands over generators/ops/."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from generators.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    format_option,
    platform_root,
    root_option,
    table,
)
from generators.errors import UsageError
from generators.model.clock import today

#: Short scope names kubeseal users type, and the long ones it uses (the scopes of
#: generators/domain/secrets/sealing.py, written here so `--help` loads no cryptography).
SCOPE_NAMES = {
    "strict": "strict",
    "namespace": "namespace-wide",
    "cluster": "cluster-wide",
    "namespace-wide": "namespace-wide",
    "cluster-wide": "cluster-wide",
}


@click.group()
def secrets() -> None:
    """Seal secrets, and see their rotation and use.

    \b
    Example:
      platform secrets seal --env production --secret stripe --key secret-key < key.txt
      platform secrets status
      platform secrets audit --format json
    """


@secrets.command()
@click.option("--env", "environment", required=True, help="Environment to seal for.")
@click.option("--secret", required=True, help="Secret name (platform/secrets/<name>.yaml).")
@click.option("--key", required=True, help="Key inside the secret, e.g. `password`.")
@click.option(
    "--scope",
    type=click.Choice(sorted(SCOPE_NAMES)),
    default="strict",
    show_default=True,
    help="strict: only this name in this namespace decrypts; namespace(-wide): any name "
    "in the namespace; cluster(-wide): anywhere.",
)
@click.option(
    "--from-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the value from this file (bytes as they are). Default: standard input, "
    "without one trailing newline.",
)
@click.option("--team", help="Owner, when the secret spec does not exist yet.")
@click.option(
    "--reset",
    is_flag=True,
    help="Drop the environment's other values first (they were sealed for another "
    "namespace, name or scope); seal them again afterwards.",
)
@root_option
@click.pass_context
def seal(
    ctx: click.Context,
    environment: str,
    secret: str,
    key: str,
    scope: str,
    from_file: Path | None,
    team: str | None,
    reset: bool,
    root: Path | None,
) -> int:
    """Seal one value offline and write the ciphertext into the secret's spec.

    The value is read from standard input or a file, never from the command line
    (it would land in shell history). The environment's committed certificate
    encrypts it as kubeseal does; the spec keeps its comments and layout.

    \b
    Example:
      platform secrets seal --env staging --secret payments-db --key password < pw.txt
      pbpaste | platform secrets seal --env production --secret stripe --key secret-key
    """
    from generators.ops import seal as sealing  # each command loads what it uses

    done = sealing.seal(
        platform_root(ctx),
        environment=environment,
        secret=secret,
        key=key,
        value=_read_value(from_file),
        scope=SCOPE_NAMES[scope],
        team=team,
        today=today(),
        reset=reset,
    )
    click.echo(done.summary())
    return EXIT_OK


def _read_value(from_file: Path | None) -> bytes:
    if from_file is not None:
        value = from_file.read_bytes()
    elif sys.stdin.isatty():
        value = click.prompt("Value (not echoed)", hide_input=True).encode()
    else:
        value = sys.stdin.buffer.read()
        for ending in (b"\r\n", b"\n"):  # `echo value |` adds one
            if value.endswith(ending):
                value = value[: -len(ending)]
                break
    if not value:
        raise UsageError(message="the value is empty", hint="pipe it in, or use --from-file")
    return value


@secrets.command()
@click.option("--env", "environments", multiple=True, help="Only this environment.")
@format_option(("table", "json"))
@root_option
@click.pass_context
def status(ctx: click.Context, environments: tuple[str, ...], fmt: str, root: Path | None) -> int:
    """List every secret per environment with its age and rotation due date.

    Exit 1 when one is overdue past its grace period (see docs/secrets.md).
    """
    from generators.ops import secret_reports

    rows = secret_reports.status(platform_root(ctx), environments)
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in rows], indent=2))
    else:
        click.echo(table([secret_reports.Status.HEADINGS, *(r.row() for r in rows)]))
    return EXIT_INVALID if any(r.state == "overdue" for r in rows) else EXIT_OK


@secrets.command()
@format_option(("table", "json"))
@root_option
@click.pass_context
def audit(ctx: click.Context, fmt: str, root: Path | None) -> int:
    """Which service uses which secret where, its owner, age and last change in git."""
    from generators.ops import secret_reports

    rows = secret_reports.audit(platform_root(ctx))
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return EXIT_OK
    click.echo(table([secret_reports.AUDIT_HEADINGS, *map(secret_reports.audit_row, rows)]))
    if rows and rows[0]["history"] == "shallow":
        click.echo(
            "note: a shallow clone: fetch the history (`git fetch --unshallow`) for the "
            "commits that last changed each value",
            err=True,
        )
    return EXIT_OK
