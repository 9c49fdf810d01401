"""Revisions read from git's object database with pygit2: refs, exports, file histories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pygit2

from generators.errors import UsageError


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


def resolve(repo: pygit2.Repository, ref: str) -> pygit2.Commit:
    """The commit ``ref`` names (a branch, tag, SHA or `HEAD~2`).

    Raises:
        UsageError: when nothing by that name is in this clone.
    """
    try:
        obj = repo.revparse_single(ref)
        commit = obj.peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        hint = "give a branch, tag or commit of this repository"
        if repo.is_shallow:
            hint = (
                "this is a shallow clone: fetch the base too (actions/checkout with "
                "`fetch-depth: 0`, or `git fetch --deepen=50 origin <branch>`)"
            )
        raise UsageError(message=f"no commit {ref!r} in this clone", hint=hint) from None
    return commit


#: Where the default branch is looked for, in order.
DEFAULT_BRANCHES = (
    "refs/remotes/origin/HEAD",
    "refs/remotes/origin/main",
    "refs/remotes/origin/master",
    "refs/heads/main",
    "refs/heads/master",
)


def default_base(repo: pygit2.Repository) -> tuple[pygit2.Commit, str]:
    """The merge-base of HEAD with the default branch, and how it was found.

    Raises:
        UsageError: without a default branch, or when the history joining them is cut
            off (a shallow clone).
    """
    for name in DEFAULT_BRANCHES:
        if name not in repo.references:
            continue
        branch = repo.references[name].resolve().peel(pygit2.Commit)
        base = repo.merge_base(repo.head.target, branch.id)
        if base is None:
            raise UsageError(
                message=f"HEAD and {name.removeprefix('refs/')} share no history in this clone",
                hint="fetch more history (`fetch-depth: 0`), or give the base with --base",
            )
        return repo[base].peel(pygit2.Commit), f"merge-base with {_short(name)}"
    raise UsageError(
        message="no default branch to compare with (origin/HEAD, origin/main, main, master)",
        hint="give the base with --base REF",
    )


def _short(name: str) -> str:
    for prefix in ("refs/remotes/", "refs/heads/"):
        name = name.removeprefix(prefix)
    return name


def export(
    repo: pygit2.Repository, commit: pygit2.Commit, prefix: str, tops: Sequence[str], dest: Path
) -> int:
    """Write the files under ``tops`` (below ``prefix``) at ``commit`` into ``dest``.

    Straight from the object database: no checkout, the working tree untouched.
    Returns how many files were written.
    """
    written = 0
    for top in tops:
        try:
            entry = commit.tree[prefix + top]
        except KeyError:
            continue
        if isinstance(entry, pygit2.Tree):
            written += _export_tree(repo, entry, dest / top)
    return written


def _export_tree(repo: pygit2.Repository, tree: pygit2.Tree, dest: Path) -> int:
    written = 0
    for entry in tree:
        obj, name = repo.get(entry.id), entry.name or ""
        if not name or name in (".", "..") or "/" in name:
            continue  # git never stores these; a crafted tree might
        if isinstance(obj, pygit2.Tree):
            written += _export_tree(repo, obj, dest / name)
        elif isinstance(obj, pygit2.Blob) and entry.filemode != pygit2.enums.FileMode.LINK:
            dest.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes(obj.data)
            written += 1
    return written
