"""What every command shares: exit codes, finding the platform, shared options, printing."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from generators.diagnostics import Diagnostic, formats
from generators.errors import UsageError

__all__ = [
    "EXIT_BUG",
    "EXIT_DRIFT",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "color",
    "echo_diagnostics",
    "env_option",
    "find_root",
    "format_option",
    "platform_root",
    "root_option",
    "table",
]

#: Exit codes, as documented in the README.
EXIT_OK, EXIT_INVALID, EXIT_DRIFT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3, 4

F = TypeVar("F", bound=Callable[..., Any])


def find_root(start: Path) -> Path:
    """The platform repository containing ``start``.

    That is the nearest directory with a ``platform/`` or ``environments/`` directory
    (so a platform kept in a sub-directory of a larger repository is found), else the
    nearest git repository.
    """
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "platform").is_dir() or (candidate / "environments").is_dir():
            return candidate
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    raise UsageError(
        message=f"{start} is not inside a platform repository",
        hint="run inside one, or pass --root DIR",
    )


def platform_root(ctx: click.Context) -> Path:
    """The platform a command works on: its own ``--root``, the group's, or the nearest.

    Raises:
        UsageError: when that directory holds no platform.
    """
    given: Path | None = ctx.params.get("root") or ctx.find_root().params.get("root")
    root = given.resolve() if given else find_root(Path.cwd())
    if not (root / "platform").is_dir() and not (root / "environments").is_dir():
        raise UsageError(
            message=f"{root} has neither a platform/ nor an environments/ directory",
            hint="pass --root pointing at a platform repository",
        )
    return root


root_option = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Platform repository to work on. Default: the repository containing the "
    "working directory.",
)


def format_option(choices: Sequence[str], help: str | None = None) -> Callable[[F], F]:
    """``--format``: one of ``choices``, the first by default (passed as ``fmt``)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


def env_option(help: str) -> Callable[[F], F]:
    """``--env ENV``, repeatable (passed as ``environments``)."""
    return click.option("--env", "environments", multiple=True, metavar="ENV", help=help)


def color() -> bool:
    """Whether output may be coloured: a terminal, and no NO_COLOR."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def echo_diagnostics(
    diagnostics: Sequence[Diagnostic],
    root: Path,
    files: int,
    *,
    err: bool = False,
    sources: Mapping[str, str] | None = None,
) -> None:
    """Print a run's problems as `platform validate` does (coloured on a terminal).

    ``sources``: the text of files not written, shown in place of the disk's.
    """
    text = formats.render(
        diagnostics,
        fmt="human",
        root=root,
        files=files,
        color=not err and color(),
        sources=sources,
    )
    click.echo(text, nl=False, err=err)


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned columns (the first row the headings), two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
