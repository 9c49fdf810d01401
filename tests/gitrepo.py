"""Real git repositories for tests, built with pygit2: pinned author, committer and time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pygit2

#: 2026-09-21 14:13:20 UTC; each commit of a test is a day later than the one before.
EPOCH = 1_790_000_000
AUTHOR = ("Ada Admin", "ada@example.com")


def init(root: Path) -> pygit2.Repository:
    """A repository at ``root`` (which holds the files), on branch `main`."""
    repo = pygit2.init_repository(str(root), initial_head="main")
    repo.config["user.name"], repo.config["user.email"] = AUTHOR
    return repo


def commit(repo: pygit2.Repository, message: str, day: int = 0) -> str:
    """Commit everything in the working tree (deletions too) as Ada, ``day`` days in."""
    index = repo.index
    index.add_all()
    index.write()
    when = pygit2.Signature(*AUTHOR, EPOCH + day * 86_400, 0)
    parents = [] if repo.head_is_unborn else [repo.head.target]
    ref = "HEAD" if repo.head_is_unborn else repo.head.name
    return str(repo.create_commit(ref, when, when, message, index.write_tree(), parents))


def clean(root: Path) -> None:
    """Drop the render cache and output a test does not want to commit."""
    shutil.rmtree(root / ".platform-cache", ignore_errors=True)
