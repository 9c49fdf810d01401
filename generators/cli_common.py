"""What every command shares: finding the platform repository, and the --root option."""

from __future__ import annotations

from pathlib import Path

import click

from generators.errors import UsageError

__all__ = ["_root", "find_root", "root_option"]


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
