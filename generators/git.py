"""Git history through pygit2 (its one user): no checkout, the working tree untouched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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


def changes(root: Path, rels: Sequence[str]) -> dict[str, list[Change]]:
    """For each of ``rels`` (relative to ``root``), the commits that changed it, newest first.

    One walk of the history serves every file; blob ids are compared, and a file's
    content is read only at the commits that changed it.
    """
    found: dict[str, list[Change]] = {rel: [] for rel in rels}
    opened = open_repository(root)
    if opened is None:
        return found
    repo, prefix = opened
    walker = repo.walk(
        repo.head.target, pygit2.enums.SortMode.TOPOLOGICAL | pygit2.enums.SortMode.TIME
    )
    for commit in walker:
        parent = commit.parents[0] if commit.parents else None
        for rel in rels:
            now = _blob_id(commit, prefix + rel)
            if now == (_blob_id(parent, prefix + rel) if parent is not None else None):
                continue
            when = dt.datetime.fromtimestamp(
                commit.commit_time, dt.timezone(dt.timedelta(minutes=commit.commit_time_offset))
            )
            found[rel].append(
                Change(
                    commit=str(commit.id),
                    author=commit.author.name,
                    date=when,
                    summary=commit.message.splitlines()[0] if commit.message else "",
                    content=_data(repo, now),
                )
            )
    return found


def _data(repo: pygit2.Repository, blob: pygit2.Oid | None) -> bytes | None:
    obj = repo.get(blob) if blob is not None else None
    return obj.data if isinstance(obj, pygit2.Blob) else None


def _blob_id(commit: pygit2.Commit, path: str) -> pygit2.Oid | None:
    try:
        entry = commit.tree[path]
    except KeyError:
        return None
    return entry.id if isinstance(entry, pygit2.Blob) else None
