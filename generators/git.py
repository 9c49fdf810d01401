"""Git history through pygit2 (its one user): no checkout, the working tree untouched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pygit2


@dataclass(frozen=True)
class Change:
    """A commit that changed a file, with the file's content after it (None: deleted)."""

    commit: str
    author: str
    date: dt.datetime
    summary: str
    content: bytes | None


def open_repository(root: Path) -> tuple[pygit2.Repository, str] | None:
    """The repository holding ``root`` and ``root``'s path inside it, or None outside git."""
    found = pygit2.discover_repository(str(root))
    if found is None:
        return None
    repo = pygit2.Repository(found)
    if repo.is_bare or repo.head_is_unborn or repo.workdir is None:
        return None
    inside = root.resolve().relative_to(Path(repo.workdir).resolve()).as_posix()
    return repo, "" if inside == "." else inside + "/"


def state(root: Path) -> str:
    """``ok``, ``not-in-git``, or ``shallow`` (a shallow clone: history is cut off)."""
    opened = open_repository(root)
    if opened is None:
        return "not-in-git"
    return "shallow" if opened[0].is_shallow else "ok"


def changes(root: Path, rel: str) -> Iterator[Change]:
    """The commits that changed ``rel`` (relative to ``root``), newest first."""
    opened = open_repository(root)
    if opened is None:
        return
    repo, prefix = opened
    path = prefix + rel
    walker = repo.walk(
        repo.head.target, pygit2.enums.SortMode.TOPOLOGICAL | pygit2.enums.SortMode.TIME
    )
    for commit in walker:
        now = _content(commit, path)
        before = _content(commit.parents[0], path) if commit.parents else None
        if now != before:
            when = dt.datetime.fromtimestamp(
                commit.commit_time, dt.timezone(dt.timedelta(minutes=commit.commit_time_offset))
            )
            yield Change(
                commit=str(commit.id),
                author=commit.author.name,
                date=when,
                summary=commit.message.splitlines()[0] if commit.message else "",
                content=now,
            )


def _content(commit: pygit2.Commit, path: str) -> bytes | None:
    try:
        entry = commit.tree[path]
    except KeyError:
        return None
    return entry.data if isinstance(entry, pygit2.Blob) else None
