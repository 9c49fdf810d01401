"""`platform secrets ...`: thin click commands over generators/secret_ops.py."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from generators import diagnostics as codes
from generators import pipeline, report, secret_ops
from generators.cli_common import _root, root_option
from generators.diagnostics import Severity
from generators.errors import UsageError
from generators.sealing import SCOPES

#: Short scope names kubeseal users type, and the long ones it uses.
SCOPE_NAMES = {"strict": "strict", "namespace": "namespace-wide", "cluster": "cluster-wide"}
SCOPE_NAMES.update({scope: scope for scope in SCOPES})


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
    del root  # read through the context by _root, like the group's --root
    value = _read_value(from_file)
    done = secret_ops.seal(
        _root(ctx),
        environment=environment,
        secret=secret,
        key=key,
        value=value,
        scope=SCOPE_NAMES[scope],
        team=team,
        today=pipeline.today(),
        reset=reset,
    )
    where = f"namespace {done.namespace}" if done.namespace else "any namespace"
    click.echo(
        f"Sealed {done.key!r} of secret {done.secret!r} for {done.environment} ({where}, "
        f"{done.scope}) with certificate {done.fingerprint[:23]}... into {done.file}"
        + (" (new file)" if done.created else "")
    )
    click.echo("Commit the file; render copies the ciphertext as it is.")
    return 0


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
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@root_option
@click.pass_context
def status(ctx: click.Context, environments: tuple[str, ...], fmt: str, root: Path | None) -> int:
    """List every secret per environment with its age and rotation due date.

    Exit 1 when one is overdue past its grace period (see docs/secrets.md).
    """
    del root
    validation = _valid(ctx)
    if validation is None:
        return 1
    unknown = sorted(set(environments) - set(validation.platform.environments))
    if unknown:
        raise UsageError(
            message=f"unknown environment {unknown[0]!r}",
            hint=f"known: {', '.join(sorted(validation.platform.environments))}",
        )
    rows = secret_ops.status(validation)
    rows = [r for r in rows if not environments or r.environment in environments]
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in rows], indent=2))
    else:
        header = ("SECRET", "ENV", "OWNER", "SOURCE", "CHANGED", "AGE", "EVERY", "DUE", "STATE")
        table = [header] + [
            (
                r.secret,
                r.environment,
                r.owner,
                r.source,
                r.changed.isoformat(),
                f"{r.age}d",
                r.period,
                r.due.isoformat(),
                r.state,
            )
            for r in rows
        ]
        click.echo(_table(table))
    return 1 if any(r.state == "overdue" for r in rows) else 0


@secrets.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@root_option
@click.pass_context
def audit(ctx: click.Context, fmt: str, root: Path | None) -> int:
    """Which service uses which secret where, its owner, age and last change in git."""
    del root
    validation = _valid(ctx)
    if validation is None:
        return 1
    rows = list(secret_ops.audit(validation))
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return 0
    header = ("SECRET", "ENV", "OWNER", "SOURCE", "AGE", "LAST CHANGE", "USED BY")
    table = [header] + [
        (
            r["secret"],
            r["environment"],
            r["owner"],
            r["source"],
            f"{r['ageDays']}d",
            f"{r['lastChangedCommit']} {r['lastChangedDate']}"
            if r["lastChangedCommit"]
            else {"ok": "uncommitted"}.get(r["history"], r["history"]),
            ", ".join(r["usedBy"]) or "-",
        )
        for r in rows
    ]
    click.echo(_table(table))
    if rows and rows[0]["history"] == "shallow":
        click.echo(
            "note: a shallow clone: fetch the history (`git fetch --unshallow`) for the "
            "commits that last changed each value",
            err=True,
        )
    return 0


def _valid(ctx: click.Context) -> pipeline.Validation | None:
    """The validated platform, or None after printing why the specs are invalid."""
    root = _root(ctx)
    validation = pipeline.validate_platform(root)
    # Overdue secrets are what these commands are for; any other error stops them.
    blocking = [
        d
        for d in validation.diagnostics
        if d.level is Severity.ERROR and d.code is not codes.ROTATION_OVERDUE
    ]
    if blocking:
        click.echo(
            report.render(blocking, fmt="human", root=root, files=len(validation.files)),
            nl=False,
            err=True,
        )
        click.echo("The specs have errors: fix them first (platform validate).", err=True)
        return None
    return validation


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
