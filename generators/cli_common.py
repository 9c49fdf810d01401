"""What every command shares: finding the platform repository, and the --root option."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from generators import report
from generators.diagnostics import Diagnostic
from generators.errors import UsageError

__all__ = [
    "EXIT_BUG",
    "EXIT_DRIFT",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "_root",
    "color",
    "echo_diagnostics",
    "find_root",
    "root_option",
]

#: Exit codes, as documented in the README.
EXIT_OK, EXIT_INVALID, EXIT_DRIFT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3, 4


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


def _root(ctx: click.Context) -> Path:
    given: Path | None = ctx.params.get("root") or ctx.obj["root"]
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


def color() -> bool:
    """Whether output may be coloured: a terminal, and no NO_COLOR."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def echo_diagnostics(diagnostics: Sequence[Diagnostic], root: Path, files: int) -> None:
    """Print a run's problems as `platform validate` does."""
    click.echo(
        report.render(diagnostics, fmt="human", root=root, files=files, color=color()), nl=False
    )
